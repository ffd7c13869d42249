"""A NUL or another control character anywhere in a request is a 422 naming the field —
never a 500 — and nothing is written; an error's log line never repeats the statement's
parameters (complainants' names and phones)."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select, text

from tests import support
from tests.conftest import bearer
from yimen.platform.intake.model import Clue
from yimen.platform.kernel.db import db, tenant_scope


@pytest.fixture
def slug(own_district) -> str:
    """The module's own district: the complaints, calls and searches go there."""
    return own_district["slug"]


def _clue_count(slug: str) -> int:
    with tenant_scope(support.tenant_id(slug)), db.new_session() as s:
        return s.execute(select(func.count()).select_from(Clue)).scalar_one()


def _names_the_field(response, field: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    fields = [e["field"] for e in response.json["errors"]]
    assert field in fields, fields
    assert "控制字符" in response.json["errors"][0]["message"]
    assert "control character" in response.json["errors"][0]["message_en"]


def test_a_public_complaint_with_a_nul_is_refused_and_nothing_is_written(client, slug):
    before = _clue_count(slug)
    r = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={"description": "餐馆油烟\x00直排", "place": "玄武区珠江路88号", "anonymous": True},
    )
    _names_the_field(r, "description")
    assert _clue_count(slug) == before


def test_the_complaint_page_answers_a_nul_in_a_form_field_without_a_500(client, slug):
    form = client.get(f"/t/{slug}/complaint").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    page = client.post(
        f"/t/{slug}/complaint",
        data={"description": "噪声扰民\x00", "place": "玄武区北京东路", "csrf_token": csrf},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 422 and "控制字符" in page.get_data(as_text=True)


def test_a_hotline_entry_a_search_and_open311_refuse_control_characters(
    client, machine_token, slug
):
    hotline = bearer(machine_token(slug, ["hotline_operator"]))
    r = client.post(
        "/api/v1/clues",
        json={
            "source": "hotline",
            "description": "工地夜间施工",
            "place": "玄武区\x01中山路",
            "complainant_name": "李先生",
            "complainant_phone": "13912345678",
        },
        headers=hotline,
    )
    _names_the_field(r, "place")
    admin = bearer(machine_token(slug, ["district_admin"]))
    _names_the_field(client.get("/api/v1/officers?q=%00", headers=admin), "q")
    _names_the_field(client.get("/api/v1/agencies?q=a%1bb", headers=admin), "q")
    r = client.post(
        f"/open311/v2/{slug}/requests.json",
        data={
            "service_code": "CG-0014",
            "description": "油烟\x00直排扰民",
            "lat": 32.0,
            "long": 118.8,
        },
    )
    assert r.status_code == 422 and "description" in r.json[0]["description"]
    r = client.get(f"/open311/v2/{slug}/requests/YM%00.json")
    assert r.status_code == 422


def test_tabs_and_line_breaks_are_ordinary_text(client, slug):
    r = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={
            "description": "第一行\n第二行\t油烟直排",
            "place": "玄武区珠江路88号",
            "anonymous": True,
        },
    )
    assert r.status_code == 201, r.json


def test_a_failed_statement_never_repeats_its_parameters(app, caplog):
    """The log line of an unexpected database error carries the SQL, never the values."""
    with db.new_session() as s, pytest.raises(Exception) as failure:
        s.execute(
            text("select * from no_such_table where phone = :phone"), {"phone": "13912345678"}
        )
    assert "13912345678" not in str(failure.value)
    with caplog.at_level(logging.ERROR):
        logging.getLogger("yimen.test").exception("boom", exc_info=failure.value)
    assert "13912345678" not in caplog.text
