"""Rules of the power list — pure functions, no framework.

- Penalty kinds are those of 《行政处罚法》第九条.
- Discretion benchmarks (行政裁量权基准, 国办发〔2022〕27号) split a statutory
  fine range into tiers with the arithmetic of 重庆市规范行政处罚裁量权办法 第十六条:
  从轻 up to 30% of the range, 一般 30%–70%, 从重 from 70%; where the law gives only a
  maximum, 减轻 below 10% of it, 从轻 10%–30%. A tier never leaves the statutory range, and
  a lower level may narrow a higher level's tiers but never widen them.
- Decisions that order suspension or closure or revoke a licence are major enforcement
  decisions needing legal review (重大执法决定, 国办发〔2018〕118号 （十二）; 处罚法 第五十八条).
- Amounts are whole yuan (元): statutory ranges are stated in yuan, and a tier bound
  rounds to the yuan.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, NotRequired, Required, TypedDict

PENALTY_KINDS: dict[str, tuple[str, str]] = {  # 处罚法 第九条
    "warning": ("警告", "Warning"),
    "criticism": ("通报批评", "Public criticism"),
    "fine": ("罚款", "Fine"),
    "confiscate_gains": ("没收违法所得", "Confiscation of illegal gains"),
    "confiscate_property": ("没收非法财物", "Confiscation of illegal property"),
    "suspend_license": ("暂扣许可证件", "Suspension of a licence"),
    "downgrade": ("降低资质等级", "Downgrade of qualification"),
    "revoke_license": ("吊销许可证件", "Revocation of a licence"),
    "restrict_business": ("限制开展生产经营活动", "Restriction of business"),
    "order_suspension": ("责令停产停业", "Order to suspend production or business"),
    "order_closure": ("责令关闭", "Order to close"),
    "restrict_practice": ("限制从业", "Restriction of practice"),
    "detention": ("行政拘留", "Administrative detention"),
}

# 国办发〔2018〕118号 （十二）: decisions that directly affect a party's major rights.
SEVERE = frozenset({"order_suspension", "order_closure", "revoke_license"})

PARTY_TYPES: dict[str, tuple[str, str]] = {
    "any": ("不区分", "Any party"),
    "organisation": ("单位", "Organisation"),
    "individual": ("个人", "Individual"),
}

# (code, Chinese name, share of the range where it starts, where it ends, circumstances)
TIERS = (
    (
        "reduced",
        "减轻",
        0.0,
        0.1,
        "有《行政处罚法》第三十二条规定应当减轻处罚的情形",
    ),
    (
        "lighter",
        "从轻",
        0.0,
        0.3,
        "违法情节较轻、危害后果较小，或者有《行政处罚法》第三十二条规定的从轻情形",
    ),
    ("ordinary", "一般", 0.3, 0.7, "违法情节一般，没有从轻、从重情形"),
    (
        "heavier",
        "从重",
        0.7,
        1.0,
        "违法情节较重或者严重：危害后果较大、多次违法、拒不改正或者妨碍调查等",
    ),
)
TIER_NAMES = {code: name for code, name, *_ in TIERS}
TIER_LABELS: dict[str, tuple[str, str]] = {
    "reduced": ("减轻", "Reduced"),
    "lighter": ("从轻", "Lighter"),
    "ordinary": ("一般", "Ordinary"),
    "heavier": ("从重", "Heavier"),
}
_ONLY_MAX_LIGHTER_FROM = 0.1  # 重庆 第十六条: only a maximum given → 从轻 10%–30%


class TierRow(TypedDict, total=False):
    """A benchmark tier as a matter's catalogue stores it (`Tier.as_dict`, or a row a
    district uploaded and `tier_errors` accepted)."""

    tier: Required[str]
    fine_min: Required[int]  # yuan
    fine_max: Required[int]
    name: str
    party_type: str
    circumstances: str
    other_penalties: list[str]


class Provision(TypedDict):
    """A legal basis: the law's title, the article and the clause (may be empty)."""

    law: str
    article: str
    clause: NotRequired[str]


@dataclass(frozen=True)
class Tier:
    tier: str
    name: str
    fine_min: int
    fine_max: int
    party_type: str = "any"
    circumstances: str = ""
    other_penalties: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> TierRow:
        return {
            "tier": self.tier,
            "name": self.name,
            "party_type": self.party_type,
            "circumstances": self.circumstances,
            "fine_min": self.fine_min,
            "fine_max": self.fine_max,
            "other_penalties": list(self.other_penalties),
        }


def benchmark(
    fine_min: int, fine_max: int, party_type: str = "any", kinds: tuple[str, ...] | list[str] = ()
) -> list[Tier]:
    """The tiers of a statutory range in whole yuan (重庆 第十六条).

    Confiscations, warnings and other non-fine penalties the law attaches go with every
    tier; suspension, closure and revocation — which the laws keep for serious cases
    (情节严重) — with the 从重 tier only."""
    span = fine_max - fine_min
    attached = tuple(k for k in kinds if k != "fine" and k not in SEVERE)
    severe = tuple(k for k in kinds if k in SEVERE)
    only_max = fine_min == 0
    tiers = []
    for code, name, lo, hi, circumstances in TIERS:
        if code == "reduced" and not only_max:
            continue  # 减轻 goes below the statutory minimum: no tier of the range
        if code == "lighter" and only_max:
            lo = _ONLY_MAX_LIGHTER_FROM
        tiers.append(
            Tier(
                code,
                name,
                fine_min + round(span * lo),
                fine_min + round(span * hi),
                party_type,
                circumstances,
                attached + severe if code == "heavier" else attached,
            )
        )
    return tiers


def tier_errors(
    tiers: list[dict[str, Any]], fine_min: int | None, fine_max: int | None, kinds: list[str]
) -> list[tuple[str, str, str]]:
    """Every reason `tiers` is not a benchmark of the statutory range: (field, zh, en).
    `tiers` are rows as uploaded, of any shape: once accepted they are `TierRow`s.

    27号: tiers refine the statutory range and may not leave it; a tier's other penalties
    must be penalties the law provides for this matter."""
    errors = []
    if tiers and fine_min is None:
        errors.append(
            (
                "fine_min",
                "没有法定罚款幅度的事项不能设置罚款裁量档次。",
                "A matter without a statutory fine range has no fine tiers.",
            )
        )
        return errors
    seen = set()
    for t in tiers:
        label = t.get("name") or TIER_NAMES.get(t["tier"], t["tier"])
        if t["tier"] not in TIER_NAMES:
            errors.append(
                ("tier", f"未知裁量档次「{t['tier']}」。", f"Unknown tier '{t['tier']}'.")
            )
        if t.get("party_type", "any") not in PARTY_TYPES:
            errors.append(
                (
                    "party_type",
                    f"未知当事人类型「{t.get('party_type')}」。",
                    f"Unknown party type '{t.get('party_type')}'.",
                )
            )
        key = (t["tier"], t.get("party_type", "any"))
        if key in seen:
            errors.append(("tier", f"「{label}」档次重复。", f"Tier '{t['tier']}' is repeated."))
        seen.add(key)
        if t["fine_min"] > t["fine_max"]:
            errors.append(
                (
                    "fine_max",
                    f"「{label}」档次的上限小于下限。",
                    f"Tier '{t['tier']}': the maximum is below the minimum.",
                )
            )
        if fine_max is not None and (t["fine_min"] < fine_min or t["fine_max"] > fine_max):
            errors.append(
                (
                    "fine_max",
                    f"「{label}」档次 {t['fine_min']}–{t['fine_max']} 元超出法定幅度 {fine_min}–{fine_max} 元。",
                    f"Tier '{t['tier']}' {t['fine_min']}–{t['fine_max']} yuan leaves the statutory range {fine_min}–{fine_max}.",
                )
            )
        stray = [k for k in t.get("other_penalties", []) if k not in kinds]
        if stray:
            errors.append(
                (
                    "other_penalties",
                    f"「{label}」档次的处罚种类「{'、'.join(stray)}」不在该事项的法定处罚种类中。",
                    f"Tier '{t['tier']}': {', '.join(stray)} is not a penalty the law provides here.",
                )
            )
    return errors


def refinement_errors(parent: list[dict[str, Any]], child: list[dict[str, Any]]) -> list[str]:
    """A lower level's benchmark may narrow the tiers, never widen them (国办发〔2022〕27号)."""
    errors = []
    bounds = {(t["tier"], t.get("party_type", "any")): t for t in parent}
    for tier in child:
        outer = bounds.get((tier["tier"], tier.get("party_type", "any"))) or bounds.get(
            (tier["tier"], "any")
        )
        if outer is None:
            errors.append(f"上级基准没有「{tier['tier']}」档次。")
        elif tier["fine_min"] < outer["fine_min"] or tier["fine_max"] > outer["fine_max"]:
            errors.append(
                f"「{outer['name']}」档次 {tier['fine_min']}–{tier['fine_max']} 元超出上级基准 {outer['fine_min']}–{outer['fine_max']} 元。"
            )
    return errors


def is_major(kinds: list[str] | tuple[str, ...], flagged: bool) -> bool:
    """国办发〔2018〕118号: a decision that suspends, closes or revokes is a major
    decision whatever the catalog row says; the row may flag others (e.g. large fines)."""
    return flagged or bool(SEVERE & set(kinds))


def major_list_error(catalog_major: bool, on_major_list: bool) -> tuple[str, str] | None:
    """A district's 重大执法决定法制审核目录 may add matters, never drop one the catalog
    marks major (118号 （十二）: the statutory criteria bind every agency)."""
    if catalog_major and not on_major_list:
        return (
            "目录已将该事项列为重大执法决定，区级清单不能取消。",
            "The catalog marks this matter as a major decision; a district cannot remove it.",
        )
    return None


# --- legal provisions -------------------------------------------------------------

_NUM = "零〇一二三四五六七八九十百千"
ARTICLE = re.compile(
    rf"^(第[{_NUM}]+条(?:之[{_NUM}]+)?)((?:第[{_NUM}]+款)?(?:第[（(]?[{_NUM}]+[)）]?项)?)$"
)
_PROVISION = re.compile(r"^\s*(《[^》]{2,60}》)\s*(\S+?)\s*$")


def split_article(text: str) -> tuple[str, str] | None:
    """'第三十四条第(一)项' → ('第三十四条', '第(一)项'); None if it is not an article."""
    m = ARTICLE.match(text.strip())
    return (m.group(1), m.group(2)) if m else None


def provision(law: str, article: str) -> Provision | None:
    parts = split_article(article)
    if parts is None:
        return None
    return {"law": law, "article": parts[0], "clause": parts[1]}


def provision_text(p: Provision) -> str:
    return f"{p['law']}{p['article']}{p.get('clause', '')}"


def parse_provisions(text: str) -> tuple[list[Provision], list[str]]:
    """'《A》第十条；《B》第二十七条第(一)项' → provisions, and the parts that are not."""
    found: list[Provision] = []
    bad: list[str] = []
    for part in re.split(r"[；;\n]", text):
        if not part.strip():
            continue
        m = _PROVISION.match(part)
        p = provision(m.group(1), m.group(2)) if m else None
        if p is None:
            bad.append(part.strip())
        else:
            found.append(p)
    return found, bad


# --- who holds a matter, from when ------------------------------------------------


def start_error(
    valid_from: dt.datetime, now: dt.datetime, holder_since: dt.datetime | None
) -> tuple[str, str] | None:
    """An assignment starts no later than now (a future 划转 would leave two holders
    "current"), and a transfer starts after the holder it replaces began."""
    if valid_from > now:
        return ("生效日期不能晚于今天。", "The effective date cannot be in the future.")
    if holder_since is not None and valid_from <= holder_since:
        return (
            "划转生效日期应晚于现承担部门的起始日期。",
            "A transfer must take effect after the current holder began.",
        )
    return None
