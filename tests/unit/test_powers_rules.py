"""The starter catalog and the rules of the power list: penalty kinds (处罚法 第九条),
discretion benchmarks (国办发〔2022〕27号), major decisions (国办发〔2018〕118号)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from yimen.tenants.powers import catalog
from yimen.tenants.powers.catalog import MATTERS
from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.matters import starter_fields
from yimen.tenants.powers.rules import (
    PARTY_TYPES,
    PENALTY_KINDS,
    benchmark,
    is_major,
    major_list_error,
    parse_provisions,
    refinement_errors,
    split_article,
    start_error,
    tier_errors,
)

CODES = {row[0] for row in MATTERS}


def test_the_starter_catalog_has_at_least_60_matters_in_at_least_6_domains_each_with_law_and_article():
    assert len(MATTERS) >= 60
    domains = Counter(row[2] for row in MATTERS)
    assert len(domains) >= 6 and all(d in DOMAINS for d in domains)
    assert sum(1 for n in domains.values() if n >= 3) >= 6  # not six domains of one matter
    for code, _name, _domain, law, article, kinds, fine, rule, _major, _criminal in MATTERS:
        assert law.startswith("《") and law.endswith("》"), code
        assert split_article(article) is not None, f"{code}: {article}"
        assert set(kinds) <= set(PENALTY_KINDS), code
        assert "fine" not in kinds or fine or rule, f"{code}: a fine needs a range or a rule"


def test_codes_are_unique_and_the_side_tables_name_only_catalog_matters():
    codes = [row[0] for row in MATTERS]
    assert len(codes) == len(set(codes))
    for table in (catalog.VIOLATED, catalog.PARTY, catalog.THRESHOLDS):
        assert set(table) <= CODES


def test_every_provision_violated_is_a_law_and_an_article():
    for code, provisions in catalog.VIOLATED.items():
        for law, article in provisions:
            assert law.startswith("《") and split_article(article), f"{code}: {law}{article}"


def test_the_laws_own_ranges_are_ordered_and_the_party_is_named_where_the_law_splits_it():
    for code, *_rest, fine, _rule, _major, _criminal in MATTERS:
        if fine:
            assert 0 <= fine[0] < fine[1], code
    assert set(catalog.PARTY.values()) <= set(PARTY_TYPES)
    assert catalog.PARTY["CG-0019"] == "organisation" and catalog.PARTY["CG-0020"] == "individual"


def test_criminal_transfer_figures_are_positive_and_belong_to_matters_with_an_offence():
    """两法衔接 (《行政执法机关移送涉嫌犯罪案件的规定》第三条): a figure only where the
    Criminal Law has a matching offence; 生产、销售伪劣产品 at 50,000 yuan of sales."""
    criminal = {row[0]: row[9] for row in MATTERS}
    for code, figures in catalog.THRESHOLDS.items():
        assert criminal[code].startswith("刑法第"), code
        assert all(value > 0 for _metric, _label, value, _unit in figures), code
    sales = dict((m, v) for m, _label, v, _unit in catalog.THRESHOLDS["SC-0004"])
    assert sales == {"sales_amount": 50000, "unsold_goods_value": 150000}


def test_a_decision_that_orders_closure_suspension_or_revocation_is_a_major_decision():
    """国办发〔2018〕118号 （十二）: 责令停产停业、吊销许可证件、责令关闭 are major decisions."""
    assert is_major(["fine", "order_suspension"], False)
    assert not is_major(["warning", "fine"], False) and is_major(["fine"], True)
    for row in MATTERS:
        fields = starter_fields(row)
        if {"order_closure", "revoke_license", "order_suspension"} & set(fields["penalty_kinds"]):
            assert fields["is_major"], fields["code"]


def test_a_district_may_add_to_its_major_decision_list_but_not_drop_a_statutory_one():
    assert major_list_error(catalog_major=True, on_major_list=False)
    assert major_list_error(catalog_major=True, on_major_list=True) is None
    assert major_list_error(catalog_major=False, on_major_list=True) is None
    assert major_list_error(catalog_major=False, on_major_list=False) is None


# --- discretion benchmarks ----------------------------------------------------------


def test_benchmark_tiers_split_the_statutory_range_30_70():
    """重庆市规范行政处罚裁量权办法 第十六条: 从轻 ≤30%, 一般 30–70%, 从重 ≥70% of the range."""
    tiers = benchmark(10000, 100000)
    assert [(t.name, t.fine_min, t.fine_max) for t in tiers] == [
        ("从轻", 10000, 37000),
        ("一般", 37000, 73000),
        ("从重", 73000, 100000),
    ]


def test_where_the_law_gives_only_a_maximum_the_lowest_tenth_is_a_reduced_tier():
    """重庆 第十六条: only a maximum → 减轻 <10%, 从轻 10–30%, 一般 30–70%, 从重 ≥70%."""
    tiers = benchmark(0, 20000)  # 《城市道路管理条例》第四十二条: 2万元以下
    assert [(t.name, t.fine_min, t.fine_max) for t in tiers] == [
        ("减轻", 0, 2000),
        ("从轻", 2000, 6000),
        ("一般", 6000, 14000),
        ("从重", 14000, 20000),
    ]


def test_serious_penalties_belong_to_the_heavier_tier_and_confiscation_to_every_tier():
    """Laws keep 责令停产停业、吊销 for 情节严重; 没收违法所得 goes with any fine (e.g.
    《食品安全法》第一百二十二条 没收违法所得 … 并处罚款)."""
    tiers = benchmark(5000, 50000, kinds=("warning", "fine", "confiscate_gains", "revoke_license"))
    assert [t.other_penalties for t in tiers] == [
        ("warning", "confiscate_gains"),
        ("warning", "confiscate_gains"),
        ("warning", "confiscate_gains", "revoke_license"),
    ]


def test_every_starter_benchmark_stays_inside_its_statutory_range():
    """27号: a benchmark refines the statutory range and never leaves it."""
    for row in MATTERS:
        f = starter_fields(row)
        assert tier_errors(f["benchmark"], f["fine_min"], f["fine_max"], f["penalty_kinds"]) == []
        assert bool(f["benchmark"]) == (f["fine_min"] is not None), f["code"]
        assert all(t["party_type"] == f["party_type"] for t in f["benchmark"])


@pytest.mark.parametrize(
    ("tier", "field"),
    [
        ({"tier": "heavier", "fine_min": 90000, "fine_max": 120000}, "fine_max"),
        ({"tier": "lighter", "fine_min": 5000, "fine_max": 20000}, "fine_max"),
        ({"tier": "ordinary", "fine_min": 60000, "fine_max": 40000}, "fine_max"),
        ({"tier": "harshest", "fine_min": 10000, "fine_max": 20000}, "tier"),
        (
            {"tier": "lighter", "party_type": "robot", "fine_min": 10000, "fine_max": 20000},
            "party_type",
        ),
        (
            {
                "tier": "heavier",
                "fine_min": 80000,
                "fine_max": 100000,
                "other_penalties": ["detention"],
            },
            "other_penalties",
        ),
    ],
)
def test_a_tier_outside_the_statutory_range_or_the_laws_penalties_is_refused(tier, field):
    assert field in {f for f, _zh, _en in tier_errors([tier], 10000, 100000, ["fine"])}


def test_a_matter_without_a_fine_range_has_no_fine_tiers():
    tier = {"tier": "lighter", "fine_min": 0, "fine_max": 100}
    assert tier_errors([tier], None, None, ["fine"])[0][0] == "fine_min"


def test_a_repeated_tier_is_refused():
    tier = {"tier": "lighter", "fine_min": 10000, "fine_max": 20000}
    assert "重复" in tier_errors([tier, tier], 10000, 100000, ["fine"])[0][1]


def test_a_district_may_narrow_a_tier_but_never_widen_it():
    """国办发〔2022〕27号: a lower level refines but may not exceed the higher level's ranges."""
    parent = [t.as_dict() for t in benchmark(10000, 100000)]
    narrower = [{"tier": "lighter", "fine_min": 12000, "fine_max": 30000}]
    wider = [{"tier": "heavier", "fine_min": 73000, "fine_max": 120000}]
    new_tier = [{"tier": "reduced", "fine_min": 0, "fine_max": 1000}]
    assert refinement_errors(parent, narrower) == []
    assert "超出上级基准" in refinement_errors(parent, wider)[0]
    assert "没有" in refinement_errors(parent, new_tier)[0]


# --- legal provisions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("第三十四条", ("第三十四条", "")),
        ("第三十四条第(一)项", ("第三十四条", "第(一)项")),
        ("第一百一十一条第一款第(一)项", ("第一百一十一条", "第一款第(一)项")),
        ("第一百一十九条第二款", ("第一百一十九条", "第二款")),
        ("第一百三十四条之一", ("第一百三十四条之一", "")),
        ("第三十四条第（二）项", ("第三十四条", "第（二）项")),
        ("三十四条", None),
        ("第34条", None),
        ("第三十四条 罚款", None),
    ],
)
def test_an_article_is_split_into_article_and_clause(text, parts):
    assert split_article(text) == parts


def test_provisions_are_read_from_one_cell():
    found, bad = parse_provisions(
        "《城市道路管理条例》第二十七条第(一)项；《某法》十条;《水法》第四十八条"
    )
    assert found == [
        {"law": "《城市道路管理条例》", "article": "第二十七条", "clause": "第(一)项"},
        {"law": "《水法》", "article": "第四十八条", "clause": ""},
    ]
    assert bad == ["《某法》十条"]
    assert parse_provisions("") == ([], [])


# --- who holds a matter, from when --------------------------------------------------


def test_an_assignment_cannot_start_in_the_future_or_before_the_holder_it_replaces():
    now = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    since = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert start_error(now + dt.timedelta(days=1), now, None)
    assert start_error(since, now, since)  # the same instant: the holder would hold nothing
    assert start_error(since - dt.timedelta(days=1), now, since)
    assert start_error(since + dt.timedelta(days=1), now, since) is None
    assert start_error(now, now, None) is None
