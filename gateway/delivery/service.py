"""The gateway's use cases: a district administrator turns a connector on (with its
credentials), re-drives dead letters and skips what a person decides not to send; the
platform operator defines the connectors the region offers.

Each takes a typed command, raises the kernel's domain errors and owns its unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yimen.gateway.contracts import EVENT_TYPES
from yimen.gateway.delivery import secrets
from yimen.gateway.delivery.model import (
    DEAD,
    HELD,
    PENDING,
    SKIPPED,
    GatewayConnector,
    GatewayDelivery,
    GatewaySubscription,
)
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.errors import Conflict, FieldProblem, Invalid, NotFound
from yimen.platform.kernel.uow import UnitOfWork

KINDS = ("soap", "rest", "sms")


@dataclass(frozen=True)
class DefineConnector:
    name: str
    kind: str
    label_zh: str
    label_en: str
    event_types: tuple[str, ...]
    default_endpoint: str = ""
    rate_limit: str = ""


@dataclass(frozen=True)
class ConfigureSubscription:
    """Turn a connector on or off for the district. `credentials` None keeps what is
    stored (they are write-only: never read back); {} clears them."""

    connector: str
    enabled: bool
    by: str
    event_types: tuple[str, ...] = ()
    agency_codes: tuple[str, ...] = ()
    endpoint: str = ""
    credentials: Mapping[str, str] | None = None
    settings: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Redrive:
    """Send dead rows again with a fresh attempt budget: the ones named, or every dead
    row (of one connector, when named)."""

    by: str
    ids: tuple[uuid.UUID, ...] = ()
    every_dead: bool = False
    connector: str = ""


@dataclass(frozen=True)
class Skip:
    """A person decides a dead (or held) row is not to be sent: the rows it held go on."""

    id: uuid.UUID
    by: str
    reason: str


def _field(name: str, zh: str, en: str) -> Invalid:
    return Invalid("invalid-input", "输入有误。", "Invalid input.", [FieldProblem(name, zh, en)])


def define_connector(uow: UnitOfWork, cmd: DefineConnector) -> GatewayConnector:
    """The platform operator adds a connector to the region, or changes one."""
    if cmd.kind not in KINDS:
        raise _field("kind", f"类型须为 {'/'.join(KINDS)}。", f"Kind must be one of {KINDS}.")
    unknown = sorted(set(cmd.event_types) - set(EVENT_TYPES))
    if unknown:
        raise _field(
            "event_types", f"未知的事件类型：{unknown}。", f"Unknown event types: {unknown}."
        )
    with uow.for_tenant(None) as tx:
        row = tx.session.get(GatewayConnector, cmd.name) or GatewayConnector(name=cmd.name)
        row.kind, row.label_zh, row.label_en = cmd.kind, cmd.label_zh, cmd.label_en
        row.event_types = list(cmd.event_types)
        row.default_endpoint, row.rate_limit = cmd.default_endpoint, cmd.rate_limit
        tx.session.add(row)
        tx.commit()
        return row


def configure_subscription(
    uow: UnitOfWork, tenant_id: uuid.UUID, cmd: ConfigureSubscription
) -> GatewaySubscription:
    """The district administrator turns a connector on (or off), with its credentials."""
    with uow.for_tenant(tenant_id) as tx:
        connector = tx.session.get(GatewayConnector, cmd.connector)
        if connector is None:
            raise NotFound("no-such-connector", "没有这个对接系统。", "No such connector.")
        _check(cmd, connector)
        sub = _subscription(tx.session, cmd.connector) or GatewaySubscription(
            connector=cmd.connector
        )
        sub.enabled, sub.event_types = cmd.enabled, list(cmd.event_types)
        sub.agency_codes, sub.endpoint = list(cmd.agency_codes), cmd.endpoint
        sub.settings, sub.updated_by = dict(cmd.settings), cmd.by
        if cmd.credentials is not None:
            sub.credentials = secrets.keyring().seal(cmd.credentials)
        tx.session.add(sub)
        tx.commit()
        return sub


def _check(cmd: ConfigureSubscription, connector: GatewayConnector) -> None:
    extra = sorted(set(cmd.event_types) - set(connector.event_types))
    if extra:
        raise _field(
            "event_types",
            f"该系统不接收这些事件：{extra}。",
            f"This connector does not take: {extra}.",
        )
    if cmd.endpoint:
        url = urlparse(cmd.endpoint)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise _field(
                "endpoint", "地址须为 http(s) 网址。", "The endpoint must be an http(s) URL."
            )
    if cmd.enabled and not (cmd.endpoint or connector.default_endpoint):
        raise _field("endpoint", "请填写对接地址。", "An endpoint is needed.")


def _subscription(session: Session, connector: str) -> GatewaySubscription | None:
    return session.execute(
        select(GatewaySubscription).where(GatewaySubscription.connector == connector)
    ).scalar_one_or_none()


def redrive(uow: UnitOfWork, tenant_id: uuid.UUID, cmd: Redrive) -> int:
    """Returns how many dead rows go out again. The rows they held wait (pending) behind
    them in order; should one die again, it holds them again."""
    if not cmd.ids and not cmd.every_dead:
        raise _field("ids", "请指定要重发的记录。", "Name the records to re-drive.")
    with uow.for_tenant(tenant_id) as tx:
        query = select(GatewayDelivery)
        if cmd.ids:
            query = query.where(GatewayDelivery.id.in_(cmd.ids))
        else:
            query = query.where(GatewayDelivery.status == DEAD)
        if cmd.connector:
            query = query.where(GatewayDelivery.connector == cmd.connector)
        rows = tx.session.execute(query).scalars().all()
        if len(rows) != len(set(cmd.ids or [r.id for r in rows])):
            raise NotFound("no-such-delivery", "没有这条投递记录。", "No such delivery.")
        if any(row.status != DEAD for row in rows):
            raise Conflict(
                "not-dead", "只能重发失败的记录。", "Only dead records can be re-driven."
            )
        for row in rows:
            row.status, row.attempts, row.next_attempt_at = PENDING, 0, utcnow()
            row.decided_by = cmd.by
            _release_held(tx.session, row)
        tx.commit()
        return len(rows)


def skip(uow: UnitOfWork, tenant_id: uuid.UUID, cmd: Skip) -> GatewayDelivery:
    if not cmd.reason.strip():
        raise _field("reason", "请说明不再发送的理由。", "Say why it is not to be sent.")
    with uow.for_tenant(tenant_id) as tx:
        row = tx.session.get(GatewayDelivery, cmd.id)
        if row is None:
            raise NotFound("no-such-delivery", "没有这条投递记录。", "No such delivery.")
        if row.status not in (DEAD, HELD):
            raise Conflict(
                "not-skippable",
                "只能跳过失败或被阻塞的记录。",
                "Only dead or held records can be skipped.",
            )
        row.status, row.decided_by = SKIPPED, cmd.by
        row.last_error = f"skipped: {cmd.reason.strip()}"[:300]
        _release_held(tx.session, row)
        tx.commit()
        return row


def _release_held(session: Session, row: GatewayDelivery) -> None:
    session.flush()
    session.execute(
        update(GatewayDelivery)
        .where(
            GatewayDelivery.tenant_id == row.tenant_id,
            GatewayDelivery.connector == row.connector,
            GatewayDelivery.aggregate_key == row.aggregate_key,
            GatewayDelivery.sequence > row.sequence,
            GatewayDelivery.status == HELD,
        )
        .values(status=PENDING, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def rotate_keys(uow: UnitOfWork, tenant_ids: list[uuid.UUID]) -> int:
    """Re-encrypt every district's credentials under the first key; returns the count."""
    done = 0
    for tenant_id in tenant_ids:
        with uow.for_tenant(tenant_id) as tx:
            for sub in tx.session.execute(select(GatewaySubscription)).scalars():
                if sub.credentials:
                    sub.credentials = secrets.keyring().rotate(sub.credentials)
                    done += 1
            tx.commit()
    return done
