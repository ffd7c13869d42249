"""The starter catalog and discretion benchmarks (rules.md §9)."""

from __future__ import annotations

from collections import Counter

from yimen.tenants.powers.catalog import MATTERS
from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.rules import PENALTY_KINDS, benchmark, refinement_errors


def test_the_starter_catalog_has_at_least_60_matters_in_at_least_6_domains_each_with_law_and_article():
    assert len(MATTERS) >= 60
    domains = Counter(row[2] for row in MATTERS)
    assert len(domains) >= 6 and all(d in DOMAINS for d in domains)
    for code, _name, _domain, law, article, kinds, fine, rule, _major, _criminal in MATTERS:
        assert law.startswith("《") and law.endswith("》") and article.startswith("第"), code
        assert set(kinds) <= set(PENALTY_KINDS), code
        assert fine or rule, f"{code}: a fine range or a fine rule"


def test_codes_are_unique():
    codes = [row[0] for row in MATTERS]
    assert len(codes) == len(set(codes))


def test_a_decision_that_orders_closure_suspension_or_revocation_is_a_major_decision():
    """国办发〔2018〕118号: 责令停产停业、吊销许可证件、责令关闭 are major decisions."""
    from yimen.tenants.powers.service import matter_from_row

    for row in MATTERS:
        matter = matter_from_row(row)
        if {"order_closure", "revoke_license", "order_suspension"} & set(matter.penalty_kinds):
            assert matter.is_major, matter.code


def test_benchmark_tiers_split_the_statutory_range_30_70():
    """重庆市规范行政处罚裁量权办法 第十六条: 从轻 ≤30%, 一般 30–70%, 从重 ≥70% of the range."""
    tiers = benchmark(10000, 100000)
    assert [(t.name, t.fine_min, t.fine_max) for t in tiers] == [
        ("从轻", 10000, 37000),
        ("一般", 37000, 73000),
        ("从重", 73000, 100000),
    ]


def test_a_district_may_narrow_a_tier_but_never_widen_it():
    """国办发〔2022〕27号: a lower level refines but may not exceed the higher level's ranges."""
    parent = [t.as_dict() for t in benchmark(10000, 100000)]
    narrower = [{"tier": "lighter", "fine_min": 12000, "fine_max": 30000}]
    wider = [{"tier": "heavier", "fine_min": 73000, "fine_max": 120000}]
    assert refinement_errors(parent, narrower) == []
    assert "超出上级基准" in refinement_errors(parent, wider)[0]
