"""Rules of the directory: identifiers and who may be put on a case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from stdnum import numdb
from stdnum.cn import uscc

from yimen.platform.kernel.domains import DOMAINS
from yimen.platform.kernel.permissions import ROLES

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


# The 双公示 reports' stand-in for an individual business with no code.
PLACEHOLDER_CREDIT_CODE = "0" * 17 + "X"


def check_credit_code(code: str) -> Verdict:
    """GB 32100 统一社会信用代码: 18 characters from the 31-character set
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


def check_domains(domains: Iterable[str]) -> Verdict:
    """An agency's or a certificate's domains are the catalog's (kernel/domains.py): a
    code nobody files under would refuse the officer on every case of that domain
    (may_handle, 处罚法 第四十二条) long after the typo was made."""
    unknown = [d for d in dict.fromkeys(domains) if d not in DOMAINS]
    if not unknown:
        return OK
    shown = "、".join(unknown)
    return Verdict(
        False,
        f"执法领域不在目录中：{shown}。请从列表中选择。",
        f"Not an enforcement domain of the catalog: {', '.join(unknown)}. Choose from the list.",
    )


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


# --- who may grant which role (DESIGN.md, the roles table) ---------------------------

# Roles whose reach is one agency (legal_reviewer may sit at an agency or the district; an
# agency administrator grants it as an agency's reviewer).
AGENCY_SCOPED_ROLES = frozenset({"officer", "agency_head", "legal_reviewer", "agency_admin"})
# Roles that read or act across the whole district: only the district administrator grants them.
DISTRICT_WIDE_GRANTS = frozenset(
    {"district_admin", "hotline_operator", "legal_affairs", "procuratorate", "discipline", "police"}
)
# The region's operator and machine clients: never granted through a district's API.
NEVER_GRANTED = frozenset({"platform_operator", "gateway_client"})


@dataclass(frozen=True)
class Granter:
    """Who sets an officer's roles: their roles and the code of their agency (if any)."""

    roles: frozenset[str]
    agency: str | None = None


def grantable_roles(
    granter_roles: frozenset[str] | set[str], granter_agency: str | None, target_agency: str | None
) -> frozenset[str]:
    """The roles a granter may give to (or take from) an officer of `target_agency` (agency
    codes). The district administrator grants every role of a district; an agency
    administrator only the agency-scoped roles, and only to officers of its own agency;
    anyone else none. platform_operator and gateway_client are never among them."""
    roles = set(granter_roles)
    if "district_admin" in roles:
        return AGENCY_SCOPED_ROLES | DISTRICT_WIDE_GRANTS
    if "agency_admin" in roles and granter_agency and granter_agency == target_agency:
        return AGENCY_SCOPED_ROLES
    return frozenset()


def check_role_change(
    granter_roles: frozenset[str] | set[str],
    granter_agency: str | None,
    target_agency: str | None,
    before: frozenset[str] | set[str] | tuple[str, ...],
    after: frozenset[str] | set[str] | tuple[str, ...] | list[str],
) -> Verdict:
    """Every role added or removed must be grantable by the granter (`grantable_roles`);
    roles the officer keeps unchanged are no one's business here."""
    changed = set(before) ^ set(after)
    refused = sorted(changed - grantable_roles(granter_roles, granter_agency, target_agency))
    if not refused:
        return OK
    zh = "、".join(ROLES.get(r, (r, r))[0] for r in refused)
    en = ", ".join(refused)
    return Verdict(
        False,
        f"无权授予或撤销角色：{zh}。部门管理员只能为本部门人员设置部门内角色"
        "(执法人员、部门负责人、法制审核人员、部门管理员)；区级角色须由区级管理员设置；"
        "平台运营方和网关客户端角色不能通过区级接口授予。",
        f"You may not grant or remove: {en}. An agency administrator sets only the agency's "
        "roles (officer, agency_head, legal_reviewer, agency_admin) of its own officers; "
        "district-wide roles need the district administrator; platform_operator and "
        "gateway_client are never granted through a district's API.",
    )
