"""Bulk import of agencies and officers from the XLSX (or CSV) template.

Every row is validated — by the same schemas and rules as the single-record API, and
against the other rows of the file — before anything is written. One bad row and the
whole file is refused with a row-by-row report; otherwise all rows are written in one
transaction.
"""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import Session

# The generic parts live in the shared module; the names stay importable from here.
from yimen.platform.api.spreadsheet import MAX_ROWS as MAX_ROWS
from yimen.platform.api.spreadsheet import XLSX_MAGIC as XLSX_MAGIC
from yimen.platform.api.spreadsheet import Column, RowReport
from yimen.platform.api.spreadsheet import parse_flag as _flag
from yimen.platform.api.spreadsheet import read_rows as read_rows
from yimen.platform.api.spreadsheet import split_list as _list
from yimen.platform.api.spreadsheet import template as template
from yimen.platform.kernel.directory import AGENCY_KIND_LABELS, Agency, RoleAssignment, Unit
from yimen.tenants.directory import service
from yimen.tenants.directory.rules import Granter
from yimen.tenants.directory.schemas import AgencyCreateSchema, OfficerCreateSchema
from yimen.tenants.identity import tasks as provisioning

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

_KIND_BY_LABEL = {
    label: kind.value
    for kind, (zh, en) in AGENCY_KIND_LABELS.items()
    for label in (zh, en, kind.value)
}


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


def import_officers(session: Session, rows: list[dict], granter: Granter) -> int:
    """Officers of the file, each with the roles its row names (officer if none); a row
    whose roles the importer may not grant (rules.grantable_roles) fails the file."""
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
        refused = service.role_change_error(
            granter, agency.code, (), loaded.get("roles", ["officer"])
        )
        if refused:
            report.add(number, refused.field, refused.message, refused.message_en)
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
