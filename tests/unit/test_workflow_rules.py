"""Overrides may add steps but never remove or weaken a statutory one (DESIGN.md)."""

from __future__ import annotations

from yimen.tenants.workflow.rules import check_against_statute, diff, resolve
from yimen.tenants.workflow.statutory import COMPULSORY_MEASURES, GENERAL, SIMPLE


def test_the_library_version_one_keeps_the_statutory_floor():
    for definition in (GENERAL, SIMPLE, COMPULSORY_MEASURES):
        assert check_against_statute(definition) == []


def test_resolution_goes_platform_then_district_then_agency():
    district = {"add_documents": {"investigation": ["现场照片"]}}
    agency = {
        "add_stages": [{"id": "drone_survey", "name": "无人机勘查", "after": "investigation"}]
    }
    effective = resolve(GENERAL, district, agency)
    ids = [s["id"] for s in effective["stages"]]
    assert ids[ids.index("investigation") + 1] == "drone_survey"
    investigation = next(s for s in effective["stages"] if s["id"] == "investigation")
    assert "现场照片" in [d["kind"] for d in investigation["documents"]]
    assert check_against_statute(effective) == []


def test_removing_prior_notice_is_refused_naming_article_44():
    """处罚法 第四十四条: the party is told the intended penalty and rights before a decision."""
    violations = check_against_statute(resolve(GENERAL, {"remove_stages": ["prior_notice"]}))
    assert violations[0].zh == "不得删除法定环节「事先告知」(《行政处罚法》第四十四条)。"


def test_dropping_legal_review_for_major_decisions_is_refused():
    """处罚法 第五十八条: legal review before a major decision."""
    violations = check_against_statute(
        resolve(GENERAL, {"remove_approvals": {"legal_review": ["legal_reviewer"]}})
    )
    assert violations and "第五十八条" in violations[0].zh


def test_removing_the_service_receipt_is_refused():
    """处罚法 第六十一条: the decision is served, with a receipt."""
    violations = check_against_statute(
        resolve(GENERAL, {"remove_documents": {"service": ["送达回证"]}})
    )
    assert "送达回证" in violations[0].zh


def test_the_partys_hearing_request_window_cannot_be_shortened():
    """处罚法 第六十四条: the party has five (working) days to request a hearing."""
    violations = check_against_statute(
        resolve(GENERAL, {"deadlines": {"hearing_request": {"count": 3}}})
    )
    assert "不得缩短当事人" in violations[0].zh


def test_the_agencys_decision_deadline_cannot_be_lengthened_but_may_be_shortened():
    """处罚法 第六十条: decide within 90 days of filing."""
    assert (
        "不得延长行政机关"
        in check_against_statute(resolve(GENERAL, {"deadlines": {"decision": {"count": 120}}}))[
            0
        ].zh
    )
    assert check_against_statute(resolve(GENERAL, {"deadlines": {"decision": {"count": 60}}})) == []


def test_the_seizure_limit_of_the_compulsion_law_cannot_be_lengthened():
    """行政强制法 第二十五条: 30 days (extension only by approval, per case)."""
    assert check_against_statute(
        resolve(COMPULSORY_MEASURES, {"deadlines": {"seizure": {"count": 45}}})
    )


def test_diff_names_what_changed():
    new = resolve(
        GENERAL,
        {
            "add_stages": [{"id": "review_meeting", "name": "案审会", "after": "decision"}],
            "add_documents": {"filing": ["线索登记表"]},
            "deadlines": {"decision": {"count": 60}},
        },
    )
    changes = diff(GENERAL, new)
    assert changes["stages_added"] == ["案审会"]
    assert changes["documents"] == [{"stage": "立案", "added": ["线索登记表"], "removed": []}]
    assert changes["deadlines"] == [{"deadline": "作出处罚决定", "from": 90, "to": 60}]
