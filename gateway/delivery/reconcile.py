"""Reconciliation: for one connector, one district and one day (UTC), what we delivered
against what the upstream says it holds (its "since" answer, `Connector.since`).

Both sides are counted and hashed (SHA-256 over the sorted keys: equal hashes, same
records). The drift is stored (`GatewayReconciliation`, one per connector and day; a
later run replaces it) and shown to the district administrator:

- **missing upstream** — a row we marked sent whose key the upstream does not hold (it
  lost it: a restore from an old backup, a reply it sent before it failed to commit).
  The row goes back to pending, in doubt, so the engine asks the upstream before sending
  again (`Connector.find`) and sends it in order with its case's other rows: re-sending
  is idempotent, and a second reconciliation finds nothing more to re-send.
- **extra upstream** — a key the upstream holds from us that no delivery of ours
  carried: reported, never deleted (a person looks).
- **differing** — same key, another data version than the one we sent: reported.

The nightly actor (`reconcile_nightly`, ticked hourly) reconciles yesterday for every
district and enabled connector whose upstream can be asked and that has no report for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import dramatiq
from sqlalchemy import or_, select

from yimen.gateway.contracts import EVENT_TYPES
from yimen.gateway.delivery import engine
from yimen.gateway.delivery.model import (
    PENDING,
    SENT,
    GatewayDelivery,
    GatewayReconciliation,
    GatewaySubscription,
)
from yimen.gateway.delivery.routing import NUDGE
from yimen.gateway.ports import ConnectorError, Held, SinceQuery
from yimen.platform.kernel.db import db, tenant_scope, utcnow
from yimen.platform.kernel.errors import Conflict, NotFound
from yimen.platform.kernel.logs import mask_pii
from yimen.platform.kernel.uow import UnitOfWork

MARGIN = dt.timedelta(hours=1)  # ask from a little before the day: clocks differ
KEY_PAGE = 500  # keys looked up per query
LISTED = 200  # keys kept in a report's lists (the counts say how many in all)


@dataclass(frozen=True)
class Reconcile:
    connector: str
    day: dt.date


@dataclass(frozen=True)
class Report:
    connector: str
    day: dt.date
    sent_count: int
    upstream_count: int
    sent_hash: str
    upstream_hash: str
    missing: list[str]
    extra: list[str]
    differing: list[dict]
    resent: int
    error: str = ""

    @property
    def in_step(self) -> bool:
        return not (self.missing or self.extra or self.differing or self.error)


def _digest(keys: Iterable[str]) -> str:
    sha = hashlib.sha256()
    for key in sorted(keys):
        sha.update(key.encode() + b"\n")
    return sha.hexdigest()


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def reconcile(uow: UnitOfWork, tenant_id: uuid.UUID, cmd: Reconcile) -> Report:
    """Compare, store the drift, re-send what the upstream lacks; returns the report."""
    from yimen.platform.kernel.directory import Tenant

    connector = engine.connector_named(cmd.connector)
    if connector is None:
        raise NotFound("no-such-connector", "没有这个对接系统。", "No such connector.")
    with uow.for_tenant(tenant_id) as tx:
        sub = tx.session.execute(
            select(GatewaySubscription).where(GatewaySubscription.connector == cmd.connector)
        ).scalar_one_or_none()
        if sub is None or not sub.enabled:
            raise Conflict(
                "connector-off", "本区未启用该对接系统。", "The district has not turned it on."
            )
        district_code = tx.session.get(Tenant, tenant_id).division_code  # type: ignore[union-attr]
    target = engine.target_of(tenant_id, cmd.connector)
    assert target is not None
    start, end = _bounds(cmd.day)
    query = SinceQuery(
        since=start - MARGIN,
        district_code=district_code,
        endpoint=target.endpoint,
        credentials=target.opened(),
    )
    upstream: dict[str, Held] = {}
    error = ""
    try:
        for held in connector.since(query):  # one district's records since the day began
            upstream[held.key] = held
    except (ConnectorError, NotImplementedError) as exc:
        error = mask_pii(str(exc))[:300]
    with uow.for_tenant(tenant_id) as tx:
        if error:
            report = Report(cmd.connector, cmd.day, 0, 0, "", "", [], [], [], 0, error)
            _store(tx.session, report)
            tx.commit()
            return report
        ours = tx.session.execute(
            select(GatewayDelivery)
            .where(
                GatewayDelivery.connector == cmd.connector,
                GatewayDelivery.status == SENT,
                GatewayDelivery.sent_at >= start,
                GatewayDelivery.sent_at < end,
            )
            .order_by(GatewayDelivery.aggregate_key, GatewayDelivery.sequence)
        ).scalars()
        sent_keys: set[str] = set()
        missing: list[str] = []
        differing: list[dict] = []
        for row in ours:
            key = connector.held_key(row.payload)
            sent_keys.add(key)
            held = upstream.get(key)
            if held is None:
                missing.append(key)
                row.status, row.in_doubt, row.attempts = PENDING, True, 0
                row.next_attempt_at, row.decided_by = utcnow(), "reconciliation"
                row.last_error = "对方平台缺少此记录，重新发送 / missing upstream, re-sent"
            elif held.version is not None and held.version != row.sequence:
                differing.append({"key": key, "sent": row.sequence, "upstream": held.version})
        in_day = {
            k
            for k, h in upstream.items()
            if k in sent_keys or h.at is None or start <= _aware(h.at) < end  # type: ignore[operator]
        }
        elsewhere = _ours_elsewhere(tx.session, cmd.connector, in_day - sent_keys)
        extra = sorted(in_day - sent_keys - elsewhere)
        upstream_keys = in_day - (in_day - sent_keys - set(extra))  # ours of other days out
        report = Report(
            connector=cmd.connector,
            day=cmd.day,
            sent_count=len(sent_keys),
            upstream_count=len(upstream_keys),
            sent_hash=_digest(sent_keys),
            upstream_hash=_digest(upstream_keys),
            missing=missing,
            extra=extra,
            differing=differing,
            resent=len(missing),
        )
        _store(tx.session, report)
        if missing:
            tx.session.info[NUDGE] = True
        tx.commit()
        return report


def _ours_elsewhere(session, connector: str, keys: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """Those of `keys` a delivery of ours carried (on another day, or not yet marked sent):
    an event's id, or an aggregate's (a record the upstream keeps by our case id)."""
    ids = []
    for key in keys:
        try:
            ids.append(uuid.UUID(key))
        except ValueError:
            continue  # not a key we make
    aggregates = {cls.AGGREGATE for cls in EVENT_TYPES.values()}
    found: set[str] = set()
    for i in range(0, len(ids), KEY_PAGE):
        page = ids[i : i + KEY_PAGE]
        named = [f"{a}:{k}" for a in aggregates for k in page]
        for event_id, aggregate_key in session.execute(
            select(GatewayDelivery.event_id, GatewayDelivery.aggregate_key).where(
                GatewayDelivery.connector == connector,
                or_(
                    GatewayDelivery.event_id.in_(page),
                    GatewayDelivery.aggregate_key.in_(named),
                ),
            )
        ):
            found |= {str(event_id), aggregate_key.split(":", 1)[1]}
    return found


def _store(session, report: Report) -> None:  # type: ignore[no-untyped-def]
    row = session.execute(
        select(GatewayReconciliation).where(
            GatewayReconciliation.connector == report.connector,
            GatewayReconciliation.day == report.day,
        )
    ).scalar_one_or_none()
    if row is None:
        row = GatewayReconciliation(connector=report.connector, day=report.day)
        session.add(row)
    row.sent_count, row.upstream_count = report.sent_count, report.upstream_count
    row.sent_hash, row.upstream_hash = report.sent_hash, report.upstream_hash
    row.missing, row.extra = report.missing[:LISTED], report.extra[:LISTED]
    row.differing, row.resent, row.error = report.differing[:LISTED], report.resent, report.error
    row.checked_at = utcnow()


def due(today: dt.date) -> list[tuple[uuid.UUID, str]]:
    """(district, connector) pairs whose yesterday has no report yet."""
    from yimen.platform.kernel.directory import Tenant

    yesterday = today - dt.timedelta(days=1)
    pairs = []
    with db.new_session() as s:
        tenants = list(s.execute(select(Tenant.id)).scalars())
    for tenant_id in tenants:
        with tenant_scope(tenant_id), db.new_session() as s:
            enabled = s.execute(
                select(GatewaySubscription.connector).where(
                    GatewaySubscription.tenant_id == tenant_id, GatewaySubscription.enabled
                )
            ).scalars()
            done = set(
                s.execute(
                    select(GatewayReconciliation.connector).where(
                        GatewayReconciliation.tenant_id == tenant_id,
                        GatewayReconciliation.day == yesterday,
                    )
                ).scalars()
            )
            pairs += [
                (tenant_id, name)
                for name in enabled
                if name not in done and engine.can_reconcile(name)
            ]
    return pairs


@dramatiq.actor(queue_name="yimen.gateway", max_retries=0, time_limit=3_600_000)
def reconcile_nightly() -> None:
    """Reconcile yesterday (UTC) wherever it is not done yet (ticked hourly)."""
    from yimen.platform.kernel.uow import uow

    yesterday = utcnow().date() - dt.timedelta(days=1)
    for tenant_id, name in due(utcnow().date()):
        try:
            reconcile(uow, tenant_id, Reconcile(name, yesterday))
        except (Conflict, NotFound):
            continue  # turned off or unregistered since it was listed
