"""Discretion benchmarks (裁量基准) of a matter's statutory fine range — pure functions.

国办发〔2022〕27号: a benchmark states tiers (从轻 / 一般 / 从重) with concrete ranges; a
lower level may refine the higher one but never exceed its tiers or ranges. The
arithmetic here is 重庆市规范行政处罚裁量权办法 第十六条: 从轻 up to 30% of the range,
一般 30%–70%, 从重 from 70% (rules.md §9).
"""

from __future__ import annotations

from dataclasses import dataclass

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

TIERS = (
    ("lighter", "从轻", 0.0, 0.3),
    ("ordinary", "一般", 0.3, 0.7),
    ("heavier", "从重", 0.7, 1.0),
)


@dataclass(frozen=True)
class Tier:
    tier: str
    name: str
    fine_min: int
    fine_max: int

    def as_dict(self) -> dict:
        return {
            "tier": self.tier,
            "name": self.name,
            "fine_min": self.fine_min,
            "fine_max": self.fine_max,
        }


def benchmark(fine_min: int, fine_max: int) -> list[Tier]:
    """The three tiers of a statutory range in whole yuan (重庆 第十六条)."""
    span = fine_max - fine_min
    return [
        Tier(code, name, fine_min + round(span * lo), fine_min + round(span * hi))
        for code, name, lo, hi in TIERS
    ]


def refinement_errors(parent: list[dict], child: list[dict]) -> list[str]:
    """A lower level's benchmark may narrow the tiers, never widen them (国办发〔2022〕27号)."""
    errors = []
    bounds = {t["tier"]: t for t in parent}
    for tier in child:
        outer = bounds.get(tier["tier"])
        if outer is None:
            errors.append(f"上级基准没有「{tier['tier']}」档次。")
        elif tier["fine_min"] < outer["fine_min"] or tier["fine_max"] > outer["fine_max"]:
            errors.append(
                f"「{outer['name']}」档次 {tier['fine_min']}–{tier['fine_max']} 元超出上级基准 {outer['fine_min']}–{outer['fine_max']} 元。"
            )
    return errors
