"""The full-process record of a case (全过程记录, 处罚法 第四十七条): append-only events,
each hash-chained to the one before it (chain.py), so that 国办发〔2018〕118号 (九)'s
"no deletion or alteration" can be checked by anyone: `verify` names the first broken
link of every case.

Three layers keep the record honest:
1. The application only appends: `append` is the one write path, and the ORM refuses an
   UPDATE or DELETE of a CaseEvent (mapper events below).
2. On PostgreSQL a trigger (migration 20261122_0100) refuses UPDATE, DELETE and TRUNCATE
   of case_event for every role. The application role owns nothing, so it cannot
   disable the trigger; the owner or a superuser can (ALTER TABLE … DISABLE TRIGGER,
   or session_replication_role) — that is a deliberate, logged DDL act, not an accident.
3. Whoever gets round 1 and 2 still cannot change a row without breaking the chain:
   the row's hash no longer matches its facts, or (if it was re-hashed) the next row's
   prev_hash no longer matches. Not covered: someone with write access who rewrites a
   case's chain from the altered row to its end, or drops the newest rows — that needs
   the head hash kept outside the database (an anchor), which is not built yet.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field

from sqlalchemy import JSON, String, UniqueConstraint, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from yimen.platform.cases.record import chain
from yimen.platform.cases.record.model import Case, case_reach
from yimen.platform.kernel.db import Base, TenantOwned, current_tenant_id, new_id, tenant_fk, utcnow
from yimen.platform.kernel.db.agency_scope import scoped_by_agency
from yimen.platform.kernel.db.tenancy import TenantMismatch
from yimen.platform.kernel.errors import Conflict


class CaseEvent(Base, TenantOwned):
    """One action on a case, as it happened. Never updated, never deleted."""

    __tablename__ = "case_event"
    __table_args__ = (
        UniqueConstraint("tenant_id", "case_id", "seq"),
        UniqueConstraint("tenant_id", "client_id"),
        tenant_fk("case_id", "enforcement_case"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    seq: Mapped[int]  # 1, 2, 3 … per case
    kind: Mapped[str] = mapped_column(String(60))  # filed, evidence_added, document_issued …
    stage: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(120))  # username
    at: Mapped[dt.datetime]
    payload: Mapped[dict] = mapped_column(JSON)  # the facts; file SHA-256 values go here
    client_id: Mapped[str | None] = mapped_column(String(100))  # offline record's own id
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Never loaded; it tells the unit of work to insert a new case before its events.
    case: Mapped[Case] = relationship(lazy="raise")

    def link(self) -> chain.Link:
        return chain.Link(
            **{name: getattr(self, name) for name in chain.HASHED_FIELDS},
            id=self.id,
            hash=self.hash,
        )


# An agency reaches the events of the cases it takes part in (agency_scope).
scoped_by_agency(CaseEvent, case_reach(CaseEvent.case_id))


def _refuse_change(_mapper, _connection, target: CaseEvent) -> None:
    raise PermissionError(f"case_event {target.id} is append-only: it cannot be changed")


event.listen(CaseEvent, "before_update", _refuse_change)
event.listen(CaseEvent, "before_delete", _refuse_change)


def append(
    session: Session,
    case: Case,
    kind: str,
    stage: str,
    actor: str,
    payload: dict,
    client_id: str | None = None,
) -> CaseEvent:
    """Add the next event of `case` to the caller's transaction; the caller commits.

    Concurrency: on PostgreSQL the case row is locked (SELECT … FOR UPDATE on
    enforcement_case) before the last seq is read, so appends to one case queue up and
    each reads the seq and hash its predecessor committed — no two get the same seq,
    none is refused for it. The lock is held until the caller's commit or rollback; the
    caller's optimistic check on the case's version still applies at commit (an action
    that waited for another on the same case then fails with a 409 there). SQLite
    serializes writers by itself (a stale writer gets "database is locked"); on both,
    UNIQUE (case_id, seq) is the backstop. Our queries run without autoflush so that
    the caller's pending changes to the case are flushed, and version-checked, at its
    commit and not here.

    Offline records from the mobile app carry a `client_id`: when one is already stored
    the existing event is returned unchanged (a re-sync is idempotent); the same id with
    a different case, kind or payload is refused with a 409. Two syncs of one id racing
    on different cases meet UNIQUE (tenant_id, client_id) at commit.
    """
    payload = chain.normalise(payload)
    tenant_id = case.tenant_id or current_tenant_id()
    if tenant_id is None:
        raise TenantMismatch("a case event needs a current tenant")
    if case.id is None:  # a case created in this same transaction
        case.id = new_id()
    with session.no_autoflush:
        if not inspect(case).pending:
            _lock(session, case.id)
        if client_id is not None:
            existing = _by_client_id(session, client_id)
            if existing is not None:
                return _same_or_conflict(existing, case.id, kind, payload)
        seq, prev_hash = _last(session, case.id)
    record = CaseEvent(
        id=new_id(),
        tenant_id=tenant_id,
        case_id=case.id,
        seq=seq + 1,
        kind=kind,
        stage=stage,
        actor=actor,
        at=utcnow(),
        payload=payload,
        client_id=client_id,
        prev_hash=prev_hash,
    )
    record.hash = chain.event_hash(**{name: getattr(record, name) for name in chain.HASHED_FIELDS})
    session.add(record)
    return record


def _lock(session: Session, case_id: uuid.UUID) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case_id).with_for_update())


def _pending(session: Session) -> list[CaseEvent]:
    return [o for o in session.new if isinstance(o, CaseEvent)]


def _last(session: Session, case_id: uuid.UUID) -> tuple[int, str]:
    """(seq, hash) of the newest event of the case, pending ones included; (0, genesis)."""
    row = session.execute(
        select(CaseEvent.seq, CaseEvent.hash)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    ).first()
    newest = (row.seq, row.hash) if row else (0, chain.genesis(case_id))
    for pending in _pending(session):
        if pending.case_id == case_id and pending.seq > newest[0]:
            newest = (pending.seq, pending.hash)
    return newest


def _by_client_id(session: Session, client_id: str) -> CaseEvent | None:
    for pending in _pending(session):
        if pending.client_id == client_id:
            return pending
    return find_by_client_id(session, client_id)


def find_by_client_id(session: Session, client_id: str) -> CaseEvent | None:
    """The event an offline record was synced as, if it was (lets a caller skip the
    action's work on a re-sync before calling `append`)."""
    return session.execute(
        select(CaseEvent).where(CaseEvent.client_id == client_id)
    ).scalar_one_or_none()


def _same_or_conflict(
    existing: CaseEvent, case_id: uuid.UUID, kind: str, payload: dict
) -> CaseEvent:
    if (existing.case_id, existing.kind) == (case_id, kind) and chain.canonical(
        existing.payload
    ) == chain.canonical(payload):
        return existing
    raise Conflict(
        "client-id-reused",
        f"离线记录编号 {existing.client_id} 已同步为另一条不同的记录 (第 {existing.seq} 条)，"
        "未重复写入。",
        f"Offline record id {existing.client_id} was already synced as a different record "
        f"(seq {existing.seq}); nothing was written.",
        extra={"client_id": existing.client_id, "event_id": str(existing.id)},
    )


# --- verification --------------------------------------------------------------------


@dataclass
class Report:
    """What `verify` found: events and cases checked, and the first break of each
    broken case (empty when every chain holds)."""

    cases: int = 0
    events: int = 0
    breaks: list[chain.Break] = field(default_factory=list)
    heads: dict[uuid.UUID, str] = field(default_factory=dict)  # last stored hash per case

    @property
    def ok(self) -> bool:
        return not self.breaks


_COLUMNS = [getattr(CaseEvent, name) for name in (*chain.HASHED_FIELDS, "id", "hash")]


def verify(session: Session, case_id: uuid.UUID | None = None) -> Report:
    """Walk every chain of the current district (or one case's) in seq order, streaming,
    and report the first broken link of each case.
    Rows are streamed; one case's chain is held in memory at a time."""
    query = select(*_COLUMNS).order_by(CaseEvent.case_id, CaseEvent.seq)
    if case_id is not None:
        query = query.where(CaseEvent.case_id == case_id)
    rows = session.execute(query.execution_options(yield_per=1000))
    links = (chain.Link(**row._mapping) for row in rows)
    report = Report()
    for each_case, grouped in itertools.groupby(links, key=lambda link: link.case_id):
        its_links = list(grouped)  # one case at a time: hundreds of rows, not millions
        count, broken = chain.first_break(each_case, its_links)
        report.cases += 1
        report.events += count
        report.heads[each_case] = its_links[-1].hash
        if broken is not None:
            report.breaks.append(broken)
    return report
