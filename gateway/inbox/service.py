"""Receiving records from outside: durable first, acknowledged second, handled third.

`pull` is the gateway's job for a source that is asked (the 12345 hotline's work
orders): it lists what the district's stream has after the cursor, writes each record
to the inbox (`receive`: once per connector and natural key, a replay is a no-op) and
commits, and only then acknowledges them upstream, so that nothing acknowledged can be
lost; the cursor moves after the acknowledgements (an acknowledgement whose reply was
lost is sent again on the next pull, which finds the records already in the inbox).
Then `process` hands every record not yet handled to the handler of its topic — a
feature's use case, wired by the composition root (`install_handlers`), since the
gateway imports no feature — in one unit of work with the row's own bookkeeping: the
clue and "processed" commit together or not at all. Last, the source is asked what it
has to add about the records already handled (a complainant's satisfaction).

Payloads may carry personal data: errors keep the domain error's words or the
exception's type, never a value from the payload.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import dramatiq
from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from yimen.gateway.inbox.model import InboundEnvelope, InboxRecord, PullCursor, SeenNonce
from yimen.gateway.ports import ConnectorError, Received, Source
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.db.tenancy import TenantMismatch, current_tenant_id
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.uow import uow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # a record its handler refused this often waits for a person
MAX_PAGES = 20  # per district and pull: a backlog is taken over several runs
FOLLOW_UPS = 100  # records asked about per district and pull
FOLLOW_UP_FOR = dt.timedelta(days=90)  # a record is asked about for this long after it came

Handler = Callable[[Session, dict], object]
_handlers: dict[str, Handler] = {}
_sources: dict[str, Source] = {}


def install_handlers(handlers: Mapping[str, Handler]) -> None:
    """Topic → the feature's handler (the composition root collects them from the
    features' `inbound_handlers`). A handler runs in the inbox's unit of work, joins it
    and never commits; it returns what the record became (e.g. a receipt code)."""
    _handlers.clear()
    _handlers.update(handlers)


def register_source(source: Source) -> None:
    _sources[source.name] = source


def sources() -> tuple[Source, ...]:
    return tuple(_sources.values())


def receive(session: Session, connector: str, record: Received) -> bool:
    """Keep `record` in the caller's transaction unless it is there already (one
    statement, the unique key decides); True if it is new."""
    tenant = current_tenant_id()
    if tenant is None:
        raise TenantMismatch("InboxRecord written with no current tenant")
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[session.get_bind().dialect.name]
    row_id = session.execute(
        insert(InboxRecord)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant,
            connector=connector,
            natural_key=record.natural_key,
            topic=record.topic,
            payload=record.payload,
            received_at=utcnow(),
            result="",
            error="",
            attempts=0,
        )
        .on_conflict_do_nothing()
        .returning(InboxRecord.id)
    ).scalar_one_or_none()
    return row_id is not None


@dataclass(frozen=True)
class Taken:
    """What a record sent to us became: the same for the first request and every replay."""

    natural_key: str
    result: str
    received_at: dt.datetime
    new: bool  # False: a replay, answered with the first answer


def take(tenant_id: uuid.UUID, connector: str, record: Received) -> Taken:
    """A record an outside system sent us (pushed, not pulled) and waits on an answer
    for: kept and handled in one unit of work, so that the record, what its handler made
    of it and "processed" commit together or not at all — a handler's domain error is
    raised with nothing written. A replay (the same connector and natural key) handles
    nothing and is answered with what the first request became: the inbox decides."""
    with uow.for_tenant(tenant_id) as tx:
        new = receive(tx.session, connector, record)
        # a concurrent first request holds the row until it commits; then it is read here
        row = tx.session.execute(
            select(InboxRecord).where(
                InboxRecord.connector == connector,
                InboxRecord.natural_key == record.natural_key,
            )
        ).scalar_one()
        if row.processed_at is None:  # new, or kept by a pull and not handled yet
            handler = _handlers.get(row.topic)
            if handler is None:
                raise LookupError(f"no handler for {row.topic}")
            result = handler(tx.session, dict(row.payload))
            row.processed_at, row.result, row.error = utcnow(), str(result or "")[:120], ""
            row.attempts += 1
        taken = Taken(row.natural_key, row.result, row.received_at, new)
        tx.commit()
        return taken


def keep_envelope(tenant_id: uuid.UUID, envelope: InboundEnvelope) -> None:
    """The raw request of a call on an inbound service, for audit (its own unit of work:
    a refused request is kept too)."""
    with uow.for_tenant(tenant_id) as tx:
        tx.session.add(envelope)
        tx.commit()


class DistrictNonces:
    """The nonces a district's inbound service accepted, in the database (a
    `gateway.soap.wsse.NonceStore`): one statement, the unique key decides; those older
    than `keep` seconds are dropped as new ones come."""

    def __init__(self, district: Callable[[], uuid.UUID], keep: float = 600.0) -> None:
        self.district, self.keep = district, keep

    def remember(self, username: str, nonce: str, created: dt.datetime) -> bool:
        with uow.for_tenant(self.district()) as tx:
            horizon = utcnow() - dt.timedelta(seconds=self.keep)
            tx.session.execute(delete(SeenNonce).where(SeenNonce.created < horizon))
            insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[
                tx.session.get_bind().dialect.name
            ]
            new = tx.session.execute(
                insert(SeenNonce)
                .values(
                    id=uuid.uuid4(),
                    tenant_id=tx.tenant_id,
                    username=username[:64],
                    nonce=nonce[:100],
                    created=created,
                )
                .on_conflict_do_nothing()
                .returning(SeenNonce.id)
            ).scalar_one_or_none()
            tx.commit()
        return new is not None


@dataclass
class Pulled:
    """What one pull did for a district."""

    listed: int = 0
    new: int = 0
    acknowledged: int = 0
    processed: int = 0
    failed: int = 0
    followed_up: int = 0
    error: str = ""


def pull(tenant_id: uuid.UUID, source: Source, stream: str) -> Pulled:
    """List, keep, commit, acknowledge, move the cursor; then handle and follow up."""
    report = Pulled()
    try:
        for _ in range(MAX_PAGES):
            if not _pull_page(tenant_id, source, stream, report):
                break
    except ConnectorError as exc:
        report.error = str(exc)[:300]
        log.warning("pull stopped", extra={"connector": source.name, "error": report.error})
    process(tenant_id, source.name, report)
    try:
        _follow_up(tenant_id, source, report)
    except ConnectorError as exc:
        report.error = report.error or str(exc)[:300]
    process(tenant_id, source.name, report)
    return report


def _pull_page(tenant_id: uuid.UUID, source: Source, stream: str, report: Pulled) -> bool:
    with uow.for_tenant(tenant_id) as tx:
        cursor = _cursor(tx.session, source.name, stream)
        tx.commit()
        at = cursor.cursor
    page = source.list_since(stream, at)
    if not page.records:
        return False
    unique = list({r.natural_key: r for r in page.records}.values())  # listed twice: once
    report.listed += len(unique)
    with uow.for_tenant(tenant_id) as tx:
        report.new += sum(receive(tx.session, source.name, r) for r in unique)
        tx.commit()  # durable before anything is acknowledged
    for record in unique:
        source.acknowledge(record)
        report.acknowledged += 1
    with uow.for_tenant(tenant_id) as tx:
        _cursor(tx.session, source.name, stream).cursor = page.cursor
        tx.commit()
    return page.cursor != at


def _cursor(session: Session, connector: str, stream: str) -> PullCursor:
    found = session.execute(
        select(PullCursor).where(PullCursor.connector == connector, PullCursor.stream == stream)
    ).scalar_one_or_none()
    if found is None:
        found = PullCursor(connector=connector, stream=stream, cursor="")
        session.add(found)
    return found


def process(tenant_id: uuid.UUID, connector: str, report: Pulled | None = None) -> Pulled:
    """Hand each record not yet handled to its topic's handler, one unit of work each."""
    report = report or Pulled()
    with uow.for_tenant(tenant_id) as tx:
        waiting = (
            tx.session.execute(
                select(InboxRecord.id)
                .where(
                    InboxRecord.connector == connector,
                    InboxRecord.processed_at.is_(None),
                    InboxRecord.attempts < MAX_ATTEMPTS,
                )
                .order_by(InboxRecord.received_at)
            )
            .scalars()
            .all()
        )
        tx.commit()
    for record_id in waiting:
        if _handle(tenant_id, record_id):
            report.processed += 1
        else:
            report.failed += 1
    return report


def _handle(tenant_id: uuid.UUID, record_id: uuid.UUID) -> bool:
    try:
        with uow.for_tenant(tenant_id) as tx:
            # another worker handling the same record holds the lock: leave it to it
            row = tx.session.execute(
                select(InboxRecord)
                .where(InboxRecord.id == record_id)
                .with_for_update(skip_locked=True)
            ).scalar_one_or_none()
            if row is None or row.processed_at is not None:
                return True
            handler = _handlers.get(row.topic)
            if handler is None:
                raise LookupError(f"no handler for {row.topic}")
            result = handler(tx.session, dict(row.payload))
            row.processed_at, row.result, row.error = utcnow(), str(result or "")[:120], ""
            row.attempts += 1
            tx.commit()
            return True
    except Exception as exc:  # every failure is recorded on the row, and retried later
        error = _describe(exc)
        with uow.for_tenant(tenant_id) as tx:
            row = tx.session.get(InboxRecord, record_id)
            if row is not None and row.processed_at is None:
                row.attempts += 1
                row.error = error
            tx.commit()
        log.warning("inbox record not handled", extra={"record": str(record_id), "error": error})
        return False


def _describe(exc: Exception) -> str:
    """Words safe to keep and log: a domain error's own, else the exception's type (an
    integrity error's text would repeat the payload's values)."""
    if isinstance(exc, DomainError):
        return f"{exc.code}: {exc.en}"[:300]
    if isinstance(exc, LookupError):
        return str(exc)[:300]
    return type(exc).__name__


def _follow_up(tenant_id: uuid.UUID, source: Source, report: Pulled) -> None:
    """Ask the source about records handled and not yet followed up (`<key>#…`)."""
    later = aliased(InboxRecord)
    with uow.for_tenant(tenant_id) as tx:
        rows = (
            tx.session.execute(
                select(InboxRecord)
                .outerjoin(
                    later,
                    and_(
                        later.connector == InboxRecord.connector,
                        later.natural_key.startswith(InboxRecord.natural_key + "#"),
                    ),
                )
                .where(
                    InboxRecord.connector == source.name,
                    InboxRecord.processed_at.is_not(None),
                    ~InboxRecord.natural_key.contains("#"),
                    later.id.is_(None),
                    InboxRecord.received_at >= utcnow() - FOLLOW_UP_FOR,
                )
                .order_by(InboxRecord.received_at)
                .limit(FOLLOW_UPS)
            )
            .scalars()
            .all()
        )
        asked = [Received(r.natural_key, r.topic, dict(r.payload)) for r in rows]
        tx.commit()
    for record in asked:
        found = source.follow_up(record)
        if found is None:
            continue
        with uow.for_tenant(tenant_id) as tx:
            report.followed_up += receive(tx.session, source.name, found)
            tx.commit()


def pull_all() -> dict[str, int]:
    """Every registered source for every district (its division code is its stream)."""
    from yimen.platform.kernel.directory import Tenant, TenantKind

    with uow.for_tenant(None) as tx:
        districts = tx.session.execute(
            select(Tenant.id, Tenant.division_code).where(Tenant.kind == TenantKind.DISTRICT)
        ).all()
        tx.commit()
    new = {}
    for source in sources():
        new[source.name] = sum(pull(t, source, code).new for t, code in districts)
    return new


@dramatiq.actor(queue_name="yimen.system", max_retries=0)
def pull_inbound() -> None:
    """Every minute: pull every source for every district (periodic; safe to run twice)."""
    pull_all()
