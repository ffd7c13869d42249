"""A case file (案件) and what hangs on it: parties, officers, clock pauses.

The one door hands a clue over as a draft at the filing stage (立案); the case engine
takes it from there. Amounts are integer fen (分) — never floats. Dates that start a
statutory period are kept as dates in Asia/Shanghai, because the law counts days.
The decision, its service, the payment and the compulsory measures are typed records
(record/typed.py); the other stage facts (the correction order's outcome, the hearing's date
and place, the officers' notes) live in `details`, written only through the engine's
actions; the append-only, hash-chained record of every action is `case_event` (record/log.py).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship

from yimen.platform.cases.record import json_facts
from yimen.platform.cases.record.typed import (
    CaseDecision,
    CaseMeasure,
    CasePayment,
    CaseService,
    details_of,
)
from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow
from yimen.platform.kernel.db.agency_scope import (
    AgencyScope,
    Criterion,
    Participation,
    scoped_by_agency,
)
from yimen.platform.kernel.directory import Agency


class Procedure(enum.StrEnum):
    GENERAL = "general"  # 一般程序
    SIMPLE = "simple"  # 简易程序 (当场处罚)


class Stage(enum.StrEnum):
    FILING = "filing"  # 立案
    INVESTIGATION = "investigation"  # 调查取证
    COMPULSORY_MEASURES = "compulsory_measures"  # 行政强制措施 (optional)
    CORRECTION_ORDER = "correction_order"  # 责令改正
    PRIOR_NOTICE = "prior_notice"  # 事先告知
    STATEMENT = "statement"  # 陈述申辩与复核
    HEARING = "hearing"  # 听证
    LEGAL_REVIEW = "legal_review"  # 法制审核
    COLLECTIVE_DISCUSSION = "collective_discussion"  # 集体讨论
    DECISION = "decision"  # 作出决定
    SERVICE = "service"  # 送达
    EXECUTION = "execution"  # 执行
    CLOSURE = "closure"  # 结案
    ARCHIVE = "archive"  # 归档
    # simple procedure
    ON_SPOT_DECISION = "on_spot_decision"
    FILING_RECORD = "filing_record"


class CaseStatus(enum.StrEnum):
    DRAFT = "draft"  # not yet approved for filing
    OPEN = "open"  # filed and being handled
    NOT_FILED = "not_filed"  # decision not to file (不予立案)
    CLOSED = "closed"  # closure approved
    ARCHIVED = "archived"
    TRANSFERRED = "transferred"  # handed to the police (两法衔接) or another agency


class Case(Base, TenantOwned):
    __tablename__ = "enforcement_case"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        tenant_fk("agency_id", "agency"),
        tenant_fk("clue_id", "clue"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agency_id: Mapped[uuid.UUID] = mapped_column(index=True)
    clue_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    number: Mapped[str | None] = mapped_column(String(60))  # 案号, given at filing approval
    procedure: Mapped[str] = mapped_column(String(20), default=Procedure.GENERAL.value)
    matter_code: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(30), default=Stage.FILING.value)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.DRAFT.value, index=True)
    facts: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[dt.datetime | None]
    # Limitation (处罚法 第三十六条): from the act, or the day a continuing act ended.
    violation_started_on: Mapped[dt.date | None]
    violation_ended_on: Mapped[dt.date | None]
    continuing: Mapped[bool] = mapped_column(default=False)
    life_safety: Mapped[bool] = mapped_column(default=False)  # 5-year limitation category
    discovered_on: Mapped[dt.date | None]
    # The workflow definition the case runs under for its whole life (tenants.workflow).
    workflow_pin: Mapped[str] = mapped_column(String(120), default="")
    sector: Mapped[str] = mapped_column(String(30), default="")  # sector profile code
    filed_on: Mapped[dt.date | None]
    decided_on: Mapped[dt.date | None]
    served_on: Mapped[dt.date | None]
    closed_on: Mapped[dt.date | None]
    # Conditions of the optional stages.
    major: Mapped[bool] = mapped_column(default=False)  # 重大执法决定: legal review
    complex_case: Mapped[bool] = mapped_column(default=False)  # collective discussion
    measures_needed: Mapped[bool] = mapped_column(default=False)
    hearing_requested: Mapped[bool] = mapped_column(default=False)
    # The penalty as proposed (prior notice) and as decided; fen.
    penalty_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposed_fine_fen: Mapped[int | None]
    fine_fen: Mapped[int | None]
    confiscation_fen: Mapped[int | None]
    discretion: Mapped[dict] = mapped_column(
        JSON, default=dict
    )  # tier, facts, range, justification
    flagged: Mapped[bool] = mapped_column(default=False)  # supervision flag (discretion etc.)
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # stage facts, by stage id
    next_deadline: Mapped[dt.date | None] = mapped_column(index=True)
    next_deadline_label: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    parties: Mapped[list[CaseParty]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CaseParty.position"
    )
    officers: Mapped[list[CaseOfficer]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CaseOfficer.position"
    )
    pauses: Mapped[list[CasePause]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CasePause.started_on"
    )
    # The typed records (record/typed.py), loaded when read.
    decision: Mapped[CaseDecision | None] = relationship(
        cascade="all, delete-orphan", uselist=False
    )
    services: Mapped[list[CaseService]] = relationship(
        cascade="all, delete-orphan", order_by="CaseService.served_on"
    )
    payment: Mapped[CasePayment | None] = relationship(cascade="all, delete-orphan", uselist=False)
    measures: Mapped[list[CaseMeasure]] = relationship(
        cascade="all, delete-orphan", order_by="CaseMeasure.position"
    )

    __mapper_args__ = {"version_id_col": version, "primary_key": [id]}

    def stage_facts(self) -> dict:
        """`details` with the typed records in the places the API has shown them."""
        return details_of(self, self.decision, self.services, self.payment, self.measures)

    def served(self, document: str) -> CaseService | None:
        """The service of `document` (prior_notice | decision), if it was served."""
        return next((s for s in self.services if s.document == document), None)

    def decision_record(self) -> CaseDecision:
        """The decision's row, opened on first use (a departure approved comes first)."""
        if self.decision is None:
            self.decision = CaseDecision()
        return self.decision

    def open_measures(self) -> list[CaseMeasure]:
        return [m for m in self.measures if m.ended_on is None]


# The case list's order (cases/listing.py): nearest deadline first, none last, newest
# first, then the id; tenant_id leads. The search's index is case_search_term (below).
NO_DEADLINE = dt.date(9999, 12, 31)
DEADLINE_KEY = func.coalesce(Case.next_deadline, literal_column("'9999-12-31'", Date))
Index(
    "ix_case_list_agency",
    Case.tenant_id,
    Case.agency_id,
    DEADLINE_KEY,
    Case.created_at.desc(),
    Case.id,
)
Index("ix_case_list_district", Case.tenant_id, DEADLINE_KEY, Case.created_at.desc(), Case.id)


class PartyKind(enum.StrEnum):
    PERSON = "person"  # 自然人, by resident ID number (GB 11643)
    ORGANISATION = "organisation"  # 法人及非法人组织, by credit code (GB 32100)
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户


class CaseParty(Base, TenantOwned):
    __tablename__ = "case_party"
    __table_args__ = (tenant_fk("case_id", "enforcement_case"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(String(18), default="")  # personal data: masked
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    credit_code_confirmed: Mapped[bool] = mapped_column(default=False)  # checksum warning seen
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # personal data: masked


# The case search's index (PostgreSQL; migration 20261207_0180): every two-character
# substring (bigram) of the lower-cased case number, facts and parties' names, one row
# each, kept by triggers on enforcement_case and case_party. A search looks its query's
# bigrams up by equality — texteq is LEAKPROOF, so under row-level security the lookup
# is an index condition, which @>, LIKE and the pg_trgm operators cannot be — and
# rechecks the candidates with LIKE (listing.py). Written by the triggers only.
case_search_term = Table(
    "case_search_term",
    Base.metadata,
    Column(
        "tenant_id",
        Uuid(),
        ForeignKey("tenant.id", ondelete="RESTRICT"),
        primary_key=True,
        nullable=False,
    ),
    Column("term", String(8), primary_key=True, nullable=False),
    Column("case_id", Uuid(), primary_key=True, nullable=False),
    tenant_fk("case_id", "enforcement_case", ondelete="CASCADE"),
    info={"key": "lookup"},
)


class CaseOfficer(Base, TenantOwned):
    """A case handler (承办人员); at least two with valid certificates covering the
    matter's domain (处罚法 第四十二条). A recused officer stays on record."""

    __tablename__ = "case_officer"
    __table_args__ = (
        UniqueConstraint("tenant_id", "case_id", "officer_id"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("officer_id", "officer"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    recused: Mapped[bool] = mapped_column(default=False)
    recusal_reason: Mapped[str] = mapped_column(String(500), default="")
    recusal_decided_by: Mapped[str] = mapped_column(String(120), default="")


class CasePause(Base, TenantOwned):
    """Time that does not count towards the decision deadline (hearing, testing,
    suspension, public notice — the sector profile says which)."""

    __tablename__ = "case_pause"
    __table_args__ = (tenant_fk("case_id", "enforcement_case"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(30))  # hearing | testing | suspension | notice
    started_on: Mapped[dt.date]
    ended_on: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(String(500), default="")


class CaseParticipant(Base, TenantOwned, Participation):
    """An agency taking part in a case (kernel/db/agency_scope.py): the lead agency that
    opened it, a joint agency the legal-affairs office designated to the clue it came
    from. Written by the use cases; what an agency's staff read follows from it."""

    __tablename__ = "case_participant"
    __table_args__ = (
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("agency_id", "agency"),
        Index("ix_case_participant_current", "agency_id", "case_id", "until"),
        # An agency's current reach, read by every list it sees (migration 20261207_0210).
        Index(
            "ix_case_participant_reach",
            "tenant_id",
            "agency_id",
            "case_id",
            postgresql_where=text("until IS NULL"),
            sqlite_where=text("until IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # Never loaded; it tells the unit of work to insert a new case before its participants.
    case: Mapped[Case] = relationship(lazy="raise")


def participating_cases(scope: AgencyScope):
    """The ids of the cases the scope's agency takes part in now."""
    return select(CaseParticipant.case_id).where(
        CaseParticipant.agency_id
        == select(Agency.id).where(Agency.code == scope.agency_code).scalar_subquery(),
        CaseParticipant.until.is_(None),
    )


def case_reach(column: InstrumentedAttribute) -> Criterion:
    """The criterion for a model whose rows belong to the case in `column` (the case
    itself, its documents, evidence and events)."""

    def criterion(scope: AgencyScope) -> ColumnElement[bool]:
        if scope.agency_code is None:
            return false()
        return column.in_(participating_cases(scope))

    return criterion


scoped_by_agency(Case, case_reach(Case.id))


json_facts.install()  # the record's JSON as it reads back, before every flush
