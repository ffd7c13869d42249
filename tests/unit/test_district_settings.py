"""The registry of district settings: typed values, defaults, and agreement with the
code that reads them."""

from __future__ import annotations

import re
from pathlib import Path

from yimen.platform.cases.law import limits as law_limits
from yimen.platform.intake import duplicates
from yimen.tenants.directory.district_settings import REGISTRY, validate, value_of

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_or_invalid_stored_value_reads_as_the_default():
    assert value_of({}, "clue_accept_working_days") == 3
    assert value_of({"clue_accept_working_days": 0}, "clue_accept_working_days") == 3
    assert value_of({"clue_accept_working_days": "5"}, "clue_accept_working_days") == 3
    assert value_of({"clue_accept_working_days": True}, "clue_accept_working_days") == 3
    assert value_of({"clue_accept_working_days": 5}, "clue_accept_working_days") == 5


def test_text_defaults_name_the_district_and_blanks_do_not_count():
    assert value_of(None, "reconsideration_body", "玄武区") == "玄武区人民政府"
    assert value_of({"litigation_court": "  "}, "litigation_court", "玄武区") == "玄武区人民法院"
    assert value_of({"litigation_court": " 南京铁路运输法院"}, "litigation_court") == (
        "南京铁路运输法院"
    )


def test_every_mistake_is_named_in_both_languages():
    errors = {e.field: e for e in validate({"clue_feedback_days": 91, "nope": 1})}
    assert errors["clue_feedback_days"].message == "应在 1 到 90 之间。"
    assert errors["nope"].message_en == "No such setting."
    assert validate({"clue_feedback_days": None, "reconsideration_body": "某区人民政府"}) == []


def test_defaults_agree_with_the_code_that_reads_them():
    assert REGISTRY["clue_duplicate_window_days"].default == duplicates.WINDOW_DAYS
    business = REGISTRY["simple_procedure_individual_business_as"]
    assert business.default == law_limits.PERSON
    assert set(business.choices) == {law_limits.PERSON, law_limits.ORGANISATION}


def test_every_setting_the_code_reads_is_in_the_registry():
    read = set()
    for path in (ROOT / "platform").rglob("*.py"):
        text = path.read_text()
        read |= set(re.findall(r'setting\(session, "(\w+)"\)', text))
        read |= set(re.findall(r'settings\.get\(\s*"(\w+)"', text))
        read |= set(re.findall(r'settings or \{\}\)[^"]*\.get\(\s*"(\w+)"', text, re.S))
        read |= set(re.findall(r'district_settings\.(?:read|value_of)\(\s*\w+,\s*"(\w+)"', text))
    assert read and read <= set(REGISTRY), read - set(REGISTRY)
    assert {"reconsideration_body", "litigation_court", "clue_accept_working_days"} <= read
    assert "simple_procedure_individual_business_as" in read
