"""Rules of the directory: identifiers and who may be put on a case."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from stdnum import numdb
from stdnum.cn import uscc

DIVISION_CODE = re.compile(r"^\d{6}$")
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
RESERVED_SLUGS = frozenset({"platform", "api", "oidc", "console", "static", "admin", "t"})


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ok, or why not in Chinese and English."""

    ok: bool
    zh: str = ""
    en: str = ""
    warning: bool = False


OK = Verdict(True)


@cache
def division_name(code: str) -> tuple[str, str] | None:
    """(province, county) of a current GB/T 2260 code, from python-stdnum's table."""
    if not DIVISION_CODE.match(code):
        return None
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    if "province" not in info or "county" not in info:
        return None
    for name in info["county"].split(","):
        if not name.startswith("["):
            return info["province"], name
        span, county = name[1:].split("]")
        _start, end = span.split("-")
        if not end:  # still in force
            return info["province"], county
    return None


def check_division_code(code: str) -> Verdict:
    """GB/T 2260: six digits naming a county-level division that is still in force."""
    if not DIVISION_CODE.match(code or ""):
        return Verdict(False, "行政区划代码应为6位数字。", "The division code must be 6 digits.")
    if division_name(code) is None:
        return Verdict(
            False,
            f"{code} 不是现行的 GB/T 2260 行政区划代码。",
            f"{code} is not a current GB/T 2260 division code.",
        )
    return OK


def check_slug(slug: str) -> Verdict:
    if not SLUG.match(slug or "") or slug in RESERVED_SLUGS:
        return Verdict(
            False,
            "标识应为3–40位小写字母、数字或连字符，以字母开头，且不是保留字。",
            "The slug must be 3–40 lowercase letters, digits or hyphens, start with a letter, and not be reserved.",
        )
    return OK


# rules.md §7.1: the 双公示 reports' stand-in for an individual business with no code.
PLACEHOLDER_CREDIT_CODE = "0" * 17 + "X"


def check_credit_code(code: str) -> Verdict:
    """GB 32100 统一社会信用代码 (rules.md §7.1): 18 characters from the 31-character set
    with a check character. A checksum failure alone is a warning an officer confirms,
    because some early pilot-region codes are legal but fail it."""
    code = (code or "").strip().upper()
    if code == PLACEHOLDER_CREDIT_CODE:
        return Verdict(
            False,
            "「17个0加X」是报送系统对无代码个体工商户的占位符，不是统一社会信用代码；请填写营业执照上的代码，没有的按经营者个人登记。",
            "17 zeros and X is a reporting placeholder, not a credit code: enter the licence's code, or register the operator as a person.",
        )
    if not re.match(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$", code):
        return Verdict(
            False,
            "统一社会信用代码格式不正确 (18位，不含 I、O、S、V、Z)。",
            "Malformed unified social credit code (18 characters, no I, O, S, V, Z).",
        )
    if uscc.calc_check_digit(code[:17]) != code[17]:
        expected = uscc.calc_check_digit(code[:17])
        return Verdict(
            False,
            f"统一社会信用代码校验位错误 (应为 {expected})，请核对；如确认无误需勾选确认。",
            f"Wrong check character (expected {expected}); confirm explicitly if the code is right.",
            warning=True,
        )
    return OK


@dataclass(frozen=True)
class Certificate:
    number: str | None
    domains: tuple[str, ...]
    valid_until: dt.date | None
    active: bool = True


def may_handle(cert: Certificate, domain: str, on: dt.date) -> Verdict:
    """处罚法 第四十二条: penalties are imposed by officers holding enforcement
    qualifications; the certificate must be valid on the day and cover the domain."""
    if not cert.active:
        return Verdict(False, "该执法人员已停用。", "The officer is deactivated.")
    if not cert.number or cert.valid_until is None:
        return Verdict(False, "该人员没有执法证。", "The officer holds no enforcement certificate.")
    if cert.valid_until < on:
        return Verdict(
            False,
            f"执法证已于 {cert.valid_until.isoformat()} 过期。",
            f"The certificate expired on {cert.valid_until.isoformat()}.",
        )
    if domain not in cert.domains:
        return Verdict(
            False,
            f"执法证不涵盖执法领域「{domain}」。",
            f"The certificate does not cover the domain '{domain}'.",
        )
    return OK
