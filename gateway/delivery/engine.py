"""The delivery engine: claims due rows district by district and sends them through
their connectors.

- **Claiming.** On PostgreSQL, `FOR UPDATE SKIP LOCKED` in random order, so workers
  never take the same row and one poison record is not always first; on SQLite (one
  writer) a plain select. A claimed row is leased (`next_attempt_at` = now + LEASE), its
  attempt counted and marked `in_doubt`, and committed before the call; the outcomes of
  a district's slice are written together after the calls (`record`). A worker killed
  in between leaves rows that come back when the lease ends, and are checked first.
- **Order.** A row is not claimed while an older row (lower `sequence`) of the same
  aggregate and connector is unsent; a dead older row holds the later ones (`held`)
  until a person re-drives or skips it (service.py).
- **Exactly-once effect.** After an ambiguous failure (or a lease that ran out) the
  engine asks `connector.find` before sending again.
- **Every exception advances the row**: retried with backoff and jitter, or dead after
  MAX_ATTEMPTS or a refusal, with the last error (personal data masked) and the payload.
- **Fairness.** Rounds of at most `per_district` rows per district, so one district's
  backlog never starves another's live rows.
- **Breakers and rate limits** per connector (guards.py): an open breaker's or an
  exhausted limit's rows are not claimed, and spend no attempt.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from yimen.gateway.delivery import guards as guard_mod
from yimen.gateway.delivery import secrets
from yimen.gateway.delivery.model import (
    DEAD,
    HELD,
    PENDING,
    SENT,
    UNSENT,
    GatewayConnector,
    GatewayDelivery,
    GatewaySubscription,
)
from yimen.gateway.ports import AmbiguousDelivery, Connector, ConnectorError, Outbound
from yimen.platform.kernel.db import db, tenant_scope, utcnow
from yimen.platform.kernel.logs import mask_pii

MAX_ATTEMPTS = 10
BASE_BACKOFF = dt.timedelta(seconds=2)
MAX_BACKOFF = dt.timedelta(hours=1)
LEASE = dt.timedelta(minutes=2)  # longer than any connector's timeout
PAUSED_RETRY = dt.timedelta(minutes=5)  # a turned-off subscription's rows look again
_connectors: dict[str, Connector] = {}


def register(connector: Connector) -> None:
    _connectors[connector.name] = connector


def unregister(name: str) -> None:
    _connectors.pop(name, None)


def connector_named(name: str) -> Connector | None:
    return _connectors.get(name)


def can_reconcile(name: str) -> bool:
    """Whether the connector's upstream can be asked what it holds (`Connector.since`)."""
    connector = _connectors.get(name)
    return connector is not None and type(connector).since is not Connector.since


def backoff(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """Exponential, with jitter (half to one and a half of the step), capped."""
    step = BASE_BACKOFF * (2 ** min(max(attempts - 1, 0), 16))
    return min(step * (rng or random).uniform(0.5, 1.5), MAX_BACKOFF)


@dataclass(frozen=True)
class Ticket:
    """A claimed row, as the call needs it (the session that claimed it is closed)."""

    id: uuid.UUID
    connector: str
    topic: str
    payload: dict
    key: str
    event_id: uuid.UUID
    was_in_doubt: bool


@dataclass
class BatchResult:
    outcomes: Counter = field(default_factory=Counter)  # sent, retry, dead, deferred
    by_district: Counter = field(default_factory=Counter)

    @property
    def handled(self) -> int:
        return sum(self.by_district.values())


def run_batch(
    limit: int = 200, per_district: int = 10, only: list[uuid.UUID] | None = None
) -> BatchResult:
    """Deliver up to `limit` due rows, `per_district` per district per round (of every
    district, or `only` those named)."""
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        districts = list(only or s.execute(select(Tenant.id)).scalars())
        rates = dict(s.execute(select(GatewayConnector.name, GatewayConnector.rate_limit)).all())
    random.shuffle(districts)  # no district is always first
    result, blocked = BatchResult(), set()
    targets: dict[tuple[uuid.UUID, str], Target | None] = {}  # read once per batch
    while districts and result.handled < limit:
        still = []
        for tenant_id in districts:
            blocked |= {c for c in rates if guard_mod.guards().closed_to(c)}
            take = min(per_district, limit - result.handled)
            if take <= 0:
                break
            tickets = claim(tenant_id, take, blocked)
            outcomes = []
            for ticket in tickets:
                where = (tenant_id, ticket.connector)
                if where not in targets:
                    targets[where] = target_of(tenant_id, ticket.connector)
                outcome = attempt(ticket, targets[where], rates.get(ticket.connector, ""))
                if outcome.kind == DEFERRED:
                    blocked.add(ticket.connector)
                outcomes.append(outcome)
            for name in record(tenant_id, outcomes):  # one commit for the district's slice
                result.outcomes[name] += 1
                result.by_district[tenant_id] += 1
            if len(tickets) == take:
                still.append(tenant_id)
        districts = still
    return result


def claim(tenant_id: uuid.UUID, limit: int, blocked: set[str] = frozenset()) -> list[Ticket]:  # type: ignore[assignment]
    """Lease up to `limit` due rows of one district, in order per aggregate."""
    now = utcnow()
    with tenant_scope(tenant_id), db.new_session() as s:
        hold_behind_failures(s, tenant_id)
        row, older = GatewayDelivery, aliased(GatewayDelivery)
        query = select(row).where(
            row.tenant_id == tenant_id,
            row.status == PENDING,
            row.next_attempt_at <= now,
            ~exists().where(
                and_(
                    older.tenant_id == row.tenant_id,
                    older.connector == row.connector,
                    older.aggregate_key == row.aggregate_key,
                    older.sequence < row.sequence,
                    older.status.in_(UNSENT),
                )
            ),
        )
        if blocked:
            query = query.where(row.connector.not_in(blocked))
        if s.get_bind().dialect.name == "postgresql":
            query = query.order_by(func.random()).with_for_update(skip_locked=True, of=row)
        else:
            query = query.order_by(row.next_attempt_at)
        rows = s.execute(query.limit(limit)).scalars().all()
        tickets = []
        for r in rows:
            tickets.append(
                Ticket(r.id, r.connector, r.topic, r.payload, r.key, r.event_id, r.in_doubt)
            )
            r.in_doubt, r.attempts, r.next_attempt_at = True, r.attempts + 1, now + LEASE
        s.commit()
        return tickets


def hold_behind_failures(session: Session, tenant_id: uuid.UUID) -> int:
    """Pending rows behind a dead or held row of their aggregate become held (a row
    published in the same moment as its predecessor died)."""
    row, older = GatewayDelivery, aliased(GatewayDelivery)
    blocked = exists().where(
        and_(
            older.tenant_id == row.tenant_id,
            older.connector == row.connector,
            older.aggregate_key == row.aggregate_key,
            older.sequence < row.sequence,
            older.status.in_((DEAD, HELD)),
        )
    )
    done = session.execute(
        update(row)
        .where(row.tenant_id == tenant_id, row.status == PENDING, blocked)
        .values(status=HELD)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount or 0  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to, before it is written (`record`)."""

    ticket: Ticket
    kind: str  # SENT, FAILED, DEFERRED or PAUSED
    receipt: str = ""
    failure: Exception | None = None


FAILED, DEFERRED, PAUSED = "failed", "deferred", "paused"


def attempt(ticket: Ticket, target: Target | None, rate: str = "") -> Outcome:
    """Send one claimed row, writing nothing: deferred (not sent, no attempt spent: the
    connector's breaker is open or its rate is used up), paused (the district turned
    the connector off: the row waits, unspent, until it is on again), sent or failed."""
    guards = guard_mod.guards()
    if guards.closed_to(ticket.connector) or not guards.allow(ticket.connector, rate):
        return Outcome(ticket, DEFERRED)
    if target is None:
        return Outcome(ticket, PAUSED)
    connector = _connectors.get(ticket.connector)
    try:
        if connector is None:
            raise ConnectorError("no such connector", retryable=False)
        outbound = target.outbound(ticket)
        receipt = None
        if ticket.was_in_doubt:
            receipt = connector.find(outbound)
        if not receipt:
            receipt = connector.deliver(outbound)
    except Exception as exc:  # noqa: BLE001 - every failure advances the row
        if connector is not None:
            guards.report(ticket.connector, exc)
        return Outcome(ticket, FAILED, failure=exc)
    guards.report(ticket.connector, None)
    return Outcome(ticket, SENT, receipt=str(receipt))


def deliver(tenant_id: uuid.UUID, ticket: Ticket, target: Target | None, rate: str = "") -> str:
    """Attempt one claimed row and write what came of it."""
    return record(tenant_id, [attempt(ticket, target, rate)])[0]


def record(tenant_id: uuid.UUID, outcomes: list[Outcome]) -> list[str]:
    """Write the outcomes of one district's attempts in one transaction; returns sent,
    retry, dead, deferred or paused for each. Should the worker die before this
    commits, the rows are still in doubt and their lease runs out: the upstream is
    asked before anything is sent again."""
    if not outcomes:
        return []
    names = []
    with tenant_scope(tenant_id), db.new_session() as s:
        rows = {
            r.id: r
            for r in s.execute(
                select(GatewayDelivery).where(
                    GatewayDelivery.id.in_([o.ticket.id for o in outcomes])
                )
            ).scalars()
        }
        for outcome in outcomes:
            row = rows.get(outcome.ticket.id)
            names.append(_apply(row, outcome) if row is not None else outcome.kind)
        if DEAD in names:
            s.flush()
            hold_behind_failures(s, tenant_id)
        s.commit()
    return names


def _apply(row: GatewayDelivery, outcome: Outcome) -> str:
    ticket = outcome.ticket
    if outcome.kind == SENT:
        row.status, row.upstream_ref, row.sent_at = SENT, outcome.receipt[:120], utcnow()
        row.in_doubt, row.last_error = False, ""
        return SENT
    if outcome.kind in (DEFERRED, PAUSED):  # given back untouched, its attempt unspent
        row.attempts = max(row.attempts - 1, 0)
        row.in_doubt = ticket.was_in_doubt
        later = PAUSED_RETRY if outcome.kind == PAUSED else dt.timedelta(seconds=1)
        row.next_attempt_at = utcnow() + later
        return outcome.kind
    exc = outcome.failure
    assert exc is not None
    row.last_error = describe(exc)
    # the upstream may have applied it: an ambiguous failure, a connector's own bug
    # after the request went out, or an earlier doubt this attempt did not settle
    # (the question itself failed); a plain ConnectorError is a known "not taken"
    row.in_doubt = (
        ticket.was_in_doubt
        or isinstance(exc, AmbiguousDelivery)
        or not isinstance(exc, ConnectorError)
    )
    retryable = exc.retryable if isinstance(exc, ConnectorError) else True
    if retryable and row.attempts < MAX_ATTEMPTS:
        row.status, row.next_attempt_at = PENDING, utcnow() + backoff(row.attempts)
        return "retry"
    row.status = DEAD
    return DEAD


@dataclass(frozen=True)
class Target:
    """Where a district's subscription sends, with its credentials sealed (opened for
    each call only)."""

    endpoint: str
    sealed: str

    def opened(self) -> dict[str, str]:
        return dict(secrets.keyring().open(self.sealed))

    def outbound(self, ticket: Ticket) -> Outbound:
        return Outbound(
            connector=ticket.connector,
            topic=ticket.topic,
            payload=ticket.payload,
            idempotency_key=ticket.key,
            # our id of the record (the case or clue) — what the upstream keeps as its
            # external reference (ports.Outbound); the event id travels in the payload
            reference=str(ticket.payload.get("aggregate_id", "")),
            endpoint=self.endpoint,
            credentials=secrets.keyring().open(self.sealed),
        )


def target_of(tenant_id: uuid.UUID, connector: str) -> Target | None:
    """None while the district has the connector turned off."""
    with tenant_scope(tenant_id), db.new_session() as s:
        sub = s.execute(
            select(GatewaySubscription).where(
                GatewaySubscription.tenant_id == tenant_id,
                GatewaySubscription.connector == connector,
            )
        ).scalar_one_or_none()
        if sub is None or not sub.enabled:
            return None
        default = s.get(GatewayConnector, connector)
        endpoint = sub.endpoint or (default.default_endpoint if default else "")
        return Target(endpoint, sub.credentials)


def describe(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: {exc}"
    return mask_pii(text)[:300]
