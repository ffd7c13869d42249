"""Clues (线索) and the steps of their routing."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    JSON,
    ColumnElement,
    Float,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow
from yimen.platform.kernel.db.agency_scope import AgencyScope, Participation, scoped_by_agency
from yimen.platform.kernel.directory import Agency


class Source(enum.StrEnum):
    PUBLIC_WEB = "public_web"
    API = "api"
    OPEN311 = "open311"
    HOTLINE = "hotline"  # 12319, the enforcement hotline
    HOTLINE_12345 = "hotline_12345"  # 12345, the government service hotline's work orders
    PATROL = "patrol"
    INSPECTION = "inspection"
    UPPER_LEVEL = "upper_level"
    POLICE = "police"


class Clue(Base, TenantOwned):
    """One complaint or clue; always in exactly one queue (see rules.queue_of)."""

    __tablename__ = "clue"
    __table_args__ = (
        UniqueConstraint("tenant_id", "receipt_code"),
        # A clue with an outside system's id is keyed by it: an inbound clue (upper-level
        # system, police) by its sender's id, so a replay finds the clue it already made;
        # a hotline call by the call's id, a 12345 work order by its order number, whether
        # an operator typed it or the 12345 platform pushed it (rules.natural_ref).
        UniqueConstraint("tenant_id", "source", "source_ref"),
        tenant_fk("agency_id", "agency"),
        tenant_fk("group_id", "clue_group"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    receipt_code: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(20))
    matter_code: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    source_ref: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime | None]
    received_at: Mapped[dt.datetime | None]  # when the hotline took the call (or the order)
    # A 12345 work order's level ("normal" | "urgent", the hotline's 普通 | 紧急) and the
    # moment the hotline wants the district's answer by.
    urgency: Mapped[str | None] = mapped_column(String(10))
    reply_due: Mapped[dt.datetime | None]
    anonymous: Mapped[bool] = mapped_column(default=False)
    complainant_name: Mapped[str] = mapped_column(String(50), default="")
    complainant_phone: Mapped[str] = mapped_column(
        String(20), default=""
    )  # personal data: masked on read
    status: Mapped[str] = mapped_column(String(20), index=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    transfers: Mapped[int] = mapped_column(default=0)
    designated: Mapped[bool] = mapped_column(default=False)
    joint_agency_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    accept_due: Mapped[dt.date | None]
    escalated_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(30))
    closed_at: Mapped[dt.datetime | None]
    reopened: Mapped[int] = mapped_column(default=0)
    satisfaction: Mapped[int | None]  # 1..5, the complainant's rating
    group_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    steps: Mapped[list[ClueStep]] = relationship(
        lazy="selectin", order_by="ClueStep.at", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version, "primary_key": [id]}


class ClueGroup(Base, TenantOwned):
    """Complaints about the same thing, handled as one through the lead clue."""

    __tablename__ = "clue_group"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    lead_clue_id: Mapped[uuid.UUID]  # the clue that carries the handling
    matter_code: Mapped[str | None] = mapped_column(String(20))
    confirmed_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ClueStep(Base, TenantOwned):
    __tablename__ = "clue_step"
    __table_args__ = (tenant_fk("clue_id", "clue"), tenant_fk("agency_id", "agency"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    clue_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The acceptance deadline this step gave the agency it offered or transferred the clue
    # to (each agency its own period, from the offer or the transfer); the first one is
    # the promise made to the complainant.
    due: Mapped[dt.date | None]


class ClueParticipant(Base, TenantOwned, Participation):
    """An agency taking part in a clue (kernel/db/agency_scope.py): the agency it was
    offered to (lead), one it was transferred to (receiving), the lead and the joint
    agencies the legal-affairs office designated. An agency that passed a clue on keeps
    following what became of it. Written by the use cases of the one door."""

    __tablename__ = "clue_participant"
    __table_args__ = (
        tenant_fk("clue_id", "clue"),
        tenant_fk("agency_id", "agency"),
        Index("ix_clue_participant_current", "agency_id", "clue_id", "until"),
        # An agency's current reach, read by every list it sees (migration 20261207_0210).
        Index(
            "ix_clue_participant_reach",
            "tenant_id",
            "agency_id",
            "clue_id",
            postgresql_where=text("until IS NULL"),
            sqlite_where=text("until IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    clue_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # Never loaded; it tells the unit of work to insert a new clue before its participants.
    clue: Mapped[Clue] = relationship(lazy="raise")


def _clue_reach(scope: AgencyScope) -> ColumnElement[bool]:
    """The clues its agency takes part in now, and those the caller entered (a hotline
    operator's calls: the first step of the clue is theirs)."""
    clauses = []
    if scope.agency_code is not None:
        agency = select(Agency.id).where(Agency.code == scope.agency_code).scalar_subquery()
        clauses.append(
            Clue.id.in_(
                select(ClueParticipant.clue_id).where(
                    ClueParticipant.agency_id == agency, ClueParticipant.until.is_(None)
                )
            )
        )
    if scope.entered_by is not None:
        first_actor = (
            select(ClueStep.actor)
            .where(ClueStep.clue_id == Clue.id)
            .order_by(ClueStep.at)
            .limit(1)
            .correlate(Clue)
            .scalar_subquery()
        )
        clauses.append(first_actor == scope.entered_by)
    return or_(*clauses) if clauses else false()


scoped_by_agency(Clue, _clue_reach)
