"""The delivery engine: claims due rows district by district and sends them through
their connectors.

- **Claiming.** On PostgreSQL, `FOR UPDATE SKIP LOCKED` in random order, so workers
  never take the same row and one poison record is not always first; on SQLite (one
  writer) a plain select. A claimed row is leased (`next_attempt_at` = now + LEASE), its
  attempt counted and marked `in_doubt`, and committed before the call: a worker killed
  mid-call leaves a row that comes back when the lease ends, and is checked first.
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
    while districts and result.handled < limit:
        still = []
        for tenant_id in districts:
            blocked |= {c for c in rates if guard_mod.guards().closed_to(c)}
            take = min(per_district, limit - result.handled)
            if take <= 0:
                break
            tickets = claim(tenant_id, take, blocked)
            for ticket in tickets:
                outcome = deliver(tenant_id, ticket, rates.get(ticket.connector, ""))
                if outcome == "deferred":
                    blocked.add(ticket.connector)
                result.outcomes[outcome] += 1
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


def deliver(tenant_id: uuid.UUID, ticket: Ticket, rate: str = "") -> str:
    """Send one claimed row; returns sent, retry, dead, deferred (not sent, no attempt
    spent: the connector's breaker is open or its rate is used up) or paused (the
    district turned the connector off: the row waits, unspent, until it is on again)."""
    guards = guard_mod.guards()
    if guards.closed_to(ticket.connector) or not guards.allow(ticket.connector, rate):
        _release(tenant_id, ticket)
        return "deferred"
    outbound = _outbound(tenant_id, ticket)
    if outbound is None:
        _release(tenant_id, ticket, PAUSED_RETRY)
        return "paused"
    connector = _connectors.get(ticket.connector)
    try:
        if connector is None:
            raise ConnectorError("no such connector", retryable=False)
        receipt = None
        if ticket.was_in_doubt:
            receipt = connector.find(outbound)
        if not receipt:
            receipt = connector.deliver(outbound)
    except Exception as exc:  # noqa: BLE001 - every failure advances the row
        if connector is not None:
            guards.report(ticket.connector, exc)
        return _failed(tenant_id, ticket, exc)
    guards.report(ticket.connector, None)
    return _sent(tenant_id, ticket, str(receipt))


def _outbound(tenant_id: uuid.UUID, ticket: Ticket) -> Outbound | None:
    """The message with the subscription's endpoint and credentials (opened for this
    call only); None while the district has the connector turned off."""
    with tenant_scope(tenant_id), db.new_session() as s:
        sub = s.execute(
            select(GatewaySubscription).where(
                GatewaySubscription.tenant_id == tenant_id,
                GatewaySubscription.connector == ticket.connector,
            )
        ).scalar_one_or_none()
        if sub is None or not sub.enabled:
            return None
        default = s.get(GatewayConnector, ticket.connector)
        endpoint = sub.endpoint or (default.default_endpoint if default else "")
        token = sub.credentials
    return Outbound(
        connector=ticket.connector,
        topic=ticket.topic,
        payload=ticket.payload,
        idempotency_key=ticket.key,
        reference=str(ticket.event_id),
        endpoint=endpoint,
        credentials=secrets.keyring().open(token),
    )


def _sent(tenant_id: uuid.UUID, ticket: Ticket, receipt: str) -> str:
    with tenant_scope(tenant_id), db.new_session() as s:
        row = s.get(GatewayDelivery, ticket.id)
        if row is None:
            return SENT
        row.status, row.upstream_ref, row.sent_at = SENT, receipt[:120], utcnow()
        row.in_doubt, row.last_error = False, ""
        s.commit()
    return SENT


def describe(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: {exc}"
    return mask_pii(text)[:300]


def _failed(tenant_id: uuid.UUID, ticket: Ticket, exc: Exception) -> str:
    retryable = exc.retryable if isinstance(exc, ConnectorError) else True
    with tenant_scope(tenant_id), db.new_session() as s:
        row = s.get(GatewayDelivery, ticket.id)
        if row is None:
            return DEAD
        row.last_error = describe(exc)
        # the upstream may have applied it: an ambiguous failure, a connector's own bug
        # after the request went out, or an earlier doubt this attempt did not settle
        # (the question itself failed); a plain ConnectorError is a known "not taken"
        row.in_doubt = (
            ticket.was_in_doubt
            or isinstance(exc, AmbiguousDelivery)
            or not isinstance(exc, ConnectorError)
        )
        if retryable and row.attempts < MAX_ATTEMPTS:
            row.status, row.next_attempt_at = PENDING, utcnow() + backoff(row.attempts)
            outcome = "retry"
        else:
            row.status, outcome = DEAD, DEAD
            s.flush()
            hold_behind_failures(s, tenant_id)
        s.commit()
    return outcome


def _release(
    tenant_id: uuid.UUID, ticket: Ticket, after: dt.timedelta = dt.timedelta(seconds=1)
) -> None:
    """Give a claimed row back untouched (its attempt not spent), due again `after`."""
    with tenant_scope(tenant_id), db.new_session() as s:
        row = s.get(GatewayDelivery, ticket.id)
        if row is not None:
            row.attempts = max(row.attempts - 1, 0)
            row.in_doubt = ticket.was_in_doubt
            row.next_attempt_at = utcnow() + after
            s.commit()
