"""Routing: an integration event fanned out, in the caller's transaction, into one
delivery row per connector the district has turned on for it.

A subscription takes an event when it is enabled, lists the event's type (or lists
none: every type its connector can take) and lists the event's agency (or none: all).
The connector an event came from (`origin`) never gets it back. The row's key is
`event_id:connector`; INSERT … ON CONFLICT DO NOTHING makes a retried use case add
nothing. A row behind a dead or held record of the same aggregate is born held.
"""

from __future__ import annotations

import uuid

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yimen.gateway.contracts import IntegrationEvent
from yimen.gateway.delivery.model import (
    DEAD,
    HELD,
    PENDING,
    GatewayConnector,
    GatewayDelivery,
    GatewaySubscription,
)
from yimen.platform.kernel.db.tenancy import TenantMismatch, current_tenant_id

NUDGE = "yimen_gateway_nudge"  # session.info flag: rows were added, run a batch after commit


def takes(sub: GatewaySubscription, offered: list, event: IntegrationEvent) -> bool:
    types = sub.event_types or offered
    return (
        sub.enabled
        and event.TYPE in types
        and event.TYPE in offered
        and (not sub.agency_codes or event.agency_code in sub.agency_codes)
        and sub.connector != event.origin
    )


def publish(session: Session, event: IntegrationEvent) -> list[str]:
    """Fan `event` out to the district's subscriptions; returns the connectors it went to
    (also when a retry found the rows already there)."""
    tenant = current_tenant_id()
    if tenant is None:
        raise TenantMismatch("an integration event published with no current tenant")
    rows = session.execute(
        select(GatewaySubscription, GatewayConnector.event_types).join(
            GatewayConnector, GatewayConnector.name == GatewaySubscription.connector
        )
    ).all()
    targets = [sub.connector for sub, offered in rows if takes(sub, offered, event)]
    for connector in targets:
        _insert(session, tenant, connector, event)
    if targets:
        session.info[NUDGE] = True
    return targets


def publish_to(session: Session, event: IntegrationEvent, connector: str) -> bool:
    """Hand `event` to one connector only (a backfill for a connector just turned on),
    when the district's subscription to it takes the event; whether it did."""
    tenant = current_tenant_id()
    if tenant is None:
        raise TenantMismatch("an integration event published with no current tenant")
    row = session.execute(
        select(GatewaySubscription, GatewayConnector.event_types)
        .join(GatewayConnector, GatewayConnector.name == GatewaySubscription.connector)
        .where(GatewaySubscription.connector == connector)
    ).first()
    if row is None or not takes(row[0], row[1], event):
        return False
    _insert(session, tenant, connector, event)
    session.info[NUDGE] = True
    return True


def _insert(session: Session, tenant: uuid.UUID, connector: str, event: IntegrationEvent) -> None:
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[session.get_bind().dialect.name]
    status = HELD if _behind_an_unsent_failure(session, connector, event) else PENDING
    session.execute(
        insert(GatewayDelivery)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant,
            key=f"{event.event_id}:{connector}",
            event_id=event.event_id,
            connector=connector,
            aggregate_key=event.aggregate_key,
            sequence=event.sequence,
            topic=event.TYPE,
            payload=event.payload(),
            status=status,
        )
        .on_conflict_do_nothing()
    )


def _behind_an_unsent_failure(session: Session, connector: str, event: IntegrationEvent) -> bool:
    older = GatewayDelivery
    return bool(
        session.execute(
            select(
                exists().where(
                    and_(
                        older.tenant_id == current_tenant_id(),
                        older.connector == connector,
                        older.aggregate_key == event.aggregate_key,
                        older.sequence <= event.sequence,
                        older.status.in_((DEAD, HELD)),
                    )
                )
            )
        ).scalar()
    )
