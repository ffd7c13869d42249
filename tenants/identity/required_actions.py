"""Required actions at the built-in provider: what an officer must do at the next
sign-in before they may work (Keycloak keeps the same list on its users).

`UPDATE_PASSWORD` is required of every new officer and again whenever an administrator
issues them a one-time initial password: a password someone else has seen is only good
for choosing one's own. The sign-in form asks for the new password while the action is
pending and calls `complete` once it is set.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yimen.tenants.identity.model import UPDATE_PASSWORD, RequiredAction


def require(session: Session, officer_id: uuid.UUID, action: str = UPDATE_PASSWORD) -> None:
    """Idempotent: an action already pending is not added twice."""
    if action not in pending(session, officer_id):
        session.add(RequiredAction(officer_id=officer_id, action=action))
        session.flush()


def pending(session: Session, officer_id: uuid.UUID) -> list[str]:
    return list(
        session.execute(
            select(RequiredAction.action)
            .where(RequiredAction.officer_id == officer_id)
            .order_by(RequiredAction.created_at)
        ).scalars()
    )


def complete(session: Session, officer_id: uuid.UUID, action: str = UPDATE_PASSWORD) -> None:
    session.execute(
        delete(RequiredAction).where(
            RequiredAction.officer_id == officer_id, RequiredAction.action == action
        )
    )
