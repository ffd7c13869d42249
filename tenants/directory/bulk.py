"""Bulk import of agencies and officers from the XLSX (or CSV) template.

Every row is validated — by the same schemas and rules as the single-record API, and
against the other rows of the file — before anything is written. One bad row and the
whole file is refused with a row-by-row report; otherwise all rows are written in one
transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import marshmallow as ma
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.api.problems import Problem, translate
from yimen.tenants.directory import service
from yimen.tenants.directory.model import AGENCY_KIND_LABELS, Agency, RoleAssignment, Unit
from yimen.tenants.directory.schemas import AgencyCreateSchema, OfficerCreateSchema
from yimen.tenants.identity import tasks as provisioning

MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    example: str
    required: bool = False

    @property
    def header(self) -> str:
        return f"{self.zh} ({self.en})"


AGENCY_COLUMNS = (
    Column("code", "部门编码", "code", "zhzf", True),
    Column("name", "部门名称", "name", "玄武区综合行政执法局", True),
    Column("name_en", "英文名称", "English name", "Xuanwu Comprehensive Enforcement Bureau"),
    Column("credit_code", "统一社会信用代码", "credit code", "11320102MB0000101A", True),
    Column("kind", "部门类别", "kind", "综合行政执法局", True),
    Column("domains", "执法领域", "domains", "urban_management、environment"),
    Column("has_compulsory_power", "有强制执行权", "compulsory execution power", "是"),
    Column("doc_prefix", "文书字号前缀", "document prefix", "玄综执罚"),
    Column("staffing_quota", "编制数", "staffing quota", "120"),
    Column("confirm_credit_code", "确认信用代码", "confirm credit code", "否"),
)

OFFICER_COLUMNS = (
    Column("username", "用户名", "username", "xuanwu.lisi", True),
    Column("name", "姓名", "name", "李四", True),
    Column("agency_code", "部门编码", "agency code", "zhzf", True),
    Column("unit", "单位", "unit", "市容环卫中队"),
    Column("certificate_no", "执法证号", "certificate number", "苏32010200101"),
    Column("certificate_domains", "执法证领域", "certificate domains", "urban_management"),
    Column("certificate_valid_until", "执法证有效期至", "certificate valid until", "2029-12-31"),
    Column("roles", "角色", "roles", "officer"),
)

_YES = {"是", "yes", "true", "1", "y"}
_NO = {"否", "no", "false", "0", "n", ""}
_KIND_BY_LABEL = {
    label: kind.value
    for kind, (zh, en) in AGENCY_KIND_LABELS.items()
    for label in (zh, en, kind.value)
}


def template(columns: tuple[Column, ...]) -> bytes:
    """An XLSX with the header row and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "导入 import"
    sheet.append([c.header for c in columns])
    sheet.append([c.example for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            14, len(column.header) + 4
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(content: bytes, filename: str, columns: tuple[Column, ...]) -> list[dict]:
    """Rows as dicts keyed by column key; the header may use the Chinese or English name."""
    if content.startswith(XLSX_MAGIC):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise _bad_file("无法读取该 XLSX 文件。", "The XLSX file cannot be read.") from exc
        raw = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _bad_file(
                "文件应为 XLSX 或 UTF-8 编码的 CSV。", "The file must be XLSX or UTF-8 CSV."
            ) from exc
        raw = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    raw = [r for r in raw if any(r)]
    if not raw:
        raise _bad_file("文件为空。", "The file is empty.")
    keys = _header_keys(raw[0], columns)
    rows = [dict(zip(keys, r, strict=False)) for r in raw[1:]]
    if len(rows) > MAX_ROWS:
        raise _bad_file(f"一次最多导入 {MAX_ROWS} 行。", f"At most {MAX_ROWS} rows per file.")
    return [{k: v for k, v in row.items() if k} for row in rows]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_keys(header: list[str], columns: tuple[Column, ...]) -> list[str | None]:
    names = {}
    for c in columns:
        for label in (c.header, c.zh, c.en, c.key):
            names[label.strip().lower()] = c.key
    keys = [names.get(str(h).strip().lower()) for h in header]
    missing = [c for c in columns if c.required and c.key not in keys]
    if missing:
        listed = "、".join(c.zh for c in missing)
        raise _bad_file(
            f"表头缺少必填列：{listed}。",
            "Missing required columns: " + ", ".join(c.en for c in missing) + ".",
        )
    return keys


def _bad_file(zh: str, en: str) -> Problem:
    return Problem(422, "invalid-import-file", zh, en)


def _list(value: str) -> list[str]:
    return [
        v.strip()
        for v in value.replace("，", ",").replace("、", ",").replace(";", ",").split(",")
        if v.strip()
    ]


def _flag(value: str) -> bool | str:
    lowered = value.strip().lower()
    return True if lowered in _YES else False if lowered in _NO else value


class RowReport:
    def __init__(self) -> None:
        self.errors: list[dict] = []

    def add(self, row: int, field: str, zh: str, en: str) -> None:
        self.errors.append({"row": row, "field": field, "message": zh, "message_en": en})

    def add_schema(self, row: int, messages: dict) -> None:
        for field, items in messages.items():
            for item in items if isinstance(items, list) else [items]:
                if isinstance(item, dict):
                    self.add_schema(row, {f"{field}.{k}": v for k, v in item.items()})
                    continue
                zh, en = translate(item)
                self.add(row, field, zh, en)

    def raise_if_any(self, total: int) -> None:
        if self.errors:
            bad_rows = len({e["row"] for e in self.errors})
            raise Problem(
                422,
                "import-rejected",
                f"共 {total} 行，其中 {bad_rows} 行有误，未导入任何数据。请按报告修改后重新导入。",
                f"{bad_rows} of {total} rows are invalid; nothing was imported. Fix them and import again.",
                extra={"rows": self.errors, "total_rows": total, "invalid_rows": bad_rows},
            )


def import_agencies(session: Session, rows: list[dict]) -> int:
    report, parsed = RowReport(), []
    seen_codes, seen_credit = {}, {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        data = {k: v for k, v in row.items() if v != ""}
        if "kind" in data:
            data["kind"] = _KIND_BY_LABEL.get(data["kind"], data["kind"])
        for key in ("has_compulsory_power", "confirm_credit_code"):
            if key in data:
                data[key] = _flag(data[key])
        if "domains" in data:
            data["domains"] = _list(data["domains"])
        try:
            loaded = AgencyCreateSchema().load(data)
        except ma.ValidationError as err:
            report.add_schema(number, err.messages)
            continue
        confirm = loaded.pop("confirm_credit_code", False)
        for error in service.validate_agency(session, loaded, confirm):
            report.add(number, error.field, error.message, error.message_en)
        for key, seen in (("code", seen_codes), ("credit_code", seen_credit)):
            if loaded[key] in seen:
                report.add(
                    number,
                    key,
                    f"与第 {seen[loaded[key]]} 行重复。",
                    f"Duplicates row {seen[loaded[key]]}.",
                )
            seen.setdefault(loaded[key], number)
        parsed.append(loaded)
    report.raise_if_any(len(rows))
    agencies = [Agency(**data) for data in parsed]
    session.add_all(agencies)
    session.flush()
    for agency in agencies:
        provisioning.request(session, "agency", agency.id)
    session.commit()
    return len(parsed)


def import_officers(session: Session, rows: list[dict]) -> int:
    agencies = {a.code: a for a in session.execute(select(Agency)).scalars()}
    units = {(u.agency_id, u.name): u for u in session.execute(select(Unit)).scalars()}
    report, parsed = RowReport(), []
    seen_user, seen_cert = {}, {}
    for number, row in enumerate(rows, start=2):
        data = {k: v for k, v in row.items() if v != ""}
        agency = agencies.get(data.pop("agency_code", ""))
        if agency is None:
            report.add(number, "agency_code", "部门编码不存在。", "Unknown agency code.")
            continue
        unit_name = data.pop("unit", None)
        if unit_name:
            unit = units.get((agency.id, unit_name))
            if unit is None:
                report.add(
                    number,
                    "unit",
                    f"该部门没有单位「{unit_name}」。",
                    f"The agency has no unit '{unit_name}'.",
                )
                continue
            data["unit_id"] = str(unit.id)
        for key in ("certificate_domains", "roles"):
            if key in data:
                data[key] = _list(data[key])
        data["agency_id"] = str(agency.id)
        try:
            loaded = OfficerCreateSchema().load(data)
        except ma.ValidationError as err:
            report.add_schema(number, err.messages)
            continue
        for error in service.validate_officer(session, loaded):
            report.add(number, error.field, error.message, error.message_en)
        for key, seen in (("username", seen_user), ("certificate_no", seen_cert)):
            value = loaded.get(key)
            if value and value in seen:
                report.add(
                    number, key, f"与第 {seen[value]} 行重复。", f"Duplicates row {seen[value]}."
                )
            if value:
                seen.setdefault(value, number)
        parsed.append(loaded)
    report.raise_if_any(len(rows))
    for data in parsed:
        roles = data.pop("roles", ["officer"])
        officer = service.new_officer(data)
        officer.role_assignments = [RoleAssignment(role=r) for r in dict.fromkeys(roles)]
        session.add(officer)
        provisioning.request(session, "officer", officer.id)
    session.commit()
    return len(parsed)
