"""Backfill: when a district turns a connector on, the cases it already has are sent too.

Cases are read in pages by keyset (`id > cursor`, in id order; one short transaction a
page, never all at once), and each case filed or decided becomes its events in order —
filed, then decided, then closed, as far as it got — published to that one connector (`routing.OneConnector`). The progress
(`GatewayBackfill`: the cursor, how many cases looked at and events published, of how
many) is committed with each page, so an interrupted run goes on where it stopped and
the console shows how far it is. Event ids are derived from the case and the event type,
and a case that already has a delivery row for the connector (published live since it was
turned on) is left alone: running it again sends nothing new.

The backfilled events' sequences end at the case's current version, so any later act on
the case (a higher version) is delivered after them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from yimen.gateway import contracts as c
from yimen.gateway.delivery import routing
from yimen.gateway.delivery.model import GatewayBackfill, GatewayDelivery, GatewaySubscription
from yimen.platform.cases.integration import _NAMESPACE, _common, _decision, _filing
from yimen.platform.cases.record.model import Case
from yimen.platform.cases.service import today
from yimen.platform.kernel.errors import Conflict, FieldProblem, Invalid
from yimen.platform.kernel.uow import UnitOfWork

RUNNING, DONE = "running", "done"


@dataclass(frozen=True)
class Backfill:
    connector: str
    page: int = 200  # cases per transaction


@dataclass(frozen=True)
class Progress:
    connector: str
    status: str
    total: int
    done: int
    published: int


def backfill(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    cmd: Backfill,
    on_page: Callable[[Progress], None] | None = None,
    max_pages: int | None = None,
) -> Progress:
    """Publish the district's existing cases to `cmd.connector`, page by page, from where
    the last run stopped (`max_pages`: stop after that many, as an interruption would)."""
    if not 1 <= cmd.page <= 5000:
        problem = FieldProblem("page", "每页 1 至 5000 件。", "Between 1 and 5000 a page.")
        raise Invalid("invalid-input", "输入有误。", "Invalid input.", [problem])
    with uow.for_tenant(tenant_id) as tx:
        _require_enabled(tx.session, cmd.connector)
        state = _state(tx.session, cmd.connector)
        if state.status == RUNNING and not state.cursor:
            state.total = _filed_count(tx.session)
        tx.commit()
        progress = _progress(state)
    pages = 0
    while progress.status == RUNNING and (max_pages is None or pages < max_pages):
        with uow.for_tenant(tenant_id) as tx:
            _require_enabled(tx.session, cmd.connector)
            state = _state(tx.session, cmd.connector)
            cases = _page(tx.session, state.cursor, cmd.page)
            if not cases:
                state.status = DONE
            else:
                state.published += _publish_page(tx.session, cases, cmd.connector)
                state.done += len(cases)
                state.cursor = str(cases[-1].id)
            tx.commit()
            progress = _progress(state)
            tx.session.expunge_all()  # bounded memory: nothing of the page is kept
        pages += 1
        if on_page is not None:
            on_page(progress)
    return progress


def _require_enabled(session: Session, connector: str) -> None:
    enabled = session.execute(
        select(GatewaySubscription.enabled).where(GatewaySubscription.connector == connector)
    ).scalar_one_or_none()
    if not enabled:
        raise Conflict(
            "connector-off",
            "本区未启用该对接系统，无法补发。",
            "The district has not turned this connector on: nothing to backfill to.",
        )


def _state(session: Session, connector: str) -> GatewayBackfill:
    state = session.execute(
        select(GatewayBackfill).where(GatewayBackfill.connector == connector)
    ).scalar_one_or_none()
    if state is None:
        state = GatewayBackfill(connector=connector, status=RUNNING, cursor="")
        session.add(state)
        session.flush()
    return state


def _progress(state: GatewayBackfill) -> Progress:
    return Progress(state.connector, state.status, state.total, state.done, state.published)


def _filed(query):  # type: ignore[no-untyped-def]
    """Cases the outside has heard of: filed, or decided on the spot (never filed)."""
    return query.where(or_(Case.filed_on.is_not(None), Case.decided_on.is_not(None)))


def _filed_count(session: Session) -> int:
    return int(session.execute(_filed(select(func.count()).select_from(Case))).scalar_one())


def _page(session: Session, cursor: str, size: int) -> list[Case]:
    query = _filed(select(Case)).options(selectinload(Case.decision)).order_by(Case.id).limit(size)
    if cursor:
        query = query.where(Case.id > uuid.UUID(cursor))
    return list(session.execute(query).scalars())


def _publish_page(session: Session, cases: list[Case], connector: str) -> int:
    keys = [f"case:{case.id}" for case in cases]
    already = set(
        session.execute(
            select(GatewayDelivery.aggregate_key)
            .where(GatewayDelivery.connector == connector, GatewayDelivery.aggregate_key.in_(keys))
            .distinct()
        ).scalars()
    )
    target = routing.OneConnector(session, connector)
    published = 0
    for case in cases:
        if f"case:{case.id}" in already:
            continue  # published live since the connector was turned on (or by a run before)
        for event in events_of(session, case):
            published += target.publish(event, first_of_aggregate=True)
    return published


def events_of(session: Session, case: Case) -> Iterator[c.IntegrationEvent]:
    """The events a case would have sent so far, in order, ending at its version."""
    kinds: list[type[c.IntegrationEvent]] = []
    if case.filed_on is not None:
        kinds.append(c.CaseFiled)
    if case.decision is not None and case.decision.number:
        kinds.append(c.PenaltyDecided)
    if case.closed_on is not None:
        kinds.append(c.CaseClosed)
    for position, kind in enumerate(kinds):
        common = _common(session, case, kind)
        # ends at the case's version; at least 1 (a case imported in bulk is at version 1
        # however far it got, and upstream data versions are positive)
        common["sequence"] = max(case.version, len(kinds)) - (len(kinds) - 1 - position)
        common["event_id"] = uuid.uuid5(_NAMESPACE, f"case:{case.id}:backfill:{kind.TYPE}")
        if kind is c.CaseFiled:
            yield c.CaseFiled(**common, **_filing(session, case))
        elif kind is c.PenaltyDecided:
            yield c.PenaltyDecided(**common, **_decision(case))
        else:
            outcome = ((case.details or {}).get("outcome") or {}).get("kind", "penalty")
            yield c.CaseClosed(**common, closed_on=case.closed_on or today(), outcome=str(outcome))
