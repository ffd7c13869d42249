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


class OneConnector:
    """Publishing to one connector only (a backfill for a connector just turned on): the
    district's subscription read once, then each event handed to it when it takes it."""

    def __init__(self, session: Session, connector: str) -> None:
        tenant = current_tenant_id()
        if tenant is None:
            raise TenantMismatch("an integration event published with no current tenant")
        self.session, self.tenant, self.connector = session, tenant, connector
        self.row = session.execute(
            select(GatewaySubscription, GatewayConnector.event_types)
            .join(GatewayConnector, GatewayConnector.name == GatewaySubscription.connector)
            .where(GatewaySubscription.connector == connector)
        ).first()

    def publish(self, event: IntegrationEvent, first_of_aggregate: bool = False) -> bool:
        """Whether the subscription took `event`. `first_of_aggregate`: the caller knows
        no row of this aggregate exists for the connector (nothing can hold it)."""
        if self.row is None or not takes(self.row[0], self.row[1], event):
            return False
        status = PENDING if first_of_aggregate else None
        _insert(self.session, self.tenant, self.connector, event, status)
        self.session.info[NUDGE] = True
        return True


def _insert(
    session: Session,
    tenant: uuid.UUID,
    connector: str,
    event: IntegrationEvent,
    status: str | None = None,
) -> None:
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[session.get_bind().dialect.name]
    if status is None:
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
