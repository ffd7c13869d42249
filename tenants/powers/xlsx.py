"""The catalog as XLSX: export it, or import new and changed matters — all rows or none.

Three sheets. 「执法事项」 (the first; a CSV file is read as this sheet alone) has one row
per matter. 「裁量基准」 has one row per discretion tier; a matter's tiers come from it
when it has rows for the matter, otherwise they are computed from the fine range
(国办发〔2022〕27号). 「移送标准」 has one row per criminal-transfer figure; when the sheet has
rows it states the figures of every matter of the file, when it is missing or empty the
stored figures stay. Every cell is checked before anything is written; one bad cell and
the whole file is refused with a report naming sheet, row and field.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.api.spreadsheet import RowReport, read_rows, write_sheet
from yimen.tenants.powers.matters import apply_fields
from yimen.tenants.powers.model import EnforcementMatter
from yimen.tenants.powers.rules import (
    PARTY_TYPES,
    PENALTY_KINDS,
    TIER_NAMES,
    benchmark,
    provision_text,
)
from yimen.tenants.powers.xlsx_rows import (
    MATTER_COLUMNS,
    MATTERS_SHEET,
    THRESHOLD_COLUMNS,
    THRESHOLDS_SHEET,
    TIER_COLUMNS,
    TIERS_SHEET,
    parse_matters,
    parse_thresholds,
    parse_tiers,
)

# --- export -----------------------------------------------------------------------


def export(session: Session) -> bytes:
    matters = session.execute(select(EnforcementMatter).order_by(EnforcementMatter.code)).scalars()
    book = Workbook()
    sheets = (book.active, book.create_sheet(TIERS_SHEET), book.create_sheet(THRESHOLDS_SHEET))
    sheets[0].title = MATTERS_SHEET
    rows: tuple[list, list, list] = ([], [], [])
    for m in matters:
        rows[0].append(_matter_row(m))
        for t in m.benchmark:
            rows[1].append(
                [
                    m.code,
                    TIER_NAMES.get(t["tier"], t["tier"]),
                    PARTY_TYPES[t.get("party_type", "any")][0],
                    t.get("circumstances", ""),
                    t["fine_min"],
                    t["fine_max"],
                    "、".join(PENALTY_KINDS[k][0] for k in t.get("other_penalties", [])),
                ]
            )
        for v in m.threshold_values:
            rows[2].append([m.code, v["metric"], v["label"], v["value"], v["unit"]])
    for sheet, columns, data in zip(
        sheets, (MATTER_COLUMNS, TIER_COLUMNS, THRESHOLD_COLUMNS), rows, strict=True
    ):
        write_sheet(sheet, columns, data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _matter_row(m: EnforcementMatter) -> list:
    return [
        m.code,
        m.name,
        m.domain,
        "；".join(provision_text(p) for p in m.basis),
        m.law,
        m.article,
        "、".join(PENALTY_KINDS[k][0] for k in m.penalty_kinds),
        PARTY_TYPES[m.party_type][0],
        m.fine_min,
        m.fine_max,
        m.fine_rule,
        "是" if m.is_major else "否",
        m.criminal_threshold,
        m.effective_from.isoformat(),
        m.effective_to.isoformat() if m.effective_to else "",
        m.version,
    ]


# --- import -----------------------------------------------------------------------


def import_file(session: Session, content: bytes, filename: str) -> dict:
    """Create or update matters by code from an exported (or hand-made) workbook."""
    rows = read_rows(content, filename, MATTER_COLUMNS)
    tier_rows = read_rows(content, filename, TIER_COLUMNS, TIERS_SHEET, optional=True)
    threshold_rows = read_rows(
        content, filename, THRESHOLD_COLUMNS, THRESHOLDS_SHEET, optional=True
    )
    report = RowReport()
    parsed = parse_matters(rows, report)
    tiers = parse_tiers(tier_rows, parsed, report)
    thresholds = parse_thresholds(threshold_rows, parsed, report)
    report.raise_if_any(len(rows) + len(tier_rows) + len(threshold_rows))
    existing = {m.code: m for m in session.execute(select(EnforcementMatter)).scalars()}
    created = changed = 0
    for code, data in parsed.items():
        if code in tiers:
            data["benchmark"] = tiers[code]
        elif data["fine_min"] is not None:
            data["benchmark"] = [
                t.as_dict()
                for t in benchmark(
                    data["fine_min"], data["fine_max"], data["party_type"], data["penalty_kinds"]
                )
            ]
        else:
            data["benchmark"] = []
        if threshold_rows:
            data["threshold_values"] = thresholds.get(code, [])
        matter = existing.get(code)
        if matter is None:
            data.setdefault("threshold_values", [])
            data["effective_from"] = data["effective_from"] or dt.date.today()
            session.add(EnforcementMatter(**data, origin="import"))
            created += 1
            continue
        if data["effective_from"] is None:
            data.pop("effective_from")
        if apply_fields(matter, data):
            matter.origin = "import"
            changed += 1
    session.flush()  # the caller's unit of work commits
    return {"imported": len(rows), "created": created, "changed": changed}
