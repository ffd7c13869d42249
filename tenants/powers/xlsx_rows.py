"""Reading the catalog workbook: its columns, and each sheet's rows checked cell by cell
into the fields of matters, tiers and criminal-transfer figures, every problem noted in
the report (sheet, row, field, Chinese and English)."""

from __future__ import annotations

import datetime as dt
import re

from yimen.platform.api.spreadsheet import Column, RowReport, parse_flag, split_list
from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.rules import (
    PARTY_TYPES,
    PENALTY_KINDS,
    TIER_NAMES,
    is_major,
    parse_provisions,
    split_article,
    tier_errors,
)

MATTERS_SHEET, TIERS_SHEET, THRESHOLDS_SHEET = "执法事项", "裁量基准", "移送标准"
MAX_YUAN = 1_000_000_000  # ten figures of yuan: beyond any statutory fine

MATTER_COLUMNS = (
    Column("code", "事项编码", "code", "CG-0001", True),
    Column("name", "事项名称", "name", "随地吐痰、便溺", True),
    Column("domain", "执法领域", "domain", "urban_management", True),
    Column("basis", "违法依据", "provisions violated", "《城市道路管理条例》第二十七条第(一)项"),
    Column("law", "处罚依据法律", "penalty law", "《城市市容和环境卫生管理条例》", True),
    Column("article", "处罚依据条款", "penalty article", "第三十四条第(一)项", True),
    Column("penalty_kinds", "处罚种类", "penalty kinds", "警告、罚款"),
    Column("party_type", "当事人类型", "party type", "不区分"),
    Column("fine_min", "罚款下限(元)", "fine min (yuan)", ""),
    Column("fine_max", "罚款上限(元)", "fine max (yuan)", ""),
    Column("fine_rule", "罚款规则", "fine rule", ""),
    Column("is_major", "重大执法决定", "major decision", "否"),
    Column("criminal_threshold", "移送司法标准", "criminal threshold", ""),
    Column("effective_from", "生效日期", "effective from", "2026-01-01"),
    Column("effective_to", "停止适用日期", "effective to", ""),
    Column("version", "版本", "version", "1"),
)
TIER_COLUMNS = (
    Column("code", "事项编码", "code", "CG-0014", True),
    Column("tier", "裁量档次", "tier", "从轻", True),
    Column("party_type", "当事人类型", "party type", "不区分"),
    Column("circumstances", "适用情形", "circumstances", ""),
    Column("fine_min", "罚款下限(元)", "fine min (yuan)", "5000", True),
    Column("fine_max", "罚款上限(元)", "fine max (yuan)", "18500", True),
    Column("other_penalties", "并处", "other penalties", ""),
)
THRESHOLD_COLUMNS = (
    Column("code", "事项编码", "code", "SC-0004", True),
    Column("metric", "指标", "metric", "sales_amount", True),
    Column("label", "指标名称", "label", "销售金额", True),
    Column("value", "数值", "value", "50000", True),
    Column("unit", "单位", "unit", "元", True),
)

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")
_LAW = re.compile(r"^《[^》]{2,98}》$")
# (field, test of its text, Chinese, English) for the cells that have a written form
_FORMATS = (
    (
        "code",
        _CODE.match,
        "事项编码应为字母、数字、连字符，至多20位。",
        "Letters, digits and -, at most 20.",
    ),
    (
        "law",
        _LAW.match,
        "法律名称应带书名号，如《中华人民共和国大气污染防治法》。",
        "Name the law in 《》.",
    ),
    (
        "article",
        lambda v: len(v) <= 60 and split_article(v),
        "条款应形如「第三十四条」或「第三十四条第(一)项」。",
        "Write the article as 第…条[第…款][第(…)项].",
    ),
)
_PARTY_MESSAGE = (
    "当事人类型应为 不区分、单位 或 个人。",
    "Party type: any, organisation or individual.",
)


def _lookup(table: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {label.lower(): code for code, names in table.items() for label in (code, *names)}


_DOMAIN_BY_LABEL = _lookup(DOMAINS)
_KIND_BY_LABEL = _lookup(PENALTY_KINDS)
_PARTY_BY_LABEL = _lookup(PARTY_TYPES)
_TIER_BY_LABEL = {**{k: k for k in TIER_NAMES}, **{v: k for k, v in TIER_NAMES.items()}}


def parse_matters(rows: list[dict], report: RowReport) -> dict[str, dict]:
    parsed: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        data = parse_matter(row, number, report)
        code = data["code"]
        if code in seen:
            report.add(
                number, "code", f"与第 {seen[code]} 行重复。", f"Duplicates row {seen[code]}."
            )
        elif code:
            seen[code] = number
            parsed[code] = data
    return parsed


def parse_matter(row: dict, number: int, report: RowReport) -> dict:
    def bad(field: str, zh: str, en: str) -> None:
        report.add(number, field, zh, en)

    text = {c.key: (row.get(c.key) or "").strip() for c in MATTER_COLUMNS}
    for column in MATTER_COLUMNS:
        if column.required and not text[column.key]:
            bad(column.key, "此字段为必填项。", "Missing data for required field.")
    for key, limit in (("name", 200), ("fine_rule", 2000), ("criminal_threshold", 2000)):
        if len(text[key]) > limit:
            bad(key, f"长度不能超过 {limit}。", f"Longer than maximum length {limit}.")
    for key, valid, zh, en in _FORMATS:
        if text[key] and not valid(text[key]):
            bad(key, zh, en)
    domain = _DOMAIN_BY_LABEL.get(text["domain"].lower())
    if text["domain"] and domain is None:
        bad("domain", f"未知执法领域「{text['domain']}」。", f"Unknown domain '{text['domain']}'.")
    kinds = []
    for kind in split_list(text["penalty_kinds"]):
        if kind.lower() in _KIND_BY_LABEL:
            kinds.append(_KIND_BY_LABEL[kind.lower()])
        else:
            bad(
                "penalty_kinds",
                f"未知处罚种类「{kind}」(见《行政处罚法》第九条)。",
                f"Unknown penalty kind '{kind}'.",
            )
    party = _PARTY_BY_LABEL.get((text["party_type"] or "any").lower())
    if party is None:
        bad("party_type", *_PARTY_MESSAGE)
    basis, wrong = parse_provisions(text["basis"])
    for part in wrong:
        bad(
            "basis",
            f"无法识别的法律依据「{part}」，应形如《某法》第十条。",
            f"Cannot read '{part}'; write 《law》第…条.",
        )
    fine_min = _yuan(text["fine_min"], number, "fine_min", report)
    fine_max = _yuan(text["fine_max"], number, "fine_max", report)
    if (fine_min is None) != (fine_max is None) or (
        fine_min is not None and fine_max is not None and fine_max < fine_min
    ):
        bad(
            "fine_max",
            "罚款上下限应同时填写，且上限不小于下限。",
            "Give both fine bounds, max ≥ min.",
        )
    if "fine" in kinds and fine_min is None and not text["fine_rule"]:
        bad(
            "fine_rule",
            "处罚种类含罚款时，应填写罚款幅度或罚款规则。",
            "A fine needs a range or a fine rule.",
        )
    major = parse_flag(text["is_major"])
    if not isinstance(major, bool):
        bad("is_major", "应填写「是」或「否」。", "Write yes or no.")
    starts = _date(text["effective_from"], number, "effective_from", report)
    ends = _date(text["effective_to"], number, "effective_to", report)
    if starts and ends and ends <= starts:
        bad(
            "effective_to",
            "停止适用日期应晚于生效日期。",
            "The end date must follow the start date.",
        )
    return {
        "code": text["code"],
        "name": text["name"],
        "domain": domain,
        "law": text["law"],
        "article": text["article"],
        "basis": basis,
        "penalty_kinds": kinds,
        "party_type": party,
        "fine_min": fine_min,
        "fine_max": fine_max,
        "fine_rule": text["fine_rule"],
        "is_major": is_major(kinds, major is True),
        "criminal_threshold": text["criminal_threshold"],
        "effective_from": starts,
        "effective_to": ends,
    }


def parse_tiers(rows: list[dict], matters: dict[str, dict], report: RowReport) -> dict:
    tiers: dict[str, list[dict]] = {}
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=2):

        def bad(field: str, zh: str, en: str, number=number) -> None:
            report.add(number, field, zh, en, TIERS_SHEET)

        code = (row.get("code") or "").strip()
        matter = matters.get(code)
        if matter is None:
            bad(
                "code",
                f"「{TIERS_SHEET}」中的事项 {code or '(空)'} 不在「{MATTERS_SHEET}」中。",
                f"Matter '{code}' is not in the matters sheet.",
            )
            continue
        tier = _TIER_BY_LABEL.get((row.get("tier") or "").strip().lower())
        party = _PARTY_BY_LABEL.get(((row.get("party_type") or "").strip() or "any").lower())
        if tier is None:
            bad(
                "tier",
                "裁量档次应为 减轻、从轻、一般 或 从重。",
                "Tier: reduced, lighter, ordinary or heavier.",
            )
        if party is None:
            bad("party_type", *_PARTY_MESSAGE)
        circumstances = (row.get("circumstances") or "").strip()
        if len(circumstances) > 500:
            bad("circumstances", "长度不能超过 500。", "Longer than maximum length 500.")
        others = split_list(row.get("other_penalties") or "")
        unknown = [k for k in others if k.lower() not in _KIND_BY_LABEL]
        if unknown:
            bad(
                "other_penalties",
                f"未知处罚种类「{'、'.join(unknown)}」。",
                f"Unknown penalty kinds: {', '.join(unknown)}.",
            )
        low = _yuan(row.get("fine_min") or "", number, "fine_min", report, TIERS_SHEET)
        high = _yuan(row.get("fine_max") or "", number, "fine_max", report, TIERS_SHEET)
        if None in (tier, party, low, high) or unknown:
            continue
        if (code, tier, party) in seen:
            bad(
                "tier",
                f"与第 {seen[code, tier, party]} 行重复。",
                f"Duplicates row {seen[code, tier, party]}.",
            )
            continue
        seen[code, tier, party] = number
        entry = {
            "tier": tier,
            "name": TIER_NAMES[tier],
            "party_type": party,
            "circumstances": circumstances,
            "fine_min": low,
            "fine_max": high,
            "other_penalties": [_KIND_BY_LABEL[k.lower()] for k in others],
        }
        for field, zh, en in tier_errors(
            [entry], matter["fine_min"], matter["fine_max"], matter["penalty_kinds"]
        ):
            bad(field, zh, en)
        tiers.setdefault(code, []).append(entry)
    return tiers


def parse_thresholds(rows: list[dict], matters: dict[str, dict], report: RowReport) -> dict:
    found: dict[str, list[dict]] = {}
    for number, row in enumerate(rows, start=2):

        def bad(field: str, zh: str, en: str, number=number) -> None:
            report.add(number, field, zh, en, THRESHOLDS_SHEET)

        code = (row.get("code") or "").strip()
        if code not in matters:
            bad(
                "code",
                f"「{THRESHOLDS_SHEET}」中的事项 {code or '(空)'} 不在「{MATTERS_SHEET}」中。",
                f"Matter '{code}' is not in the matters sheet.",
            )
            continue
        text = {k: (row.get(k) or "").strip() for k in ("metric", "label", "unit")}
        for key, limit in (("metric", 40), ("label", 100), ("unit", 10)):
            if not text[key]:
                bad(key, "此字段为必填项。", "Missing data for required field.")
            elif len(text[key]) > limit:
                bad(key, f"长度不能超过 {limit}。", f"Longer than maximum length {limit}.")
        value = _yuan(row.get("value") or "", number, "value", report, THRESHOLDS_SHEET)
        if value is None or value == 0:
            if value == 0:
                bad("value", "数值应大于零。", "Must be greater than zero.")
            continue
        found.setdefault(code, []).append({**text, "value": value})
    return found


def _yuan(value: str, row: int, field: str, report: RowReport, sheet: str | None = None):
    """A whole, non-negative amount (yuan, or a count for thresholds); None if empty."""
    value = value.strip()
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not number.is_integer() or not 0 <= number <= MAX_YUAN:
        report.add(
            row,
            field,
            f"应为 0 到 {MAX_YUAN} 之间的整数。",
            f"Must be a whole number from 0 to {MAX_YUAN}.",
            sheet,
        )
        return None
    return int(number)


def _date(value: str, row: int, field: str, report: RowReport) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        report.add(row, field, "应为日期 (YYYY-MM-DD)。", "Not a valid date (YYYY-MM-DD).")
        return None
