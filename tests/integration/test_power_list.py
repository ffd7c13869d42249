"""A district adopts catalog matters and assigns each to exactly one agency."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.conftest import bearer


@pytest.fixture
def district(client, new_district, machine_token):
    """A new district with 26 agencies (imported) and its administrator."""
    tenant = new_district("权责测试区")
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    client.post(
        "/api/v1/imports/agencies",
        data={"file": (io.BytesIO(factories.agencies_xlsx(tenant.division_code)), "a.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    agencies = {
        a["code"]: a["id"]
        for a in client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
    }
    return tenant, admin, agencies


def test_the_catalog_lists_matters_with_legal_basis_benchmarks_and_thresholds(
    client, machine_token
):
    officer = bearer(machine_token("xuanwu", ["officer"]))
    page = client.get("/api/v1/matters?domain=environment&page_size=100", headers=officer).json
    assert page["total"] >= 6
    air = client.get("/api/v1/matters/HJ-0001", headers=officer).json
    assert air["legal_basis"] == "《中华人民共和国大气污染防治法》第九十九条"
    assert [t["name"] for t in air["benchmark"]] == ["从轻", "一般", "从重"]
    assert "污染环境罪" in air["criminal_threshold"] and air["is_major"]


def test_a_district_adopts_by_domain_and_assigns_one_agency(client, district):
    tenant, admin, agencies = district
    r = client.post("/api/v1/power-list/adoptions", json={"domain": "environment"}, headers=admin)
    assert r.status_code == 201 and r.json["adopted"] >= 6
    r = client.post(
        "/api/v1/power-list/HJ-0005/assignment", json={"agency_id": agencies["sthj"]}, headers=admin
    )
    assert r.status_code == 201, r.json
    listed = client.get("/api/v1/power-list?domain=environment&page_size=100", headers=admin).json[
        "items"
    ]
    row = next(i for i in listed if i["matter"]["code"] == "HJ-0005")
    assert row["agency_name"] == "测试区生态环境分局"


def test_a_matter_cannot_be_assigned_to_a_second_agency(client, district):
    tenant, admin, agencies = district
    client.post("/api/v1/power-list/adoptions", json={"codes": ["CG-0014"]}, headers=admin)
    client.post(
        "/api/v1/power-list/CG-0014/assignment", json={"agency_id": agencies["zhzf"]}, headers=admin
    )
    r = client.post(
        "/api/v1/power-list/CG-0014/assignment", json={"agency_id": agencies["jd1"]}, headers=admin
    )
    assert r.status_code == 409 and r.content_type == "application/problem+json"
    assert r.json["code"] == "already-assigned" and "测试区综合行政执法局" in r.json["detail"]
    history = client.get("/api/v1/power-list/CG-0014/history", headers=admin).json["assignments"]
    assert len(history) == 1


def test_an_agency_without_the_domain_cannot_take_the_matter(client, district):
    tenant, admin, agencies = district
    client.post("/api/v1/power-list/adoptions", json={"codes": ["SP-0001"]}, headers=admin)
    r = client.post(
        "/api/v1/power-list/SP-0001/assignment", json={"agency_id": agencies["sthj"]}, headers=admin
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "agency_id"
    assert "食品安全" in r.json["errors"][0]["message"]


def test_the_comprehensive_bureau_takes_a_power_over_and_history_is_kept(client, district):
    tenant, admin, agencies = district
    client.patch(
        f"/api/v1/agencies/{agencies['zhzf']}",
        json={"domains": ["urban_management", "market_regulation"]},
        headers=admin,
    )
    client.post("/api/v1/power-list/adoptions", json={"codes": ["SC-0001"]}, headers=admin)
    client.post(
        "/api/v1/power-list/SC-0001/assignment", json={"agency_id": agencies["scjg"]}, headers=admin
    )
    r = client.post(
        "/api/v1/power-list/SC-0001/transfer",
        json={
            "agency_id": agencies["zhzf"],
            "reason": "综合行政执法改革：无照经营查处划转综合执法局",
        },
        headers=admin,
    )
    assert r.status_code == 201
    history = client.get("/api/v1/power-list/SC-0001/history", headers=admin).json["assignments"]
    assert [h["agency_name"] for h in history] == ["测试区市场监督管理局", "测试区综合行政执法局"]
    assert history[0]["valid_to"] == history[1]["valid_from"] and history[1]["valid_to"] is None
    assert "划转" in history[1]["reason"]


def test_adopting_an_unknown_code_names_it_and_adopts_nothing(client, district):
    tenant, admin, _ = district
    r = client.post(
        "/api/v1/power-list/adoptions", json={"codes": ["HJ-0001", "XX-9999"]}, headers=admin
    )
    assert r.status_code == 422 and "XX-9999" in r.json["detail"]
    assert client.get("/api/v1/power-list", headers=admin).json["total"] == 0


def test_another_district_cannot_see_or_change_the_power_list(client, district, machine_token):
    tenant, admin, agencies = district
    client.post("/api/v1/power-list/adoptions", json={"codes": ["HJ-0006"]}, headers=admin)
    other = bearer(machine_token("qinhuai", ["district_admin"]))
    holders = client.get("/api/v1/power-list/HJ-0006/history", headers=other).json["assignments"]
    assert all(h["agency_name"].startswith("秦淮区") for h in holders)  # only its own
    rows = client.get("/api/v1/power-list?page_size=100", headers=other).json["items"]
    assert not any((r["agency_name"] or "").startswith("测试区") for r in rows)
    r = client.post(
        "/api/v1/power-list/HJ-0006/transfer",
        json={"agency_id": agencies["sthj"], "reason": "越权划转"},
        headers=other,
    )
    assert r.status_code == 422 and r.json["code"] == "unknown-agency"


def test_holder_of_answers_who_held_a_matter_on_a_date(app, client, district):
    from yimen.platform.db import db, tenant_scope
    from yimen.tenants.powers.service import holder_of

    tenant, admin, agencies = district
    client.post("/api/v1/power-list/adoptions", json={"codes": ["WL-0003"]}, headers=admin)
    client.post(
        "/api/v1/power-list/WL-0003/assignment", json={"agency_id": agencies["whly"]}, headers=admin
    )
    with tenant_scope(tenant.id), db.new_session() as s:
        assert holder_of(s, "WL-0003").code == "whly"
        assert holder_of(s, "WL-0001") is None


def test_the_catalog_round_trips_through_xlsx_and_a_bad_row_writes_nothing(client, machine_token):
    operator = bearer(machine_token("platform", ["platform_operator"]))
    exported = client.get("/api/v1/matters.xlsx", headers=operator)
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert sheet.max_row - 1 >= 60
    r = client.post(
        "/api/v1/matters.xlsx",
        data={"file": (io.BytesIO(exported.data), "m.xlsx")},
        headers=operator,
        content_type="multipart/form-data",
    )
    assert r.status_code == 201 and r.json["imported"] == sheet.max_row - 1
    sheet.cell(3, 3).value = "astrology"
    sheet.cell(4, 7).value = "很多"
    out = io.BytesIO()
    sheet.parent.save(out)
    bad = client.post(
        "/api/v1/matters.xlsx",
        data={"file": (io.BytesIO(out.getvalue()), "m.xlsx")},
        headers=operator,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and {(e["row"], e["field"]) for e in bad.json["rows"]} >= {
        (3, "domain"),
        (4, "fine_min"),
    }
    assert client.get("/api/v1/matters?domain=environment", headers=operator).json["total"] >= 6


def test_the_public_power_list_shows_the_legal_basis_and_the_agency(client):
    page = client.get("/t/xuanwu/powers?domain=environment").get_data(as_text=True)
    assert "《中华人民共和国大气污染防治法》第九十九条" in page
    assert "玄武区生态环境局" in page and "秦淮区" not in page
