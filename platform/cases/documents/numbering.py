"""Gapless document numbers (文书字号) per agency, kind and year: 玄综执罚〔2026〕12号.

The counter row for (agency, kind, year) is incremented with
`UPDATE … SET last = last + 1 … RETURNING last`, which holds the row lock until the
caller's transaction ends: concurrent issues queue behind it, and a rolled-back issue
gives its number back (the next one gets it again). The row is created on first use with
`INSERT … ON CONFLICT DO NOTHING`, so two first issues at once do not collide.

The year is the year of issue in Asia/Shanghai (a document issued at 2026-12-31 20:00
UTC is a 2027 document).
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yimen.platform.cases.documents.model import DocumentCounter
from yimen.platform.kernel.db import current_tenant_id
from yimen.platform.kernel.directory import Agency

SHANGHAI = ZoneInfo("Asia/Shanghai")
CASE_NUMBER = "案件"  # the counter of case numbers (案号), given at filing approval

# The word after the agency's prefix, per numbered kind. Kinds not listed (笔录, 送达回证,
# 审批表 …) carry no number of their own; the approval forms show the case number.
WORDS: dict[str, str] = {
    CASE_NUMBER: "立",
    "不予立案决定书": "不立",
    "责令改正通知书": "责改",
    "查封扣押决定书": "封扣",
    "延长查封、扣押期限决定书": "延封扣",
    "检测、检验、检疫、技术鉴定期间告知书": "检告",
    "解除查封、扣押决定书": "解封扣",
    "先行登记保存通知书": "先保",
    "行政处罚事先告知书": "告",
    "听证通知书": "听",
    "法制审核意见书": "审",
    "行政处罚决定书": "罚",
    "不予行政处罚决定书": "不罚",
    "当场处罚决定书": "简罚",
    "催告书": "催",
    "强制执行决定书": "强执",
    "强制执行申请书": "执申",
    "代履行决定书": "代履",
}


def year_of(moment: dt.datetime) -> int:
    return moment.astimezone(SHANGHAI).year


def stem(agency: Agency) -> str:
    """The agency's prefix without the decision's word: directories record it as the
    decision prefix ('玄综执罚') or bare ('玄综执'); both give 玄综执."""
    prefix = agency.doc_prefix.strip() or agency.name
    return prefix.removesuffix(WORDS["行政处罚决定书"])


def numbered(kind: str) -> bool:
    return kind in WORDS


def format_number(agency: Agency, kind: str, year: int, serial: int) -> str:
    return f"{stem(agency)}{WORDS[kind]}〔{year}〕{serial}号"


def next_serial(session: Session, agency_id: uuid.UUID, kind: str, year: int) -> int:
    """The next number of the sequence, locked until the caller's transaction ends."""
    serial = _increment(session, agency_id, kind, year)
    if serial is None:
        _create(session, agency_id, kind, year)
        serial = _increment(session, agency_id, kind, year)
    assert serial is not None
    return serial


def _increment(session: Session, agency_id: uuid.UUID, kind: str, year: int) -> int | None:
    statement = (
        update(DocumentCounter)
        .where(
            DocumentCounter.agency_id == agency_id,
            DocumentCounter.kind == kind,
            DocumentCounter.year == year,
        )
        .values(last=DocumentCounter.last + 1)
        .returning(DocumentCounter.last)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).scalar_one_or_none()


def _create(session: Session, agency_id: uuid.UUID, kind: str, year: int) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(DocumentCounter).values(
        id=uuid.uuid4(),
        tenant_id=current_tenant_id(),
        agency_id=agency_id,
        kind=kind,
        year=year,
        last=0,
    )
    session.execute(
        statement.on_conflict_do_nothing(index_elements=["tenant_id", "agency_id", "kind", "year"])
    )


def next_number(
    session: Session, agency: Agency, kind: str, moment: dt.datetime
) -> tuple[str, int]:
    """The formatted number and its serial for a document of `kind` issued at `moment`."""
    year = year_of(moment)
    serial = next_serial(session, agency.id, kind, year)
    return format_number(agency, kind, year, serial), serial
