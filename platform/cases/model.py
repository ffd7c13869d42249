"""A case file. The one door hands a clue over as a draft at the filing stage (立案);
the case engine takes it from there."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.db import Base, TenantOwned, new_id, utcnow


class Stage(enum.StrEnum):
    FILING = "filing"  # 立案


class CaseStatus(enum.StrEnum):
    DRAFT = "draft"  # not yet approved for filing


class Case(Base, TenantOwned):
    __tablename__ = "enforcement_case"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agency.id"), index=True)
    clue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clue.id"), index=True)
    matter_code: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(30), default=Stage.FILING.value)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.DRAFT.value)
    facts: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
