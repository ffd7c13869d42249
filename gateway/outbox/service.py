"""Publishing to the outbox and delivering from it.

`publish` adds a row to the caller's transaction (a repeated key is a no-op, so a
retried use case never duplicates a message; the unique key decides, in one statement). When the transaction commits, the row is
sent to the `deliver` actor; if that send is lost, `relay` finds the row again. The
actor delivers through the connector with the row's idempotency key, retries with
exponential backoff, and after the last attempt leaves the row `dead` for an operator
to re-drive.
"""

from __future__ import annotations

import datetime as dt
import uuid

import dramatiq
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yimen.gateway.outbox.model import DEAD, PENDING, SENT, OutboxMessage
from yimen.gateway.ports import Connector, ConnectorError, Outbound
from yimen.platform.kernel.db import db, tenant_scope, utcnow
from yimen.platform.kernel.db.tenancy import TenantMismatch, current_tenant_id

MAX_ATTEMPTS = 8
BASE_BACKOFF = dt.timedelta(seconds=2)
_QUEUED = "yimen_outbox"
_connectors: dict[str, Connector] = {}


def register(connector: Connector) -> None:
    _connectors[connector.name] = connector


def publish(session: Session, connector: str, topic: str, payload: dict, key: str) -> OutboxMessage:
    """Add a message to the caller's transaction, once per idempotency key: the row is
    inserted unless the key is already there (INSERT … ON CONFLICT DO NOTHING, one round
    trip; the unique constraint decides, also between two transactions at once), and a
    repeated key returns the message already written."""
    tenant = current_tenant_id()
    if tenant is None:
        raise TenantMismatch("OutboxMessage written with no current tenant")
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[dialect]
    message = session.execute(
        insert(OutboxMessage)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant,
            connector=connector,
            topic=topic,
            payload=payload,
            idempotency_key=key,
        )
        .on_conflict_do_nothing()
        .returning(OutboxMessage)
    ).scalar_one_or_none()
    if message is None:
        return session.execute(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        ).scalar_one()
    session.info.setdefault(_QUEUED, []).append((tenant, message.id))
    return message


def _send_after_commit(session: Session) -> None:
    for tenant_id, message_id in session.info.pop(_QUEUED, []):
        try:
            deliver.send(str(tenant_id), str(message_id))
        except dramatiq.errors.DramatiqError:
            pass  # the relay finds it


def _forget(session: Session, _previous=None) -> None:
    session.info.pop(_QUEUED, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _send_after_commit):
        event.listen(session_class, "after_commit", _send_after_commit)
        event.listen(session_class, "after_soft_rollback", _forget)


def backoff(attempts: int) -> dt.timedelta:
    return BASE_BACKOFF * (2 ** min(attempts - 1, 10))


def deliver_now(tenant_id: uuid.UUID, message_id: uuid.UUID) -> str:
    """Deliver one message; returns its status. Raises while a retry can help."""
    with tenant_scope(tenant_id):
        session = db.session
        try:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.status != PENDING:
                return message.status if message else SENT
            outbound = Outbound(
                message.connector, message.topic, message.payload, message.idempotency_key
            )
            connector = _connectors.get(message.connector)
            try:
                if connector is None:
                    raise ConnectorError("no such connector", retryable=False)
                receipt = connector.deliver(outbound)
            except Exception as exc:
                # Every failure advances the row — a connector's own bug (a KeyError, an
                # answer it cannot parse) is retried with backoff and then dead, never
                # left pending to be re-sent by the relay forever.
                retryable = exc.retryable if isinstance(exc, ConnectorError) else True
                message.attempts += 1
                message.last_error = (
                    str(exc) if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: {exc}"
                )[:300]
                message.status = PENDING if retryable and message.attempts < MAX_ATTEMPTS else DEAD
                message.next_attempt_at = utcnow() + backoff(message.attempts)
                session.commit()
                if message.status == PENDING:
                    raise
                return DEAD
            message.attempts += 1
            message.status, message.receipt, message.sent_at, message.last_error = (
                SENT,
                receipt,
                utcnow(),
                "",
            )
            session.commit()
            return SENT
        finally:
            db.remove()


@dramatiq.actor(
    queue_name="yimen.outbox", max_retries=MAX_ATTEMPTS - 1, min_backoff=2_000, max_backoff=600_000
)
def deliver(tenant_id: str, message_id: str) -> None:
    """Deliver an outbox message through its connector (retried with backoff)."""
    deliver_now(uuid.UUID(tenant_id), uuid.UUID(message_id))


@dramatiq.actor(queue_name="yimen.system", max_retries=0)
def relay_outbox() -> None:
    """Every minute: hand the relay's finds to `deliver` (periodic: the composition root schedules it)."""
    relay()


def relay(limit: int = 500) -> int:
    """Send again every pending message that is due (its first send may have been lost)."""
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_ids = s.execute(select(Tenant.id)).scalars().all()
    sent = 0
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id), db.new_session() as s:
            due = (
                s.execute(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= utcnow()
                    )
                    .limit(limit)
                )
                .scalars()
                .all()
            )
        for message_id in due:
            deliver.send(str(tenant_id), str(message_id))
            sent += 1
    return sent


def redrive(session: Session, message: OutboxMessage) -> OutboxMessage:
    """An operator sends a dead message again with a fresh attempt budget."""
    message.status, message.attempts, message.next_attempt_at = PENDING, 0, utcnow()
    session.info.setdefault(_QUEUED, []).append((message.tenant_id, message.id))
    session.commit()
    return message
