"""A district administrator reads and changes the district's settings: all or nothing,
mistakes named field by field in Chinese and English, every change in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import bearer

URL = "/api/v1/district/settings"


@pytest.fixture
def district(new_district, machine_token):
    """A fresh district and its administrator's headers."""
    tenant = new_district("测试区")
    return tenant, bearer(machine_token(tenant.slug, ["district_admin"]))


def _settings(client, headers) -> dict:
    r = client.get(URL, headers=headers)
    assert r.status_code == 200, r.json
    return {item["key"]: item for item in r.json["items"]}


def test_an_administrator_sees_every_setting_with_its_default_and_meaning(client, district):
    _, admin = district
    settings = _settings(client, admin)
    assert set(settings) == {
        "clue_accept_working_days",
        "clue_feedback_days",
        "clue_duplicate_window_days",
        "simple_procedure_individual_business_as",
        "reconsideration_body",
        "litigation_court",
        "execution_night_start",
        "execution_night_end",
        "workbench_due_soon_working_days",
    }
    night = settings["execution_night_start"]
    assert (night["value"], night["default"]) == (22, 22) and "第四十三条" in night["help"]
    accept = settings["clue_accept_working_days"]
    assert (accept["value"], accept["default"], accept["is_default"]) == (3, 3, True)
    assert accept["label"] == "线索受理期限(工作日)" and accept["label_en"]
    assert settings["reconsideration_body"]["value"] == "测试区人民政府"
    assert settings["litigation_court"]["default"] == "测试区人民法院"
    business = settings["simple_procedure_individual_business_as"]
    assert business["value"] == "person" and "第五十一条" in business["help"]
    assert [c["value"] for c in business["choices"]] == ["person", "organisation"]


def test_a_partial_change_keeps_the_rest_and_null_restores_the_default(client, district):
    _, admin = district
    r = client.patch(
        URL,
        json={"clue_accept_working_days": 5, "litigation_court": " 南京铁路运输法院 "},
        headers=admin,
    )
    assert r.status_code == 200, r.json
    settings = _settings(client, admin)
    assert settings["clue_accept_working_days"]["value"] == 5
    assert not settings["clue_accept_working_days"]["is_default"]
    assert settings["litigation_court"]["value"] == "南京铁路运输法院"
    assert settings["clue_feedback_days"]["is_default"]

    client.patch(URL, json={"clue_accept_working_days": None}, headers=admin)
    settings = _settings(client, admin)
    assert settings["clue_accept_working_days"]["value"] == 3
    assert settings["clue_accept_working_days"]["is_default"]
    assert settings["litigation_court"]["value"] == "南京铁路运输法院"


def test_mistakes_are_named_per_field_and_nothing_is_written(client, district):
    _, admin = district
    r = client.patch(
        URL,
        json={
            "clue_feedback_days": 30,  # valid, but not written: the others are wrong
            "clue_accept_working_days": 0,
            "simple_procedure_individual_business_as": "company",
            "reconsideration_body": "   ",
            "payment_account": "6222",
        },
        headers=admin,
    )
    assert r.status_code == 422
    assert r.content_type == "application/problem+json"
    errors = {e["field"]: e for e in r.json["errors"]}
    assert set(errors) == {
        "clue_accept_working_days",
        "simple_procedure_individual_business_as",
        "reconsideration_body",
        "payment_account",
    }
    assert errors["clue_accept_working_days"]["message"] == "应在 1 到 30 之间。"
    assert errors["clue_accept_working_days"]["message_en"] == "Must be between 1 and 30."
    assert errors["payment_account"] == {
        "field": "payment_account",
        "message": "没有该设置项。",
        "message_en": "No such setting.",
    }
    assert "person" in errors["simple_procedure_individual_business_as"]["message_en"]
    assert _settings(client, admin)["clue_feedback_days"]["is_default"]


def test_a_wrong_type_is_refused(client, district):
    _, admin = district
    r = client.patch(URL, json={"clue_feedback_days": "15", "litigation_court": 3}, headers=admin)
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.json["errors"]}
    assert errors == {"clue_feedback_days": "应为整数。", "litigation_court": "应为字符串。"}
    r = client.patch(URL, json={"clue_feedback_days": True}, headers=admin)
    assert r.status_code == 422


def test_every_change_is_in_the_districts_audit_trail(client, district):
    tenant, admin = district
    client.patch(
        URL, json={"simple_procedure_individual_business_as": "organisation"}, headers=admin
    )
    entries = client.get(f"/api/v1/audit?entity=tenant&entity_id={tenant.id}", headers=admin).json[
        "items"
    ]
    change = entries[0]
    assert change["action"] == "update" and change["actor"]
    assert change["after"] == {
        "settings": {"simple_procedure_individual_business_as": "organisation"}
    }
    assert change["before"] == {"settings": {}}


def test_only_the_district_administrator_may_read_or_change_them(client, district, machine_token):
    tenant, _ = district
    officer = bearer(machine_token(tenant.slug, ["officer"]))
    legal = bearer(machine_token(tenant.slug, ["legal_affairs"]))
    assert client.get(URL, headers=officer).status_code == 403
    assert client.patch(URL, json={"clue_feedback_days": 20}, headers=legal).status_code == 403


def test_one_districts_change_never_reaches_another(client, district, new_district, machine_token):
    _, admin = district
    other = new_district("另一区")
    other_admin = bearer(machine_token(other.slug, ["district_admin"]))
    client.patch(URL, json={"clue_feedback_days": 20}, headers=admin)
    assert _settings(client, other_admin)["clue_feedback_days"]["value"] == 15
    assert _settings(client, other_admin)["reconsideration_body"]["value"] == "另一区人民政府"


@pytest.mark.usefixtures("case_day")  # before the tokens: they are issued on that day
def test_a_longer_acceptance_period_gives_a_new_clue_a_later_deadline(client, desks, machine_token):
    """The district gives its agencies 5 working days instead of 3: a clue offered on
    Tuesday 24 November 2026 is due on Tuesday 1 December, not Friday 27 November."""
    admin = bearer(machine_token(desks["slug"], ["district_admin"]))
    body = {
        "description": "某餐馆油烟直排，影响居民生活",
        "place": "玄武区珠江路88号",
        "agency_id": desks["ids"]["zhzf"],
    }
    before = client.post("/api/v1/clues", json=body, headers=desks["zhzf"]).json
    assert before["accept_due"] == dt.date(2026, 11, 27).isoformat()
    try:
        r = client.patch(URL, json={"clue_accept_working_days": 5}, headers=admin)
        assert r.status_code == 200, r.json
        after = client.post("/api/v1/clues", json=body, headers=desks["zhzf"]).json
        assert after["accept_due"] == dt.date(2026, 12, 1).isoformat()
    finally:
        client.patch(URL, json={"clue_accept_working_days": None}, headers=admin)
