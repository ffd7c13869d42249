"""The district administrator's settings page: each setting with its meaning and
default, saved through the same registry as the API, mistakes shown by the field."""

from __future__ import annotations

import re

import pytest

from tests.conftest import bearer

PAGE = "/console/admin/settings"
API = "/api/v1/district/settings"


@pytest.fixture
def district(new_district, machine_token):
    tenant = new_district("测试区")
    return tenant, bearer(machine_token(tenant.slug, ["district_admin"]))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, headers, **form):
    page = _text(client.get(PAGE, headers=headers))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post(
        PAGE, data={"csrf_token": token, **form}, headers={**headers, "Accept": "text/html"}
    )


def test_the_page_explains_each_setting_and_its_default(client, district):
    _, admin = district
    page = _text(client.get(PAGE, headers=admin))
    assert "线索受理期限(工作日)" in page and "第五十一条" in page
    assert 'placeholder="测试区人民政府"' in page
    assert "公民(二百元以下)" in page
    english = _text(client.get(PAGE + "?lang=en", headers=admin))
    assert "District settings" in english and "Days to accept a clue" in english


def test_a_saved_form_changes_the_setting_and_a_blank_field_restores_the_default(client, district):
    _, admin = district
    r = _post(
        client,
        admin,
        clue_accept_working_days="5",
        litigation_court="南京铁路运输法院",
        simple_procedure_individual_business_as="organisation",
    )
    assert r.status_code == 302
    items = {i["key"]: i for i in client.get(API, headers=admin).json["items"]}
    assert items["clue_accept_working_days"]["value"] == 5
    assert items["litigation_court"]["value"] == "南京铁路运输法院"
    assert items["simple_procedure_individual_business_as"]["value"] == "organisation"
    assert "区设置已保存" in _text(client.get(r.headers["Location"], headers=admin))

    _post(client, admin, clue_accept_working_days="", litigation_court="")
    items = {i["key"]: i for i in client.get(API, headers=admin).json["items"]}
    assert items["clue_accept_working_days"]["is_default"]
    assert items["litigation_court"]["value"] == "测试区人民法院"


def test_a_mistake_is_shown_by_its_field_and_nothing_is_saved(client, district):
    _, admin = district
    r = _post(client, admin, clue_feedback_days="20", clue_accept_working_days="三天")
    assert r.status_code == 422
    page = _text(r)
    assert 'id="e-clue_accept_working_days"' in page and "应为整数。" in page
    assert 'value="三天"' in page  # what was typed stays in the form
    items = {i["key"]: i for i in client.get(API, headers=admin).json["items"]}
    assert items["clue_feedback_days"]["is_default"]


def test_an_officer_cannot_open_the_page(client, district, machine_token):
    tenant, _ = district
    officer = bearer(machine_token(tenant.slug, ["officer"]))
    assert client.get(PAGE, headers=officer).status_code == 403
