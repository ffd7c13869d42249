"""Where pulled cases land: one row per (district, connector, upstream id), and per
(district, connector) the state of the pulls.

A pulled case is a copy of the upstream's record, read-only here: it is shown to the
district's supervisory roles and to the agency that owns it, counted in supervision
figures, matched to one of the district's own cases where it is the same case, and
never sent back upstream (nothing the platform publishes is made from it; an event about
one would carry the connector's name as its `origin`).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import JSON, ColumnElement, Index, String, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow
from yimen.platform.kernel.db.agency_scope import AgencyScope, scoped_by_agency
from yimen.platform.kernel.directory import Agency


class MatchState(enum.StrEnum):
    UNMATCHED = "unmatched"  # no case of the district is this one (yet)
    LINKED = "linked"  # credit code and decision number both agree: the same case
    PROPOSED = "proposed"  # party, matter and date look alike: a person decides
    CONFIRMED = "confirmed"  # a person said the proposal is the same case
    REJECTED = "rejected"  # a person said it is not (never proposed again)


MATCHED = (MatchState.LINKED.value, MatchState.CONFIRMED.value)


class ExternalCase(Base, TenantOwned):
    __tablename__ = "external_case"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connector", "upstream_id"),
        tenant_fk("agency_id", "agency"),
        tenant_fk("case_id", "enforcement_case"),
        Index("ix_external_case_agency", "tenant_id", "agency_id", "decision_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(String(40))  # the origin of every change
    upstream_id: Mapped[str] = mapped_column(String(64))
    agency_code: Mapped[str] = mapped_column(String(40), default="")  # as upstream says
    agency_id: Mapped[uuid.UUID | None]  # the district's agency of that code, if any
    party_kind: Mapped[str] = mapped_column(String(20), default="organisation")
    party_name: Mapped[str] = mapped_column(String(200), default="")  # a person's: masked
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    matter_code: Mapped[str] = mapped_column(String(40), default="")
    matter_name: Mapped[str] = mapped_column(String(200), default="")
    decision_number: Mapped[str] = mapped_column(String(80), default="")
    decision_date: Mapped[dt.date | None]
    fine_fen: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(30), default="")
    upstream_updated_at: Mapped[dt.datetime]
    first_pulled_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # the district's own case: linked, confirmed — or proposed, awaiting a person
    case_id: Mapped[uuid.UUID | None]
    match_state: Mapped[str] = mapped_column(String(20), default=MatchState.UNMATCHED.value)
    match_reason: Mapped[str] = mapped_column(String(200), default="")
    matched_by: Mapped[str] = mapped_column(String(120), default="")  # "" when automatic
    matched_at: Mapped[dt.datetime | None]
    rejected_case_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version, "primary_key": [id]}


class ExternalSource(Base, TenantOwned):
    """A district's pulls from one connector: where the last finished pass ended (the
    watermark), the pass under way with its cursor (so a pass cut short resumes there),
    and the district's setting whether pulled cases also go on to disclosure and credit
    (off by default: the vertical system usually publishes them itself)."""

    __tablename__ = "external_source"
    __table_args__ = (UniqueConstraint("tenant_id", "connector"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(String(40))
    onward: Mapped[bool] = mapped_column(default=False)  # also to disclosure and credit
    watermark: Mapped[dt.datetime | None]
    last_full_pass_at: Mapped[dt.datetime | None]
    pass_since: Mapped[dt.datetime | None]
    pass_until: Mapped[dt.datetime | None]  # set while a pass is under way
    pass_full: Mapped[bool] = mapped_column(default=False)
    cursor: Mapped[str | None] = mapped_column(String(2000))
    last_run_at: Mapped[dt.datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")
    updated_by: Mapped[str] = mapped_column(String(120), default="")


def _agency_reach(scope: AgencyScope) -> ColumnElement[bool]:
    """An agency's staff read the pulled cases of their own agency."""
    if scope.agency_code is None:
        return false()
    return ExternalCase.agency_id == (
        select(Agency.id).where(Agency.code == scope.agency_code).scalar_subquery()
    )


scoped_by_agency(ExternalCase, _agency_reach)
