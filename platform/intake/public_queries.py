"""The public's read of a district's complaints (Open311 GeoReport v2 `GET requests`).

Which complaints, over what time and how many: by receipt codes (at most `MAX_IDS` a
call, so that with the read rate limit codes cannot be swept), or by matter, status and
the date filed. GeoReport v2 bounds a query without ids: a date range spans at most 90
days, no dates means the last 90 days, and at most 1,000 requests come back — the newest
first. What each complaint shows is public_record's to decide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.intake.model import Clue
from yimen.platform.intake.public_record import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PUBLIC_CHANNELS,
    PublicRequest,
    public_request,
)
from yimen.platform.kernel import clock
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import invalid
from yimen.tenants.powers.matters import matter_names

WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 10
_STATUSES = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}


@dataclass(frozen=True)
class RequestQuery:
    """GeoReport's filters; empty means any. `start`/`end` bound the date filed."""

    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # open | closed
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def window(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """The period a query covers: at most 90 days, the last 90 when neither end is given."""
    if start is None:
        end = end or clock.now()
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise invalid("end_date", "结束时间早于开始时间。", "end_date is before start_date.")
    if end - start > WINDOW:
        raise invalid(
            "end_date",
            "查询时间段不得超过 90 天。",
            "start_date to end_date may not span more than 90 days.",
        )
    return start, end


def public_requests(session: Session, query: RequestQuery) -> list[PublicRequest]:
    """The district's public complaints that match, newest first, at most `MAX_RESULTS`."""
    unknown = set(query.statuses) - set(_STATUSES)
    if unknown:
        raise invalid("status", "状态只能是 open 或 closed。", "status is open or closed.")
    start, end = window(query.start, query.end)
    statement = (
        select(Clue)
        .where(
            Clue.source.in_(PUBLIC_CHANNELS),
            Clue.created_at >= start,
            Clue.created_at <= end,
        )
        .order_by(Clue.created_at.desc(), Clue.receipt_code)
        .limit(MAX_RESULTS)
    )
    if query.service_codes:
        statement = statement.where(Clue.matter_code.in_(query.service_codes))
    if query.statuses:
        wanted = [status for name in query.statuses for status in _STATUSES[name]]
        statement = statement.where(Clue.status.in_(wanted))
    return _shown(session, list(session.execute(statement).scalars()))


def public_requests_by_code(session: Session, codes: list[str]) -> list[PublicRequest]:
    """The public complaints with these receipt codes (the first `MAX_IDS` only)."""
    wanted = [code.strip().upper() for code in codes if code.strip()][:MAX_IDS]
    if not wanted:
        return []
    clues = session.execute(
        select(Clue)
        .where(Clue.receipt_code.in_(wanted), Clue.source.in_(PUBLIC_CHANNELS))
        .order_by(Clue.created_at.desc())
    ).scalars()
    return _shown(session, list(clues))


def _shown(session: Session, clues: list[Clue]) -> list[PublicRequest]:
    agencies = {c.agency_id for c in clues if c.agency_id is not None}
    names = (
        dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agencies))).all())
        if agencies
        else {}
    )
    matters = matter_names(session, {c.matter_code for c in clues if c.matter_code})
    return [
        public_request(c, names.get(c.agency_id), matters.get(c.matter_code or "")) for c in clues
    ]
