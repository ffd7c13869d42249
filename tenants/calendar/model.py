"""The region-wide calendar (reference data, not tenant-owned)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, citus_reference, utcnow
from yimen.tenants.calendar.rules import DayKind

YEAR_PROPOSED = "proposed"
YEAR_APPROVED = "approved"


class CalendarYear(Base):
    """A year's arrangement and the State Council notice it came from. An operator's
    import is `proposed` until a different operator approves it (maker–checker)."""

    __tablename__ = "calendar_year"
    __table_args__ = citus_reference()
    __audited__ = False

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    loaded_by: Mapped[str] = mapped_column(String(120))
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[dt.datetime | None]


class CalendarDay(Base):
    __tablename__ = "calendar_day"
    __table_args__ = (Index("ix_calendar_day_year", "year"), citus_reference())

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    year: Mapped[int]
    kind: Mapped[DayKind] = mapped_column(
        Enum(DayKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    is_working_day: Mapped[bool]
    name: Mapped[str] = mapped_column(String(60), default="")
