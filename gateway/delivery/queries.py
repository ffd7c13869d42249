"""What the district administrator reads: subscriptions (never their credentials),
deliveries by status, dead letters with their error and payload (personal data masked),
and each connector's health."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yimen.gateway.delivery import guards
from yimen.gateway.delivery.model import (
    DEAD,
    HELD,
    PENDING,
    SENT,
    SKIPPED,
    GatewayConnector,
    GatewayDelivery,
    GatewaySubscription,
)
from yimen.platform.kernel.db import db, tenant_scope, utcnow
from yimen.platform.kernel.logs import mask_pii


def subscriptions(session: Session) -> list[dict[str, Any]]:
    """Every connector the region offers, with the district's subscription to it."""
    subs = {s.connector: s for s in session.execute(select(GatewaySubscription)).scalars()}
    rows = []
    for c in session.execute(select(GatewayConnector).order_by(GatewayConnector.name)).scalars():
        sub = subs.get(c.name)
        rows.append(
            {
                "connector": c.name,
                "kind": c.kind,
                "label": {"zh": c.label_zh, "en": c.label_en},
                "offered_event_types": list(c.event_types),
                "default_endpoint": c.default_endpoint,
                "enabled": bool(sub and sub.enabled),
                "event_types": list(sub.event_types) if sub else [],
                "agency_codes": list(sub.agency_codes) if sub else [],
                "endpoint": sub.endpoint if sub else "",
                "has_credentials": bool(sub and sub.credentials),
                "settings": dict(sub.settings) if sub else {},
                "updated_by": sub.updated_by if sub else "",
                "updated_at": sub.updated_at if sub else None,
            }
        )
    return rows


def deliveries(status: str = "", connector: str = "", aggregate_key: str = ""):
    """A select of the district's deliveries, newest first (the view pages it)."""
    query = select(GatewayDelivery).order_by(GatewayDelivery.created_at.desc(), GatewayDelivery.id)
    if status:
        query = query.where(GatewayDelivery.status == status)
    if connector:
        query = query.where(GatewayDelivery.connector == connector)
    if aggregate_key:
        query = query.where(GatewayDelivery.aggregate_key == aggregate_key)
    return query


def shown(row: GatewayDelivery, with_payload: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "connector": row.connector,
        "topic": row.topic,
        "aggregate_key": row.aggregate_key,
        "sequence": row.sequence,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "last_error": mask_pii(row.last_error),
        "upstream_ref": row.upstream_ref,
        "decided_by": row.decided_by,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
    }
    if with_payload:
        data["payload"] = masked(row.payload)
    return data


def masked(value: Any, kind: str = "") -> Any:
    """The payload with ID numbers, phone numbers and persons' names masked."""
    if isinstance(value, dict):
        person = value.get("kind") == "person"
        return {k: _masked_field(k, v, person) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, str):
        return mask_pii(value)
    return value


def _masked_field(key: str, value: Any, person: bool) -> Any:
    if isinstance(value, str) and value:
        if key in ("id_number", "phone", "mobile", "reporter_phone"):
            return value[:3] + "*" * max(len(value) - 5, 1) + value[-2:]
        if person and key == "name" or key in ("reporter", "complainant", "reporter_name"):
            return value[0] + "*" * (len(value) - 1)
    return masked(value)


# what each record's state is called where people read it (never the raw code)
STATUS_LABELS = {
    SENT: ("已送达", "Sent"),
    PENDING: ("待发送", "Pending"),
    HELD: ("等待前一条记录", "Held behind an earlier record"),
    DEAD: ("发送失败", "Failed"),
    SKIPPED: ("已跳过", "Skipped"),
}
BREAKER_LABELS = {
    "closed": ("正常", "Closed"),
    "open": ("已熔断 (暂停发送)", "Open (sending paused)"),
    "half-open": ("试探恢复中", "Half-open (trying again)"),
}
# the order in which a connector's overall state for one case is told: the worst first
WORST_FIRST = (DEAD, HELD, PENDING, SENT, SKIPPED)
FAILURE_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class SyncState:
    """One connector's records of one case or clue, as its page shows them."""

    connector: str
    label_zh: str
    label_en: str
    state: str  # the worst of its records' statuses (WORST_FIRST); "" when none yet
    counts: dict[str, int]
    upstream_ref: str  # the upstream's reference of the latest sent record
    last_error: str  # of the failed record, masked


def sync_of(session: Session, aggregate_key: str) -> list[SyncState]:
    """Per connector the district subscribes to (or that holds records of it), the state
    of the aggregate's records and the upstream's reference."""
    labels = {c.name: c for c in session.execute(select(GatewayConnector)).scalars()}
    subscribed = {
        name
        for (name,) in session.execute(
            select(GatewaySubscription.connector).where(GatewaySubscription.enabled.is_(True))
        ).all()
    }
    rows = (
        session.execute(
            select(GatewayDelivery)
            .where(GatewayDelivery.aggregate_key == aggregate_key)
            .order_by(GatewayDelivery.sequence)
        )
        .scalars()
        .all()
    )
    by_connector: dict[str, list[GatewayDelivery]] = {name: [] for name in sorted(subscribed)}
    for row in rows:
        by_connector.setdefault(row.connector, []).append(row)
    result = []
    for name, mine in sorted(by_connector.items()):
        counts = {s: sum(1 for r in mine if r.status == s) for s in WORST_FIRST}
        state = next((s for s in WORST_FIRST if counts[s]), "")
        sent = [r for r in mine if r.status == SENT and r.upstream_ref]
        failed = next((r for r in mine if r.status == DEAD), None)
        connector = labels.get(name)
        result.append(
            SyncState(
                name,
                connector.label_zh if connector else name,
                connector.label_en if connector else name,
                state,
                {s: n for s, n in counts.items() if n},
                sent[-1].upstream_ref if sent else "",
                mask_pii(failed.last_error) if failed else "",
            )
        )
    return result


@dataclass(frozen=True)
class ConnectorHealth:
    connector: str
    breaker: str
    consecutive_failures: int
    pending: int
    held: int
    dead: int
    oldest_unsent_seconds: float | None
    failure_rate: float | None = None  # dead / (sent + dead) of the last 24 hours' records
    sent: int = 0  # every record sent, ever
    label_zh: str = ""
    label_en: str = ""


def health(session: Session) -> list[ConnectorHealth]:
    counts: dict[tuple[str, str], int] = {
        (c, s): n
        for c, s, n in session.execute(
            select(GatewayDelivery.connector, GatewayDelivery.status, func.count()).group_by(
                GatewayDelivery.connector, GatewayDelivery.status
            )
        ).all()
    }
    since = utcnow() - FAILURE_WINDOW
    recent: dict[tuple[str, str], int] = {
        (c, s): n
        for c, s, n in session.execute(
            select(GatewayDelivery.connector, GatewayDelivery.status, func.count())
            .where(GatewayDelivery.status.in_((SENT, DEAD)), GatewayDelivery.created_at >= since)
            .group_by(GatewayDelivery.connector, GatewayDelivery.status)
        ).all()
    }
    oldest = dict(
        session.execute(
            select(GatewayDelivery.connector, func.min(GatewayDelivery.created_at))
            .where(GatewayDelivery.status.in_((PENDING, HELD, DEAD)))
            .group_by(GatewayDelivery.connector)
        ).all()
    )
    now = utcnow()
    connectors = session.execute(select(GatewayConnector).order_by(GatewayConnector.name))
    result = []
    for connector in connectors.scalars():
        name = connector.name
        state = guards.guards().state_of(name)
        finished = recent.get((name, SENT), 0) + recent.get((name, DEAD), 0)
        first = oldest.get(name)
        if first is not None and first.tzinfo is None:
            first = first.replace(tzinfo=dt.UTC)
        result.append(
            ConnectorHealth(
                name,
                state.state,
                state.failures,
                counts.get((name, PENDING), 0),
                counts.get((name, HELD), 0),
                counts.get((name, DEAD), 0),
                (now - first).total_seconds() if first else None,
                recent.get((name, DEAD), 0) / finished if finished else None,
                counts.get((name, SENT), 0),
                connector.label_zh,
                connector.label_en,
            )
        )
    return result


@dataclass(frozen=True)
class DistrictHealth:
    tenant_id: Any
    slug: str
    name: str
    connectors: list[ConnectorHealth]


def region_health() -> list[DistrictHealth]:
    """Every district's connector health (the platform operator's view and /metrics):
    each read in its own district's scope, as the rows are the district's."""
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        districts = s.execute(
            select(Tenant.id, Tenant.slug, Tenant.name).order_by(Tenant.slug)
        ).all()
    result = []
    for tenant_id, slug, name in districts:
        with tenant_scope(tenant_id), db.new_session() as s:
            result.append(DistrictHealth(tenant_id, slug, name, health(s)))
    return result
