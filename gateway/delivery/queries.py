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
    GatewayConnector,
    GatewayDelivery,
    GatewaySubscription,
)
from yimen.platform.kernel.db import utcnow
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


@dataclass(frozen=True)
class ConnectorHealth:
    connector: str
    breaker: str
    consecutive_failures: int
    pending: int
    held: int
    dead: int
    oldest_unsent_seconds: float | None


def health(session: Session) -> list[ConnectorHealth]:
    counts: dict[tuple[str, str], int] = {
        (c, s): n
        for c, s, n in session.execute(
            select(GatewayDelivery.connector, GatewayDelivery.status, func.count())
            .where(GatewayDelivery.status.in_((PENDING, HELD, DEAD)))
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
    names = session.execute(select(GatewayConnector.name).order_by(GatewayConnector.name))
    result = []
    for name in names.scalars():
        state = guards.guards().state_of(name)
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
            )
        )
    return result
