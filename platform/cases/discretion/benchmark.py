"""Discretion (行政裁量权基准): the fine the benchmark allows for the facts recorded, and
the check of a proposed fine against it — pure functions, no framework, no database.

Public API (the case engine calls these when an officer proposes a penalty and when the
decision is drafted):

- `Facts` — what the officer recorded: circumstances (情节), illegal gains in fen, first
  violation, corrected in time, harm, proof of no fault, mitigating and aggravating
  factors (codes of `MITIGATING` / `AGGRAVATING`).
- `assess(matter, party_kind, facts) -> Assessment` — the tier, the allowed fine range
  in fen, whether no penalty applies, what goes with the fine, the reasons with their
  articles and the benchmark rows used. `matter` is an `EnforcementMatter` or anything
  with its attributes. Raises `DiscretionError` for facts that cannot be assessed.
- `check_proposal(assessment, proposed_fine_fen, justification) -> Result` — ok,
  outside the range, justification needed, supervision flag, a bilingual message and the
  rule and article to name in a refusal.
- `no_penalty_ground(facts) -> (kind, ground)` — whether 第三十三条 applies, without a
  matter: what the case engine checks before any penalty step (rules.check_outcome).
- `statement(assessment, fine_fen, justification) -> str` — the Chinese sentence the
  decision document carries on how the benchmark was applied (27号 （十二）).
- `Assessment.as_dict()` / `Assessment.from_dict()` — for `Case.discretion`.

The rules, each with its source:
- Tiers split the statutory range (重庆 第十六条, as the catalog does: 从轻 up to 30%,
  一般 30%–70%, 从重 from 70%; 减轻 below 10% where the law gives only a maximum).
- 情节轻微 / 较轻 → 从轻; 一般 → 一般; 较重 / 严重 → 从重 (27号 （六）).
- A factor of 第三十二条 (or 第三十条) means a lighter or reduced penalty: at most the
  从轻 tier; 第三十一条's "may" widens the range down to 从轻. A factor that 应当从重
  (重庆 第十五条) means the 从重 tier.
- 2+ lighter factors and no heavier → the minimum tier; 2+ heavier and no lighter → the
  maximum tier; both kinds → the tier of the circumstances the officer weighed
  (重庆 第十七条; 农业 第十二条; 国办发〔2022〕27号).
- No penalty (第三十三条): minor + corrected in time + no harm → none (mandatory); first
  violation + slight harm + corrected in time → may not penalise; proof of no fault →
  none. The party is educated (第三十三条第三款).
- Illegal gains are confiscated besides the fine (第二十八条第二款).
- A fine outside the allowed range needs a written justification and the principal
  head's approval or collective discussion, and is flagged for supervision (27号
  （十二）); above the statutory maximum it is refused, as is a fine below the statutory
  minimum without a statutory ground to reduce (第三十条、第三十一条、第三十二条).
"""

from __future__ import annotations

from yimen.platform.cases.discretion.terms import (
    AGGRAVATING,
    CIRCUMSTANCES,
    CQ,
    FITS,
    GB27,
    HARM,
    MIN_JUSTIFICATION,
    MITIGATING,
    PARTY_KINDS,
    PZ,
    TIER_ORDER,
    Assessment,
    DiscretionError,
    Facts,
    MatterTerms,
    Reason,
    Result,
    yuan,
)
from yimen.tenants.powers.rules import TIER_NAMES, TierRow, benchmark

__all__ = [
    "AGGRAVATING",
    "CIRCUMSTANCES",
    "MITIGATING",
    "PARTY_KINDS",
    "Assessment",
    "DiscretionError",
    "Facts",
    "Reason",
    "Result",
    "assess",
    "check_proposal",
    "no_penalty_ground",
    "statement",
    "yuan",
]

# --- assessment -------------------------------------------------------------------


def assess(matter: MatterTerms, party_kind: str, facts: Facts) -> Assessment:
    """The tier and allowed range for `facts` under `matter`'s benchmark (see module doc)."""
    _validate(matter, party_kind, facts)
    tiers = _tiers(matter, party_kind)
    basis = f"{matter.law}{matter.article}"
    circumstances = facts.circumstances or "ordinary"
    base = CIRCUMSTANCES[circumstances][2] if circumstances in CIRCUMSTANCES else circumstances
    reasons = [_circumstance_reason(circumstances)]
    low, chosen, rule = _choose(base, facts, tiers, reasons)
    high: str | None = chosen  # None where no penalty may be imposed (below)
    stat_min = None if matter.fine_min is None else matter.fine_min * 100
    stat_max = None if matter.fine_max is None else matter.fine_max * 100
    rows = tuple(tiers[t] for t in dict.fromkeys((low, chosen)) if t in tiers)
    fine_min: int | None
    fine_max: int | None
    if rows:
        fine_min, fine_max = rows[0]["fine_min"] * 100, rows[-1]["fine_max"] * 100
        reasons.append(_range_reason(basis, rows, fine_min, fine_max))
    else:
        fine_min = fine_max = None
        reasons.append(
            Reason(
                f"该事项法律未规定固定罚款幅度（{matter.fine_rule or '见处罚依据'}），罚款按处罚依据计算。",
                "The law sets no fixed fine range for this matter; the fine is computed under the penalty provision.",
                basis,
            )
        )
    gains = max(facts.illegal_gains_fen, 0)
    if gains:
        reasons.append(
            Reason(
                f"当事人有违法所得{yuan(gains)}，除依法应当退赔的外，应当予以没收。",
                f"Illegal gains of {gains / 100:.2f} yuan are confiscated unless they must be refunded.",
                f"{PZ}第二十八条第二款",
            )
        )
    cap, cap_articles = _mandatory_cap(base, facts, tiers)
    no_penalty, ground = _no_penalty(circumstances, facts, reasons)
    if no_penalty == "mandatory":
        high = None
        fine_min = fine_max = 0
        rule = "no_penalty"
    return Assessment(
        matter_code=matter.code,
        matter_name=matter.name,
        penalty_basis=basis,
        party_kind=party_kind,
        tier=high,
        tier_name=TIER_NAMES.get(high, high) if high else "不予处罚",
        rule=rule,
        fine_min_fen=fine_min,
        fine_max_fen=fine_max,
        statutory_min_fen=stat_min,
        statutory_max_fen=stat_max,
        fine_rule=matter.fine_rule or "",
        no_penalty=no_penalty,
        no_penalty_ground=ground,
        education_required=no_penalty is not None,
        may_reduce=bool(facts.mitigating),
        confiscate_gains_fen=gains,
        other_penalties=tuple(rows[-1].get("other_penalties", ()))
        if rows and no_penalty != "mandatory"
        else (),
        circumstances=circumstances,
        mitigating=tuple(facts.mitigating),
        aggravating=tuple(facts.aggravating),
        rows=rows,
        reasons=tuple(reasons),
        mandatory_cap_fen=cap,
        mandatory_articles=cap_articles,
    )


def _mandatory_cap(
    base: str, facts: Facts, tiers: dict[str, TierRow]
) -> tuple[int | None, tuple[str, ...]]:
    """A factor of 第三十条 or 第三十二条 makes the lighter or reduced penalty mandatory
    (应当从轻或者减轻): the fine may not exceed the top of the lighter tier (or of the
    circumstances' tier where that is lower), even where heavier factors are weighed with
    it. None where no factor is mandatory or the matter has no tiers."""
    articles = tuple(dict.fromkeys(MITIGATING[f][1] for f in facts.mitigating if MITIGATING[f][2]))
    if not articles or not tiers:
        return None, ()
    top = tiers[_nearest(_lower(base, "lighter"), tiers)].get("fine_max")
    return (None, ()) if top is None else (top * 100, articles)


def _validate(matter: MatterTerms, party_kind: str, facts: Facts) -> None:
    if party_kind not in PARTY_KINDS:
        raise DiscretionError(
            "party_kind",
            "当事人类型应为自然人、单位或个体工商户。",
            "party_kind must be person, organisation or individual_business.",
        )
    if matter.party_type not in ("any", *FITS[party_kind]):
        whose = "单位" if matter.party_type == "organisation" else "个人"
        raise DiscretionError(
            "party_kind",
            f"事项 {matter.code} 的罚款幅度适用于{whose}，与当事人类型（{PARTY_KINDS[party_kind][0]}）不符，请选择对应的事项。",
            f"Matter {matter.code}'s fine range is for {matter.party_type}s, not a {PARTY_KINDS[party_kind][1]}; choose the matching matter.",
        )
    c = facts.circumstances
    if c is not None and c not in CIRCUMSTANCES and c not in TIER_ORDER:
        raise DiscretionError(
            "circumstances",
            "违法情节应为轻微、较轻、一般、较重、严重之一，或裁量档次。",
            f"Unknown circumstances '{c}'.",
        )
    for name, given, known in (
        ("mitigating", facts.mitigating, MITIGATING),
        ("aggravating", facts.aggravating, AGGRAVATING),
    ):
        unknown = [f for f in given if f not in known]
        if unknown:
            raise DiscretionError(
                name, f"未知裁量情节：{'、'.join(unknown)}。", f"Unknown factors: {unknown}."
            )
    if facts.harm is not None and facts.harm not in HARM:
        raise DiscretionError("harm", "危害后果应为无、轻微或有。", "harm: none, slight, harmful.")
    if facts.illegal_gains_fen < 0:
        raise DiscretionError("illegal_gains_fen", "违法所得不能为负数。", "Gains cannot be < 0.")
    if facts.first_violation and "repeat" in facts.aggravating:
        raise DiscretionError(
            "first_violation",
            "初次违法与「多次实施同一违法行为且已受过行政处罚」矛盾。",
            "A first violation cannot also be a repeated one.",
        )


def _tiers(matter: MatterTerms, party_kind: str) -> dict[str, TierRow]:
    """The matter's benchmark rows for this party, by tier id: a row for the party's own
    type wins over an 'any' row. Without rows, the catalog's arithmetic is applied to
    the statutory range."""
    rows = list(matter.benchmark or [])
    if not rows and matter.fine_min is not None and matter.fine_max is not None:
        kinds = tuple(matter.penalty_kinds or ())
        rows = [t.as_dict() for t in benchmark(matter.fine_min, matter.fine_max, "any", kinds)]
    preference = (*FITS[party_kind], "any")
    chosen: dict[str, TierRow] = {}
    for row in rows:
        kind = row.get("party_type", "any")
        if kind not in preference:
            continue
        held = chosen.get(row["tier"])
        if held is None or preference.index(kind) < preference.index(held.get("party_type", "any")):
            chosen[row["tier"]] = row
    return chosen


def _nearest(tier: str, tiers: dict[str, TierRow]) -> str:
    """The tier itself, or the nearest one the benchmark has (a benchmark may omit one)."""
    if not tiers or tier in tiers:
        return tier
    i = TIER_ORDER.index(tier)
    return min(tiers, key=lambda t: (abs(TIER_ORDER.index(t) - i), TIER_ORDER.index(t)))


def _choose(
    base: str, facts: Facts, tiers: dict[str, TierRow], reasons: list[Reason]
) -> tuple[str, str, str]:
    """(lowest tier, highest tier, rule) of the allowed range."""
    lighter = [f for f in facts.mitigating]
    mandatory = [f for f in lighter if MITIGATING[f][2]]
    heavier = list(facts.aggravating)
    for f in lighter:
        zh, art, must = MITIGATING[f]
        word = "应当" if must else "可以"
        reasons.append(
            Reason(
                f"当事人{zh}，{word}从轻或者减轻处罚。",
                f"Mitigating factor '{f}': the penalty {'shall' if must else 'may'} be lighter or reduced.",
                art,
            )
        )
    for f in heavier:
        zh, art = AGGRAVATING[f]
        reasons.append(Reason(f"当事人{zh}，应当从重处罚。", f"Aggravating factor '{f}'.", art))
    present = [t for t in TIER_ORDER if t in tiers] or list(TIER_ORDER[1:])
    if len(lighter) >= 2 and not heavier:
        low = high = present[0]
        reasons.append(
            Reason(
                f"具有{len(lighter)}个从轻、减轻情节且没有从重情节，按最低处罚档次处罚。",
                "Two or more lighter factors and none heavier: the minimum tier.",
                f"{CQ}第十七条第(一)项",
            )
        )
        return low, high, "two_lighter_minimum"
    if len(heavier) >= 2 and not lighter:
        low = high = present[-1]
        reasons.append(
            Reason(
                f"具有{len(heavier)}个从重情节且没有从轻、减轻情节，按最高处罚档次处罚。",
                "Two or more heavier factors and none lighter: the maximum tier.",
                f"{CQ}第十七条第(二)项",
            )
        )
        return low, high, "two_heavier_maximum"
    if lighter and heavier:
        reasons.append(
            Reason(
                "既有从轻、减轻情节又有从重情节，综合衡量后按违法情节对应的档次处罚。",
                "Both lighter and heavier factors: weighed together, the tier of the circumstances.",
                f"{CQ}第十七条第(三)项",
            )
        )
        tier = _nearest(base, tiers)
        return tier, tier, "mixed"
    if mandatory:
        tier = _nearest(_lower(base, "lighter"), tiers)
        return tier, tier, "mandatory_lighter"
    if lighter:  # only a "may" factor: the range reaches down to 从轻
        return _nearest(_lower(base, "lighter"), tiers), _nearest(base, tiers), "optional_lighter"
    if heavier:
        tier = _nearest("heavier", tiers)
        return tier, tier, "aggravating"
    tier = _nearest(base, tiers)
    return tier, tier, "circumstances"


def _lower(a: str, b: str) -> str:
    return min(a, b, key=TIER_ORDER.index)


def _circumstance_reason(circumstances: str) -> Reason:
    if circumstances in CIRCUMSTANCES:
        zh, en, tier = CIRCUMSTANCES[circumstances]
        return Reason(
            f"违法{zh}，对应「{TIER_NAMES[tier]}」档次。",
            f"Circumstances {en}: the {tier} tier.",
            f"{GB27}（六）",
        )
    return Reason(
        f"承办人员认定的裁量档次为「{TIER_NAMES[circumstances]}」。",
        f"The tier recorded by the officer: {circumstances}.",
        f"{GB27}（六）",
    )


def _range_reason(basis: str, rows: tuple[TierRow, ...], lo: int, hi: int) -> Reason:
    names = "至".join(f"「{r['name']}」" for r in rows)
    return Reason(
        f"适用{basis}裁量基准{names}档次，罚款幅度为{yuan(lo)}至{yuan(hi)}。",
        f"Benchmark of {basis}, tier {'–'.join(r['tier'] for r in rows)}: {lo / 100:.2f}–{hi / 100:.2f} yuan.",
        basis,
    )


def no_penalty_ground(facts: Facts) -> tuple[str | None, str | None]:
    """Whether 第三十三条 applies to `facts`: ("mandatory" | "discretionary" | None, the
    ground "minor" | "no_fault" | "first" | None) — what `assess` says, without a matter."""
    return _no_penalty(facts.circumstances or "ordinary", facts, [])


def _no_penalty(
    circumstances: str, facts: Facts, reasons: list[Reason]
) -> tuple[str | None, str | None]:
    """第三十三条: the mandatory grounds first, then first violation."""
    if circumstances == "minor" and facts.corrected and facts.harm == "none":
        reasons.append(
            Reason(
                "违法行为轻微并及时改正，没有造成危害后果，不予行政处罚，并应当对当事人进行教育。",
                "A minor violation corrected in time with no harm: no penalty; the party is educated.",
                f"{PZ}第三十三条第一款",
            )
        )
        return "mandatory", "minor"
    if facts.no_fault:
        reasons.append(
            Reason(
                "当事人有证据足以证明没有主观过错，不予行政处罚（法律、行政法规另有规定的除外），并应当对当事人进行教育。",
                "The party proved no subjective fault: no penalty unless a law or administrative regulation says otherwise.",
                f"{PZ}第三十三条第二款",
            )
        )
        return "mandatory", "no_fault"
    if facts.first_violation and facts.corrected and facts.harm in ("none", "slight"):
        reasons.append(
            Reason(
                "初次违法且危害后果轻微并及时改正，可以不予行政处罚；不予处罚的，应当对当事人进行教育。",
                "A first violation with slight harm, corrected in time: the agency may decide not to penalise.",
                f"{PZ}第三十三条第一款",
            )
        )
        return "discretionary", "first"
    return None, None


# --- checking a proposal ----------------------------------------------------------


def check_proposal(
    assessment: Assessment, proposed_fine_fen: int | None, justification: str = ""
) -> Result:
    """Whether `proposed_fine_fen` may be proposed under `assessment`.

    None means no fine is proposed (a warning, or no penalty) and is always allowed. A
    result with ok=False is a refusal: raise it with its rule, message and article."""
    a, fine, why = assessment, proposed_fine_fen, (justification or "").strip()
    if fine is None:
        return Result(True, message="未拟罚款。", message_en="No fine proposed.")
    if fine < 0:
        return Result(
            False,
            rule="negative-fine",
            message="罚款不能为负数。",
            message_en="A fine cannot be negative.",
        )
    if a.no_penalty and fine == 0:
        return Result(
            True,
            rule="no-penalty",
            message="不予行政处罚，应当对当事人进行教育。",
            message_en="No penalty; the party is educated.",
            article=f"{PZ}第三十三条",
        )
    if a.no_penalty == "mandatory" and fine > 0:
        article = f"{PZ}第三十三条第{'一' if a.no_penalty_ground == 'minor' else '二'}款"
        return Result(
            False,
            rule="no-penalty-mandatory",
            message=f"依照{article}，本案应当不予行政处罚，不能拟定罚款；应当对当事人进行教育。",
            message_en="The law requires no penalty here (Article 33): no fine may be proposed; educate the party.",
            article=article,
        )
    if a.statutory_max_fen is not None and fine > a.statutory_max_fen:
        return Result(
            False,
            outside_range=True,
            rule="above-statutory-maximum",
            message=f"拟罚款{yuan(fine)}超过{a.penalty_basis}规定的法定上限{yuan(a.statutory_max_fen)}，不能作出；书面说明理由也不能突破法定上限。",
            message_en=f"The fine exceeds the statutory maximum of {a.statutory_max_fen / 100:.2f} yuan set by the penalty provision; no justification can lift it.",
            article=a.penalty_basis,
        )
    if a.mandatory_cap_fen is not None and fine > a.mandatory_cap_fen:
        articles = "、".join(a.mandatory_articles)
        return Result(
            False,
            outside_range=True,
            rule="mandatory-lighter",
            message=f"当事人具有{articles}规定的情形，应当从轻或者减轻处罚：罚款不得超过从轻档次上限{yuan(a.mandatory_cap_fen)} (拟罚款{yuan(fine)})；这不是裁量，书面说明理由也不能突破。",
            message_en=f"A lighter or reduced penalty is mandatory ({articles}): the fine may not exceed the lighter tier's top of {a.mandatory_cap_fen / 100:.2f} yuan; no justification can lift it.",
            article=articles,
        )
    if a.statutory_min_fen is not None and fine < a.statutory_min_fen and not a.may_reduce:
        return Result(
            False,
            outside_range=True,
            rule="below-statutory-minimum",
            message=f"拟罚款{yuan(fine)}低于{a.penalty_basis}规定的法定下限{yuan(a.statutory_min_fen)}；减轻处罚须有{PZ}第三十条、第三十一条、第三十二条规定的情形。",
            message_en="The fine is below the statutory minimum; a reduced penalty needs a ground of Articles 30-32 of the Administrative Penalty Law.",
            article=f"{PZ}第三十二条",
        )
    if a.fine_min_fen is None or a.fine_max_fen is None:
        return Result(
            True,
            rule="no-fixed-range",
            message=f"该事项没有固定罚款幅度，罚款按「{a.fine_rule or a.penalty_basis}」确定，系统不作幅度比对。",
            message_en="The matter has no fixed fine range; the fine follows the penalty provision and is not compared with a range.",
            article=a.penalty_basis,
        )
    if a.fine_min_fen <= fine <= a.fine_max_fen:
        return Result(
            True,
            message=f"拟罚款{yuan(fine)}在裁量基准「{a.tier_name}」档次幅度{yuan(a.fine_min_fen)}至{yuan(a.fine_max_fen)}内。",
            message_en=f"The fine is within the benchmark range of the {a.tier} tier.",
            article=a.penalty_basis,
        )
    where = f"拟罚款{yuan(fine)}超出裁量基准幅度{yuan(a.fine_min_fen)}至{yuan(a.fine_max_fen)}"
    article = f"{GB27}（十二）"
    if len(why) < MIN_JUSTIFICATION:
        return Result(
            False,
            outside_range=True,
            needs_justification=True,
            flag_for_supervision=True,
            requires_approval=True,
            rule="outside-benchmark-unjustified",
            message=f"{where}，须书面说明理由（不少于{MIN_JUSTIFICATION}字），并经本机关主要负责人批准或者集体讨论通过（{article}）。",
            message_en=f"The fine is outside the benchmark range: a written justification (at least {MIN_JUSTIFICATION} characters) and the principal head's approval or a collective discussion are required (Guobanfa [2022] No. 27, (12)).",
            article=article,
            field="justification",
        )
    return Result(
        True,
        outside_range=True,
        needs_justification=True,
        flag_for_supervision=True,
        requires_approval=True,
        rule="outside-benchmark-justified",
        message=f"{where}，已书面说明理由；须经本机关主要负责人批准或者集体讨论通过，并已标记供执法监督（{article}）。",
        message_en="Outside the benchmark range with a written justification: needs the principal head's approval or a collective discussion, and is flagged for supervision.",
        article=article,
    )


def statement(assessment: Assessment, fine_fen: int | None, justification: str = "") -> str:
    """How the benchmark was applied, for the decision document (27号 （十二）)."""
    a = assessment
    head = f"本案适用{a.penalty_basis}「{a.matter_name}」行政处罚裁量基准。"
    if a.no_penalty and not fine_fen:
        basis = next(r for r in a.reasons if r.article.startswith(f"{PZ}第三十三条"))
        return f"{head}{basis.zh.rstrip('。')}（{basis.article}）。"
    facts = "；".join(r.zh.rstrip("。") for r in [a.reasons[0], *_factor_reasons(a)])
    text = f"{head}{facts}。"
    if a.fine_min_fen is not None and a.fine_max_fen is not None and a.rows:
        text += (
            f"按「{a.tier_name}」档次，罚款幅度为{yuan(a.fine_min_fen)}至{yuan(a.fine_max_fen)}。"
        )
    if fine_fen is not None:
        text += f"决定罚款人民币{yuan(fine_fen)}"
        result = check_proposal(a, fine_fen, justification)
        if result.outside_range and result.ok:
            text += f"，超出基准幅度调整适用，理由：{justification.strip().rstrip('。')}"
        elif a.fine_min_fen is not None and a.rows:
            text += "，在基准幅度内"
        text += "。"
    if a.no_penalty == "discretionary" and fine_fen:
        text += f"当事人初次违法且危害后果轻微并及时改正，依照{PZ}第三十三条第一款可以不予行政处罚，经综合衡量仍予处罚。"
    if a.confiscate_gains_fen:
        text += f"没收违法所得人民币{yuan(a.confiscate_gains_fen)}（{PZ}第二十八条第二款）。"
    return text


def _factor_reasons(a: Assessment) -> list[Reason]:
    return [
        r
        for r in a.reasons
        if r.article.startswith((f"{PZ}第三十条", f"{PZ}第三十一条", f"{PZ}第三十二条", CQ))
    ]
