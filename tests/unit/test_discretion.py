"""Discretion benchmarks (行政裁量权基准, 国办发〔2022〕27号) applied to real catalog matters:
the tier the facts select, the range it allows, no penalty under 处罚法 第三十三条, and
the check of a proposed fine (国办发〔2022〕27号 （十二）)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from yimen.platform.cases.discretion.benchmark import (
    Assessment,
    DiscretionError,
    Facts,
    assess,
    check_proposal,
    statement,
)
from yimen.tenants.powers import catalog
from yimen.tenants.powers.matters import starter_fields

_ROWS = {row[0]: row for row in catalog.MATTERS}

DUST = "CG-0018"  # 运输散装物料遗撒, 大气法 第一百一十六条: 2,000–20,000 yuan, any party
ROAD = "CG-0011"  # 擅自占用或者挖掘城市道路: up to 20,000 yuan (only a maximum)
RUBBISH_ORG = "CG-0019"  # 随意倾倒生活垃圾 (单位): 50,000–500,000 yuan
RUBBISH_PERSON = "CG-0020"  # 随意倾倒生活垃圾 (个人): 100–500 yuan
EMISSIONS = "HJ-0001"  # 超标排放大气污染物: 100,000–1,000,000, suspension or closure
FAKE_GOODS = "SC-0004"  # 货值金额等值以上三倍以下: no fixed range


def matter(code: str) -> SimpleNamespace:
    return SimpleNamespace(**starter_fields(_ROWS[code]))


def yuan_range(a: Assessment) -> tuple[int, int]:
    return a.fine_min_fen // 100, a.fine_max_fen // 100


# --- tiers from the facts ------------------------------------------------------------


def test_the_catalog_tiers_split_the_range_30_70_chongqing_article_16():
    """重庆市规范行政处罚裁量权办法 第十六条: 从轻 ≤30%, 一般 30%–70%, 从重 ≥70% of 2,000–20,000."""
    dust = matter(DUST)
    ranges = {
        c: yuan_range(assess(dust, "organisation", Facts(circumstances=c)))
        for c in ("minor", "fairly_light", "ordinary", "fairly_serious", "serious")
    }
    assert ranges == {
        "minor": (2000, 7400),
        "fairly_light": (2000, 7400),
        "ordinary": (7400, 14600),
        "fairly_serious": (14600, 20000),
        "serious": (14600, 20000),
    }


def test_circumstances_pick_the_tier_of_the_party_type_guobanfa_2022_27():
    """国办发〔2022〕27号 （六）: 情节较轻 / 一般 / 较重 map onto the tiers; the 单位 row
    applies to an organisation."""
    light = assess(matter(RUBBISH_ORG), "organisation", Facts(circumstances="fairly_light"))
    assert (light.tier, light.tier_name, yuan_range(light)) == ("lighter", "从轻", (50000, 185000))
    assert light.rows[0]["party_type"] == "organisation"
    person = assess(matter(RUBBISH_PERSON), "person", Facts(circumstances="ordinary"))
    assert yuan_range(person) == (220, 380)
    assert person.statutory_min_fen == 10000 and person.statutory_max_fen == 50000


def test_a_serious_case_carries_the_suspension_the_heavier_tier_goes_with():
    """The catalog keeps 责令停产停业 / 责令关闭 for the 从重 tier (大气法 第九十九条)."""
    serious = assess(matter(EMISSIONS), "organisation", Facts(circumstances="serious"))
    assert serious.tier == "heavier" and yuan_range(serious) == (730000, 1000000)
    assert set(serious.other_penalties) == {"order_suspension", "order_closure"}
    ordinary = assess(matter(EMISSIONS), "organisation", Facts())
    assert ordinary.tier == "ordinary" and ordinary.other_penalties == ()


def test_a_tier_id_may_be_recorded_instead_of_circumstances():
    assert assess(matter(DUST), "organisation", Facts(circumstances="heavier")).tier == "heavier"


def test_the_range_for_one_party_type_is_refused_for_the_other():
    with pytest.raises(DiscretionError) as refused:
        assess(matter(RUBBISH_ORG), "person", Facts())
    assert refused.value.field == "party_kind" and "单位" in refused.value.zh
    # 个体工商户: a natural person in business (民法典 第五十四条); either range may apply
    assert assess(matter(RUBBISH_PERSON), "individual_business", Facts()).tier == "ordinary"
    assert assess(matter(RUBBISH_ORG), "individual_business", Facts()).tier == "ordinary"


def test_unknown_factors_and_contradictions_are_refused_with_the_field():
    with pytest.raises(DiscretionError) as unknown:
        assess(matter(DUST), "organisation", Facts(mitigating=("was_polite",)))
    assert unknown.value.field == "mitigating"
    with pytest.raises(DiscretionError) as contradiction:
        assess(matter(DUST), "organisation", Facts(first_violation=True, aggravating=("repeat",)))
    assert contradiction.value.field == "first_violation"


# --- factors -----------------------------------------------------------------------


def test_one_factor_of_article_32_makes_the_penalty_lighter():
    """处罚法 第三十二条: 主动消除危害后果 → 应当从轻或者减轻: an ordinary case drops to 从轻."""
    a = assess(matter(DUST), "organisation", Facts(mitigating=("eliminated_harm",)))
    assert (a.tier, a.rule, yuan_range(a)) == ("lighter", "mandatory_lighter", (2000, 7400))
    assert a.may_reduce
    assert any(r.article == "《行政处罚法》第三十二条第(一)项" for r in a.reasons)


def test_two_lighter_factors_and_none_heavier_give_the_minimum_tier_chongqing_17():
    """重庆 第十七条第(一)项: 2+ lighter and no heavier → the minimum tier;
    where the law gives only a maximum that is 减轻 (below 10% of it)."""
    facts = Facts(circumstances="fairly_serious", mitigating=("confessed", "meritorious"))
    dust = assess(matter(DUST), "organisation", facts)
    assert (dust.tier, dust.rule, yuan_range(dust)) == (
        "lighter",
        "two_lighter_minimum",
        (2000, 7400),
    )
    road = assess(matter(ROAD), "person", facts)
    assert (road.tier, yuan_range(road)) == ("reduced", (0, 2000))


def test_two_heavier_factors_and_none_lighter_give_the_maximum_tier_chongqing_17():
    """重庆 第十七条第(二)项: even when the officer found the circumstances fairly light."""
    facts = Facts(circumstances="fairly_light", aggravating=("repeat", "obstruction"))
    a = assess(matter(DUST), "organisation", facts)
    assert (a.tier, a.rule, yuan_range(a)) == ("heavier", "two_heavier_maximum", (14600, 20000))


def test_one_aggravating_factor_means_the_heavier_tier_chongqing_15():
    a = assess(matter(DUST), "organisation", Facts(aggravating=("destroyed_evidence",)))
    assert (a.tier, a.rule) == ("heavier", "aggravating")


def test_lighter_and_heavier_factors_together_keep_the_circumstances_tier_chongqing_17():
    """重庆 第十七条第(三)项: weighed together, the tier of the circumstances recorded."""
    facts = Facts(circumstances="ordinary", mitigating=("confessed",), aggravating=("obstruction",))
    a = assess(matter(DUST), "organisation", facts)
    assert (a.tier, a.rule) == ("ordinary", "mixed")


def test_a_may_factor_of_article_31_widens_the_range_down_to_lighter():
    """处罚法 第三十一条: 可以从轻或者减轻 — the agency may, so both tiers are allowed."""
    a = assess(matter(DUST), "person", Facts(mitigating=("limited_capacity",)))
    assert (a.rule, yuan_range(a)) == ("optional_lighter", (2000, 14600))


def test_illegal_gains_are_confiscated_besides_the_fine_article_28():
    """处罚法 第二十八条第二款: 违法所得 ... 应当予以没收."""
    a = assess(matter(DUST), "organisation", Facts(illegal_gains_fen=123456))
    assert a.confiscate_gains_fen == 123456
    assert "没收违法所得人民币1234.56元（《行政处罚法》第二十八条第二款）" in statement(a, 800000)


# --- no penalty (第三十三条) ----------------------------------------------------------


def test_minor_corrected_and_harmless_means_no_penalty_mandatory_article_33():
    """处罚法 第三十三条第一款前段: 不予行政处罚 — a fine is refused, the party educated."""
    a = assess(
        matter(RUBBISH_PERSON), "person", Facts(circumstances="minor", corrected=True, harm="none")
    )
    assert (a.no_penalty, a.no_penalty_ground, a.education_required) == ("mandatory", "minor", True)
    assert (a.fine_min_fen, a.fine_max_fen, a.tier_name) == (0, 0, "不予处罚")
    refused = check_proposal(a, 20000, "当事人态度恶劣，应予罚款以儆效尤")
    assert not refused.ok and refused.rule == "no-penalty-mandatory"
    assert refused.article == "《行政处罚法》第三十三条第一款"
    assert check_proposal(a, None).ok and check_proposal(a, 0).ok
    unlicensed = matter("SC-0001")  # 无照经营: 没收违法所得 goes with every tier
    assert assess(unlicensed, "person", Facts(circumstances="minor")).other_penalties == (
        "confiscate_gains",
    )
    excused = assess(
        unlicensed, "person", Facts(circumstances="minor", corrected=True, harm="none")
    )
    assert excused.other_penalties == ()  # nothing goes with a penalty not imposed
    assert "不予行政处罚" in statement(a, None) and "教育" in statement(a, None)


def test_a_minor_violation_not_corrected_is_penalised_article_33():
    a = assess(
        matter(RUBBISH_PERSON), "person", Facts(circumstances="minor", corrected=False, harm="none")
    )
    assert a.no_penalty is None and a.tier == "lighter"


def test_first_violation_with_slight_harm_corrected_may_go_unpunished_article_33():
    """处罚法 第三十三条第一款后段 (首违不罚): 可以 — discretionary: the range stays, a fine
    within it is allowed, and the decision says the agency weighed it."""
    facts = Facts(first_violation=True, corrected=True, harm="slight")
    a = assess(matter(RUBBISH_PERSON), "person", facts)
    assert (a.no_penalty, a.no_penalty_ground) == ("discretionary", "first")
    assert a.tier == "ordinary" and yuan_range(a) == (220, 380)
    assert check_proposal(a, 30000).ok
    assert check_proposal(a, 0).rule == "no-penalty"  # deciding not to penalise
    assert "可以不予行政处罚，经综合衡量仍予处罚" in statement(a, 30000)
    assert "可以不予行政处罚" in statement(a, None)
    harmful = assess(
        matter(RUBBISH_PERSON),
        "person",
        Facts(first_violation=True, corrected=True, harm="harmful"),
    )
    assert harmful.no_penalty is None


def test_proof_of_no_fault_means_no_penalty_article_33_paragraph_2():
    a = assess(matter(DUST), "organisation", Facts(no_fault=True))
    assert (a.no_penalty, a.no_penalty_ground) == ("mandatory", "no_fault")
    assert check_proposal(a, 300000).article == "《行政处罚法》第三十三条第二款"


# --- checking a proposal --------------------------------------------------------------


def test_a_fine_within_the_range_is_accepted_without_a_flag():
    a = assess(matter(DUST), "organisation", Facts())
    result = check_proposal(a, 1000000)
    assert result.ok and not result.outside_range and not result.flag_for_supervision


def test_outside_the_range_needs_a_written_justification_and_is_flagged_guobanfa_27():
    """国办发〔2022〕27号 （十二）: departing from the benchmark needs reasons and the head's
    approval or collective discussion; it is flagged for supervision either way."""
    a = assess(matter(DUST), "organisation", Facts(circumstances="fairly_light"))
    bare = check_proposal(a, 1000000)
    assert not bare.ok and bare.needs_justification and bare.flag_for_supervision
    assert bare.rule == "outside-benchmark-unjustified" and bare.field == "justification"
    assert "国办发〔2022〕27号" in bare.message and "2000元至7400元" in bare.message
    assert not check_proposal(a, 1000000, "太少").ok  # a word is not a written justification
    why = "当事人拒不配合清理，遗撒路段长达两公里，影响交通"
    justified = check_proposal(a, 1000000, why)
    assert justified.ok and justified.outside_range and justified.flag_for_supervision
    assert justified.requires_approval
    assert f"超出基准幅度调整适用，理由：{why}" in statement(a, 1000000, why)


def test_above_the_statutory_maximum_is_refused_even_with_reasons():
    """法定上限: 大气法 第一百一十六条 allows at most 20,000 yuan; no justification lifts it."""
    a = assess(matter(DUST), "organisation", Facts(circumstances="serious"))
    refused = check_proposal(a, 2000001, "情节特别严重，社会影响恶劣，经集体讨论决定")
    assert not refused.ok and refused.rule == "above-statutory-maximum"
    assert "法定上限20000元" in refused.message
    assert refused.article == "《中华人民共和国大气污染防治法》第一百一十六条"
    assert check_proposal(a, 2000000).ok


def test_below_the_statutory_minimum_needs_a_statutory_ground_to_reduce_article_32():
    """减轻处罚 goes below the statutory minimum only on a ground of 第三十条–第三十二条."""
    plain = assess(matter(DUST), "organisation", Facts(circumstances="minor"))
    refused = check_proposal(plain, 100000, "当事人经营困难，无力缴纳罚款")
    assert not refused.ok and refused.rule == "below-statutory-minimum"
    coerced = assess(matter(DUST), "organisation", Facts(mitigating=("coerced",)))
    reduced = check_proposal(coerced, 100000, "当事人受他人胁迫实施违法行为，依法减轻处罚")
    assert reduced.ok and reduced.outside_range and reduced.flag_for_supervision


def test_a_matter_without_a_fixed_range_is_not_compared_with_one():
    a = assess(matter(FAKE_GOODS), "organisation", Facts(circumstances="serious"))
    assert (a.fine_min_fen, a.fine_max_fen, a.rows) == (None, None, ())
    result = check_proposal(a, 50000000)
    assert result.ok and result.rule == "no-fixed-range" and "货值金额" in result.message


def test_the_decision_states_how_the_benchmark_was_applied_guobanfa_27():
    """国办发〔2022〕27号 （十二）: 在行政执法决定书中对行政裁量权基准的适用情况予以明确."""
    facts = Facts(circumstances="fairly_light", mitigating=("eliminated_harm", "confessed"))
    a = assess(matter(DUST), "organisation", facts)
    text = statement(a, 300000)
    assert text.startswith("本案适用《中华人民共和国大气污染防治法》第一百一十六条")
    assert "具有2个从轻、减轻情节且没有从重情节，按最低处罚档次处罚" in text
    assert "按「从轻」档次，罚款幅度为2000元至7400元。决定罚款人民币3000元，在基准幅度内。" in text


def test_an_assessment_survives_the_case_file_json():
    a = assess(matter(DUST), "organisation", Facts(illegal_gains_fen=5000, mitigating=("coerced",)))
    stored = json.loads(json.dumps(a.as_dict(), ensure_ascii=False))
    assert Assessment.from_dict(stored) == a
