"""The vocabulary of discretion (行政裁量权基准): party kinds, circumstances (情节), the
factors that make a penalty lighter or heavier (each with the article that makes it
one), and the value types of discretion.py — data only; the rules are in discretion.py."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from yimen.tenants.powers.rules import TierRow

PZ = "《行政处罚法》"
GB27 = "国办发〔2022〕27号"
CQ = "《重庆市规范行政处罚裁量权办法》"
MIN_JUSTIFICATION = 10  # characters of a written justification
TIER_ORDER = ("reduced", "lighter", "ordinary", "heavier")

PARTY_KINDS: dict[str, tuple[str, str]] = {
    "person": ("自然人", "natural person"),
    "organisation": ("单位", "organisation"),
    "individual_business": ("个体工商户", "individual business"),
}
# Which of the catalog's party types (单位 / 个人) a party kind's fine range is. An
# individual business is a natural person in business (民法典 第五十四条), and the laws
# that split the range by 单位 / 个人 do not name it, so either range may be applied.
FITS = {
    "person": ("individual",),
    "organisation": ("organisation",),
    "individual_business": ("individual", "organisation"),
}

# code → (Chinese, English, tier)
CIRCUMSTANCES: dict[str, tuple[str, str, str]] = {
    "minor": ("情节轻微", "minor", "lighter"),
    "fairly_light": ("情节较轻", "fairly light", "lighter"),
    "ordinary": ("情节一般", "ordinary", "ordinary"),
    "fairly_serious": ("情节较重", "fairly serious", "heavier"),
    "serious": ("情节严重", "serious", "heavier"),
}

# code → (Chinese, article, mandatory): factors for a lighter or reduced penalty.
MITIGATING: dict[str, tuple[str, str, bool]] = {
    "eliminated_harm": ("主动消除或者减轻违法行为危害后果", f"{PZ}第三十二条第(一)项", True),
    "coerced": ("受他人胁迫或者诱骗实施违法行为", f"{PZ}第三十二条第(二)项", True),
    "confessed": ("主动供述行政机关尚未掌握的违法行为", f"{PZ}第三十二条第(三)项", True),
    "meritorious": ("配合行政机关查处违法行为有立功表现", f"{PZ}第三十二条第(四)项", True),
    "other": (
        "有法律、法规、规章规定其他应当从轻或者减轻行政处罚的情形",
        f"{PZ}第三十二条第(五)项",
        True,
    ),
    "juvenile": ("已满十四周岁不满十八周岁", f"{PZ}第三十条", True),
    "limited_capacity": (
        "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人",
        f"{PZ}第三十一条",
        False,
    ),
}

# code → (Chinese, article): circumstances that call for a heavier penalty.
AGGRAVATING: dict[str, tuple[str, str]] = {
    "public_safety": ("危害国家安全、公共安全", f"{CQ}第十五条第(一)项"),
    "instigator": (
        "在共同违法行为中起主要作用或者胁迫、诱骗、教唆他人实施违法行为",
        f"{CQ}第十五条第(二)项",
    ),
    "continued_after_order": ("经责令停止、纠正违法行为后仍继续实施", f"{CQ}第十五条第(三)项"),
    "repeat": ("多次实施同一违法行为且已受过行政处罚", f"{CQ}第十五条第(四)项"),
    "destroyed_evidence": ("伪造、变造、隐匿或者销毁证据", f"{CQ}第十五条第(五)项"),
    "obstruction": ("妨碍执法人员查处违法行为、暴力抗法", f"{CQ}第十五条第(六)项"),
    "retaliation": ("对举报人、证人、行政执法人员有报复行为", f"{CQ}第十五条第(七)项"),
    "vulnerable_victims": (
        "侵害残疾人、老年人、妇女、儿童等受特殊保护群体利益",
        f"{CQ}第十五条第(八)项",
    ),
    "emergency": ("突发事件期间违反应对措施", f"{CQ}第十五条第二款"),
    "other": ("有法律、法规、规章规定应当从重处罚的其他情形", f"{CQ}第十五条第(九)项"),
}

HARM = ("none", "slight", "harmful")  # 没有危害后果 / 危害后果轻微 / 有危害后果


class DiscretionError(ValueError):
    """Facts that cannot be assessed; `field` names the input at fault."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en


class MatterTerms(Protocol):
    code: str
    name: str
    law: str
    article: str
    party_type: str
    fine_min: int | None  # yuan
    fine_max: int | None
    fine_rule: str
    benchmark: list[TierRow]
    penalty_kinds: list[str]


@dataclass(frozen=True)
class Facts:
    circumstances: str | None = None  # a CIRCUMSTANCES code or a tier id
    illegal_gains_fen: int = 0
    first_violation: bool = False
    corrected: bool = False  # 及时改正
    harm: str | None = None  # a HARM value; None = not recorded
    no_fault: bool = False  # 有证据足以证明没有主观过错
    mitigating: tuple[str, ...] = ()
    aggravating: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    zh: str
    en: str
    article: str = ""


@dataclass(frozen=True)
class Assessment:
    matter_code: str
    matter_name: str
    penalty_basis: str  # the penalty provision, e.g. 《…》第一百一十六条
    party_kind: str
    tier: str | None  # a tier id; None where no penalty is mandatory
    tier_name: str
    rule: str  # how the tier was chosen: circumstances | mandatory_lighter | … | no_penalty
    fine_min_fen: int | None  # the allowed range; None where the law sets no fixed range
    fine_max_fen: int | None
    statutory_min_fen: int | None
    statutory_max_fen: int | None
    fine_rule: str = ""  # how the fine is set where there is no fixed range
    no_penalty: str | None = None  # "mandatory" | "discretionary"
    no_penalty_ground: str | None = None  # "minor" | "first" | "no_fault"
    education_required: bool = False
    may_reduce: bool = False  # a statutory ground to go below the statutory minimum
    confiscate_gains_fen: int = 0
    other_penalties: tuple[str, ...] = ()
    circumstances: str = "ordinary"
    mitigating: tuple[str, ...] = ()
    aggravating: tuple[str, ...] = ()
    rows: tuple[TierRow, ...] = ()  # the benchmark rows used
    reasons: tuple[Reason, ...] = ()
    # 处罚法 第三十条、第三十二条 "应当从轻或者减轻": no fine above the lighter tier's top,
    # whatever the justification; the articles of the factors that make it mandatory.
    mandatory_cap_fen: int | None = None
    mandatory_articles: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        fields = dict(data)
        for key in ("other_penalties", "mitigating", "aggravating", "mandatory_articles"):
            fields[key] = tuple(fields.get(key, ()))
        fields["rows"] = tuple(fields.get("rows", ()))
        fields["reasons"] = tuple(Reason(**r) for r in fields.get("reasons", ()))
        return cls(**fields)


@dataclass(frozen=True)
class Result:
    ok: bool
    outside_range: bool = False
    needs_justification: bool = False
    flag_for_supervision: bool = False
    requires_approval: bool = False  # principal head's approval or collective discussion
    rule: str = "within-benchmark"
    message: str = ""
    message_en: str = ""
    article: str = ""
    field: str = "fine_fen"  # the input a refusal is about


def yuan(fen: int) -> str:
    """Fen as a Chinese amount: 520000 → '5200元', 12345 → '123.45元'."""
    whole, cents = divmod(fen, 100)
    return f"{whole}元" if not cents else f"{whole}.{cents:02d}元"
