"""The catalog as XLSX: export it, or import new and changed matters (all rows or none)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.tenants.directory.bulk import Column, RowReport, _list
from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.model import EnforcementMatter
from yimen.tenants.powers.rules import PENALTY_KINDS, benchmark

COLUMNS = (
    Column("code", "事项编码", "code", "CG-0001", True),
    Column("name", "事项名称", "name", "随地吐痰、便溺", True),
    Column("domain", "执法领域", "domain", "urban_management", True),
    Column("law", "法律依据", "law", "《城市市容和环境卫生管理条例》", True),
    Column("article", "条款", "article", "第三十四条", True),
    Column("penalty_kinds", "处罚种类", "penalty kinds", "warning、fine"),
    Column("fine_min", "罚款下限(元)", "fine min (yuan)", ""),
    Column("fine_max", "罚款上限(元)", "fine max (yuan)", ""),
    Column("fine_rule", "罚款规则", "fine rule", ""),
    Column("is_major", "重大执法决定", "major decision", "否"),
    Column("criminal_threshold", "移送司法标准", "criminal threshold", ""),
)


def export(session: Session) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "执法事项目录"
    sheet.append([c.header for c in COLUMNS])
    for m in session.execute(select(EnforcementMatter).order_by(EnforcementMatter.code)).scalars():
        sheet.append(
            [
                m.code,
                m.name,
                m.domain,
                m.law,
                m.article,
                "、".join(m.penalty_kinds),
                m.fine_min,
                m.fine_max,
                m.fine_rule,
                "是" if m.is_major else "否",
                m.criminal_threshold,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _int(value: str, report: RowReport, row: int, field: str) -> int | None:
    if value in ("", None):
        return None
    try:
        number = int(float(value))
    except ValueError:
        report.add(row, field, "应为整数 (元)。", "Must be a whole number of yuan.")
        return None
    if number < 0:
        report.add(row, field, "不能为负数。", "Cannot be negative.")
    return number


def import_rows(session: Session, rows: list[dict]) -> int:
    """Create or update matters by code; one bad row and nothing is written."""
    report, parsed, seen = RowReport(), [], {}
    for number, row in enumerate(rows, start=2):
        code = row.get("code", "")
        for key in ("code", "name", "domain", "law", "article"):
            if not row.get(key):
                report.add(number, key, "此字段为必填项。", "Missing data for required field.")
        if row.get("domain") and row["domain"] not in DOMAINS:
            report.add(
                number,
                "domain",
                f"未知执法领域「{row['domain']}」。",
                f"Unknown domain '{row['domain']}'.",
            )
        kinds = _list(row.get("penalty_kinds", ""))
        for kind in kinds:
            if kind not in PENALTY_KINDS:
                report.add(
                    number,
                    "penalty_kinds",
                    f"未知处罚种类「{kind}」(见《行政处罚法》第九条)。",
                    f"Unknown penalty kind '{kind}'.",
                )
        fine_min = _int(row.get("fine_min", ""), report, number, "fine_min")
        fine_max = _int(row.get("fine_max", ""), report, number, "fine_max")
        if (fine_min is None) != (fine_max is None) or (
            fine_min is not None and fine_max < fine_min
        ):
            report.add(
                number,
                "fine_max",
                "罚款上下限应同时填写，且上限不小于下限。",
                "Give both fine bounds, max ≥ min.",
            )
        if code in seen:
            report.add(
                number, "code", f"与第 {seen[code]} 行重复。", f"Duplicates row {seen[code]}."
            )
        seen.setdefault(code, number)
        parsed.append(
            {
                **row,
                "penalty_kinds": kinds,
                "fine_min": fine_min,
                "fine_max": fine_max,
                "is_major": row.get("is_major", "").strip().lower() in ("是", "yes", "true", "1"),
            }
        )
    report.raise_if_any(len(rows))
    existing = {m.code: m for m in session.execute(select(EnforcementMatter)).scalars()}
    for data in parsed:
        matter = existing.get(data["code"]) or EnforcementMatter(code=data["code"])
        changed = matter.id is not None
        for key in (
            "name",
            "domain",
            "law",
            "article",
            "penalty_kinds",
            "fine_min",
            "fine_max",
            "fine_rule",
            "is_major",
            "criminal_threshold",
        ):
            setattr(
                matter,
                key,
                data.get(key)
                if data.get(key) is not None
                else ("" if key in ("fine_rule", "criminal_threshold") else None),
            )
        matter.benchmark = (
            [t.as_dict() for t in benchmark(data["fine_min"], data["fine_max"])]
            if data["fine_min"] is not None
            else []
        )
        if changed:
            matter.version = (matter.version or 1) + 1
        session.add(matter)
    session.commit()
    return len(parsed)
