"""A case's typed records: the decision, its service, the payment with its surcharge, and
the compulsory measures — columns a query can filter on (disclosure needs the decision as
columns; supervision and upstream sync need stable names), where they used to be keys of
the case's `details` JSON. `details` keeps the stage notes (the officers' free text, the
hearing, the review, the execution's other steps).

The API has always shown those facts inside `details`; `details_of` puts them back in the
places and shapes it used (`CaseView.details` is built from it too), so what a client
reads and what the rules read does not change while the rows change under them.

Amounts are integer fen (分). Every table carries `tenant_id` in its primary key and in its
foreign key to the case, and has the district's row-level security policy.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.clock import SHANGHAI
from yimen.platform.kernel.db import Base, TenantOwned, new_id


def _tenant_key() -> Mapped[uuid.UUID]:
    """The district, first in the primary key (so it needs no index of its own)."""
    return mapped_column(Uuid(), ForeignKey("tenant.id", ondelete="RESTRICT"), primary_key=True)


def _case_fk(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "case_id"],
        ["enforcement_case.tenant_id", "enforcement_case.id"],
        name=f"fk_{table}_case",
    )


class CaseDecision(Base, TenantOwned):
    """The decision as issued (处罚法 第五十七条、第五十九条): one per case. The row is
    opened by the head's approval of a departure from the benchmark, which comes before
    the decision (国办发〔2022〕27号（十二）); `decided_on` is set by the decision."""

    __tablename__ = "case_decision"
    __table_args__ = (
        _case_fk("case_decision"),
        UniqueConstraint("tenant_id", "case_id"),  # one per case
        Index("ix_case_decision_decided", "tenant_id", "decided_on", "fine_fen"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant_key()
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column()
    # 第五十七条第一款: penalty (第(一)项) | no_penalty (第(二)项) | not_established (第(三)项)
    outcome: Mapped[str | None] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(80))  # 决定书文号 (第五十九条)
    decided_on: Mapped[dt.date | None]  # 第六十条: within 90 days of filing
    penalty_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # 第九条
    fine_fen: Mapped[int | None]
    confiscation_fen: Mapped[int | None]
    # 第五十九条第一款第(三)项: the provisions the decision rests on
    legal_basis: Mapped[str] = mapped_column(String(500), default="")
    # The discretion benchmark applied (处罚法 第三十四条; 国办发〔2022〕27号)
    benchmark_tier: Mapped[str] = mapped_column(String(60), default="")
    benchmark_min_fen: Mapped[int | None]
    benchmark_max_fen: Mapped[int | None]
    outside_benchmark: Mapped[bool] = mapped_column(default=False)
    # A fine outside the range: the written reason (27号（十二）) and the principal head's
    # approval of it, recorded before the decision.
    departure_reason: Mapped[str] = mapped_column(String(2000), default="")
    departure_approved_by: Mapped[str] = mapped_column(String(120), default="")
    departure_approved_on: Mapped[dt.date | None]
    departure_approval_reason: Mapped[str] = mapped_column(String(2000), default="")
    departure_fine_fen: Mapped[int | None]  # the fine the approval covers

    def departure_approval(self) -> dict | None:
        if self.departure_approved_on is None:
            return None
        return {
            "by": self.departure_approved_by,
            "on": self.departure_approved_on.isoformat(),
            "reason": self.departure_approval_reason,
            "fine_fen": self.departure_fine_fen,
        }


class CaseService(Base, TenantOwned):
    """A document served on the party (送达): the prior notice (处罚法 第四十四条) and the
    decision (第六十一条), by the ways of 民事诉讼法 第七编: direct, left at the address
    with a witness (第八十九条), electronic with consent (处罚法 第六十一条第二款), by
    post, or public notice, served 30 days after publication (第九十五条)."""

    __tablename__ = "case_service"
    __table_args__ = (
        _case_fk("case_service"),
        Index("uq_case_service_document", "tenant_id", "case_id", "document", unique=True),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant_key()
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    document: Mapped[str] = mapped_column(String(30))  # prior_notice | decision
    method: Mapped[str] = mapped_column(String(20), default="")  # "" for the prior notice
    served_on: Mapped[dt.date]
    recipient: Mapped[str] = mapped_column(String(200), default="")  # 受送达人
    published_on: Mapped[dt.date | None]  # public notice (第九十五条)
    witness: Mapped[str] = mapped_column(String(500), default="")  # left (第八十九条)
    untraceable: Mapped[str] = mapped_column(String(500), default="")  # why public notice


class CasePayment(Base, TenantOwned):
    """The fine paid under a general-procedure decision (处罚法 第六十七条), with the
    surcharge (加处罚款, 第七十二条第一款第(一)项: 3% a day, at most the fine) owed on the
    day and what an execution agreement waived of it (行政强制法 第四十二条第一款)."""

    __tablename__ = "case_payment"
    __table_args__ = (_case_fk("case_payment"),)

    tenant_id: Mapped[uuid.UUID] = _tenant_key()
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    paid_on: Mapped[dt.date]
    amount_fen: Mapped[int]
    fine_fen: Mapped[int | None]  # the fine owed when paid
    surcharge_fen: Mapped[int | None]  # accrued on the day paid; None: not recorded
    waived_fen: Mapped[int | None]  # of the surcharge, by an execution agreement


class CaseMeasure(Base, TenantOwned):
    """A compulsory measure (行政强制措施: 查封 seal / 扣押 seize) in a case, 行政强制法
    第三章: imposed with the head's approval (第十八条) or on the spot and approved within
    24 hours (第十九条); 30 days, once extended by at most 30 (第二十五条第一款), fixed
    testing periods not counted (第三款); ended by release, confiscation or transfer
    (第二十七条、第二十八条)."""

    __tablename__ = "case_measure"
    __table_args__ = (_case_fk("case_measure"),)

    tenant_id: Mapped[uuid.UUID] = _tenant_key()
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)  # the order imposed
    kind: Mapped[str] = mapped_column(String(10))  # seal | seize (第九条第(二)(三)项)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)  # the inventory (第二十四条)
    started_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]  # the period as it stands (extension and testing included)
    reason: Mapped[str] = mapped_column(String(2000), default="")  # 第十八条第(五)项
    basis: Mapped[str] = mapped_column(String(2000), default="")
    # The steps of 第十八条 as done on site (identity shown, told, the party or a witness)
    on_site: Mapped[dict] = mapped_column(JSON, default=dict)
    approved_by: Mapped[str] = mapped_column(String(120), default="")
    approved_at: Mapped[dt.datetime | None]
    emergency: Mapped[bool] = mapped_column(default=False)  # on the spot (第十九条)
    executed_at: Mapped[dt.datetime | None]
    approval_due: Mapped[dt.datetime | None]  # 24 hours after it was executed
    approval_refused: Mapped[bool] = mapped_column(default=False)
    extended_days: Mapped[int | None]  # 第二十五条第一款: once, at most 30
    extension_reason: Mapped[str] = mapped_column(String(2000), default="")
    testing: Mapped[list[list[str]]] = mapped_column(JSON, default=list)  # [start, end] ISO
    ended_on: Mapped[dt.date | None]
    outcome: Mapped[str] = mapped_column(String(20), default="")  # lifted|confiscated|transferred
    late: Mapped[bool | None]  # ended after its period ran out (第二十五条)
    release_ground: Mapped[str] = mapped_column(String(30), default="")  # 第二十八条第一款
    returned: Mapped[list[str] | None] = mapped_column(JSON)  # 第二十八条第二款
    # The documents issued on it ({kind, number, sha256}): the decision and its inventory
    # (第二十四条), the release (第二十八条); a later document cites the decision's number.
    documents: Mapped[list[dict] | None] = mapped_column(JSON)

    def as_dict(self) -> dict[str, Any]:
        """The measure in the shape the API, the documents and the rules have read."""
        found: dict[str, Any] = {
            "id": str(self.id),
            "kind": self.kind,
            "items": list(self.items or []),
            "started_on": self.started_on.isoformat(),
            "reason": self.reason,
            "basis": self.basis,
            "on_site": copy.deepcopy(self.on_site or {}),
        }
        if self.emergency:
            found["emergency"] = True
            found["executed_at"] = _iso(self.executed_at)
            found["approval_due"] = _iso(self.approval_due)
        if self.approved_by:
            found["approved_by"] = self.approved_by
        if self.ends_on is not None:  # None only while it is being computed
            found["ends_on"] = self.ends_on.isoformat()
        if self.approved_at is not None:
            found["approved_at"] = _iso(self.approved_at)
        if self.extended_days is not None:
            found["extended_days"] = self.extended_days
            found["extension_reason"] = self.extension_reason
        if self.testing:
            found["testing"] = [list(p) for p in self.testing]
        if self.ended_on is not None:
            found["ended_on"] = self.ended_on.isoformat()
            found["outcome"] = self.outcome
        if self.approval_refused:
            found["approval"] = "refused"
        if self.late is not None:
            found["late"] = self.late
        if self.release_ground:
            found["ground"] = self.release_ground
        if self.returned is not None:
            found["returned"] = list(self.returned)
        if self.documents is not None:
            found["documents"] = copy.deepcopy(self.documents)
        return found


def _iso(value: dt.datetime | None) -> str | None:
    """A moment as the officers read it: Beijing time (SQLite drops the zone: it was UTC)."""
    value = aware(value)
    return value.astimezone(SHANGHAI).isoformat() if value is not None else None


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored moment as an aware datetime (SQLite drops the zone; it was UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def details_of(
    case: Any,
    decision: CaseDecision | None,
    services: list[CaseService],
    payment: CasePayment | None,
    measures: list[CaseMeasure],
) -> dict[str, Any]:
    """The case's stage facts as the API has always shown them: the notes of `details`
    with the typed records put back where they were kept (a copy; never written)."""
    found = copy.deepcopy(case.details or {})
    for service in services:
        if service.document == "prior_notice":
            found.setdefault("prior_notice", {})["served_on"] = service.served_on.isoformat()
        elif service.document == "decision":
            facts = found.setdefault("service", {})
            if service.published_on is not None:
                facts["published_on"] = service.published_on.isoformat()
            facts.update(method=service.method, served_on=service.served_on.isoformat())
    if payment is not None:
        found.setdefault("execution", {}).update(
            paid_on=payment.paid_on.isoformat(), amount_fen=payment.amount_fen
        )
    if measures:
        found.setdefault("compulsory_measures", {})["measures"] = [m.as_dict() for m in measures]
    if decision is not None:
        if (approval := decision.departure_approval()) is not None:
            found["departure_approval"] = approval
        if decision.outcome in ("no_penalty", "not_established") and decision.number:
            outcome = found.setdefault("outcome", {})
            outcome["decision_number"] = decision.number
    return found
