"""The built-in provider's adapter. Its state lives in our own database, in the
district's scope: the job that calls it runs under the district's tenant and commits
what it writes together with the job's status.

- A district gets its issuer's signing key and the console client (`/oidc/<slug>`).
- An agency needs nothing: the provider reads the directory for the `agency` claim.
- An officer's subject is their directory id, their roles and status are read from the
  directory when a token is issued, and a new officer must set their own password
  (`UPDATE_PASSWORD`, see required_actions). The password itself is not made here: a
  job has nobody to show it to. The administrator issues a one-time initial password
  with `POST /officers/<id>/initial-password`, which answers it once and stores a hash
  (`set_initial_password`).
- Sessions are refresh tokens in the provider's store; lockouts are its sign-in
  throttle (platform/idp/throttle.py). Both are written in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.tenants.identity import required_actions
from yimen.tenants.identity.ports import (
    AgencyRef,
    DistrictRef,
    IdentityProvisioner,
    LiftedLockout,
    OfficerRef,
)


def _scoped_session() -> Session:
    from yimen.platform.kernel.db import db

    return db.session


class BuiltinProvisioner(IdentityProvisioner):
    def __init__(self, public_url: str, session: Callable[[], Session] = _scoped_session) -> None:
        self.public_url = public_url.rstrip("/")
        self._session = session

    def issuer_for(self, slug: str) -> str:
        return f"{self.public_url}/oidc/{slug}"

    def district_created(self, session: Session, district: DistrictRef) -> None:
        """The issuer's first signing key and the console client, written in the
        transaction that creates the district: its officers can sign in at once."""
        from yimen.platform.idp.admin import ensure_console_client
        from yimen.platform.idp.keys import active_key

        active_key(session)
        ensure_console_client(session, self.public_url)

    def ensure_district(self, district: DistrictRef) -> None:
        from yimen.platform.idp.admin import ensure_console_client
        from yimen.platform.idp.keys import active_key

        session = self._session()
        active_key(session)
        ensure_console_client(session, self.public_url)

    def ensure_agency(self, district: DistrictRef, agency: AgencyRef) -> None:
        return None

    def ensure_officer(
        self, district: DistrictRef, officer: OfficerRef, roles: Collection[str]
    ) -> str:
        from yimen.platform.idp.model import Credential

        session = self._session()
        officer_id = uuid.UUID(officer.id)
        has_password = session.execute(
            select(Credential.id).where(Credential.officer_id == officer_id)
        ).first()
        if has_password is None:
            required_actions.require(session, officer_id)
        return officer.id

    def set_roles(self, district: DistrictRef, officer: OfficerRef, roles: Collection[str]) -> None:
        return None  # tokens carry the directory's roles as they are when issued

    def set_enabled(self, district: DistrictRef, officer: OfficerRef, enabled: bool) -> None:
        return None  # the sign-in form and the token validator read the directory's status

    def revoke_sessions(self, session: Session, district: DistrictRef, officer: OfficerRef) -> None:
        from yimen.platform.idp.admin import revoke_refresh_tokens

        revoke_refresh_tokens(session, uuid.UUID(officer.id))

    def unlock_sign_in(
        self, session: Session, district: DistrictRef, officer: OfficerRef
    ) -> LiftedLockout | None:
        from yimen.platform.idp import throttle

        lifted = throttle.unlock(session, officer.username)
        return None if lifted is None else LiftedLockout(lifted["failures"], lifted["locked_at"])

    def locked_user_names(
        self, session: Session, district: DistrictRef, usernames: Collection[str]
    ) -> set[str]:
        from yimen.platform.idp import throttle

        locked = throttle.locked_user_names(session)
        return {name for name in usernames if throttle.user_key(name) in locked}

    def set_initial_password(
        self, session: Session, district: DistrictRef, officer: OfficerRef, password: str
    ) -> None:
        from yimen.platform.idp.admin import set_password
        from yimen.platform.kernel.directory import Officer

        officer_id = uuid.UUID(officer.id)
        row = session.execute(select(Officer).where(Officer.id == officer_id)).scalar_one()
        set_password(session, row, password)  # stored hashed
        required_actions.require(session, officer_id)  # the first sign-in asks for their own
