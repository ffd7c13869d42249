"""The vertical system's pull, without I/O: which window the connector reads next, and
whether a pulled case is one of the district's own."""

from __future__ import annotations

import datetime as dt
import uuid

from yimen.connectors.sector.connector import SectorConnector
from yimen.platform.cases.external import matching

NOW = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC)
CASE = uuid.uuid4()


def test_the_first_pass_reads_everything():
    window = SectorConnector().plan(None, None, NOW)
    assert (window.since, window.until, window.full) == (None, NOW, True)


def test_a_pass_overlaps_the_last_one_by_ten_minutes():
    watermark = NOW - dt.timedelta(minutes=5)
    window = SectorConnector().plan(watermark, NOW - dt.timedelta(hours=3), NOW)
    assert window.full is False
    assert window.since == watermark - dt.timedelta(minutes=10)
    assert window.until == NOW


def test_the_full_pass_comes_once_a_night_after_its_hour_utc():
    connector = SectorConnector(full_pass_hour=18)
    watermark = NOW - dt.timedelta(minutes=5)
    last_night = dt.datetime(2026, 12, 7, 18, 5, tzinfo=dt.UTC)
    assert not connector.plan(watermark, last_night, NOW).full  # 03:00: tonight's not due
    evening = dt.datetime(2026, 12, 8, 18, 1, tzinfo=dt.UTC)
    assert connector.plan(watermark, last_night, evening).full
    done_tonight = dt.datetime(2026, 12, 8, 18, 2, tzinfo=dt.UTC)
    assert not connector.plan(watermark, done_tonight, evening + dt.timedelta(hours=1)).full
    # a full pass missed for two days is due at once
    assert connector.plan(watermark, last_night - dt.timedelta(days=2), NOW).full


def pulled(**changes) -> matching.Pulled:
    fields = dict(
        party_name="南京鼎味餐饮管理有限公司",
        credit_code="91320102MA1W3K5P8X",
        decision_number="玄市监罚〔2026〕17号",
        matter_code="SC-0101",
        decision_date=dt.date(2026, 11, 20),
    )
    return matching.Pulled(**{**fields, **changes})


def ours(**changes) -> matching.Candidate:
    fields = dict(
        case_id=CASE,
        party_names=("南京鼎味餐饮管理有限公司",),
        credit_codes=("91320102MA1W3K5P8X",),
        decision_number="玄市监罚[2026]17号",
        matter_code="SC-0101",
        decided_on=dt.date(2026, 11, 20),
    )
    return matching.Candidate(**{**fields, **changes})


def test_credit_code_and_decision_number_link_whatever_the_brackets_and_spaces():
    verdict = matching.match(pulled(decision_number="玄市监罚 ［2026］ 17 号"), [ours()])
    assert (verdict.state, verdict.case_id) == ("linked", CASE)


def test_the_same_number_for_another_party_is_not_linked_but_may_be_proposed():
    verdict = matching.match(pulled(credit_code="91320102MA1X8Q2RN0"), [ours()])
    assert (verdict.state, verdict.case_id) == ("proposed", CASE)


def test_a_like_party_on_the_same_matter_within_a_week_is_proposed():
    candidate = ours(credit_codes=(), decision_number="", decided_on=dt.date(2026, 11, 14))
    verdict = matching.match(pulled(party_name="南京鼎味餐饮管理有限公司（分店）"), [candidate])
    assert verdict.state == "proposed" and "6 天" in verdict.reason


def test_another_matter_a_date_too_far_or_an_unlike_name_is_no_match():
    unlike = ours(credit_codes=())
    assert matching.match(pulled(credit_code="", matter_code="SC-0999"), [unlike]).state == (
        "unmatched"
    )
    far = ours(credit_codes=(), decided_on=dt.date(2026, 11, 12))
    assert matching.match(pulled(credit_code=""), [far]).state == "unmatched"
    assert matching.match(pulled(credit_code="", party_name="玄武区某五金店"), [unlike]).state == (
        "unmatched"
    )


def test_a_rejected_case_is_not_proposed_again_but_still_links_exactly():
    assert matching.match(pulled(credit_code=""), [ours()], frozenset({CASE})).state == (
        "unmatched"
    )
    assert matching.match(pulled(), [ours()], frozenset({CASE})).state == "linked"
