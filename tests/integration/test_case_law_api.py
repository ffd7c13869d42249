"""A district keeps its own hearing thresholds (较大数额, 处罚法 第六十三条:
set by provinces, so a per-district table) and reads the sector procedure profiles."""

from __future__ import annotations

from tests.conftest import bearer

URL = "/api/v1/cases/hearing-thresholds"
GUANGDONG = [  # 粤府令294号 第七条: citizen ≥ ¥5,000, organisation ≥ ¥100,000
    {
        "party_kind": "person",
        "kind": "fine",
        "amount_fen": 5_000_00,
        "source": "《广东省行政处罚听证程序实施办法》第七条",
        "source_number": "广东省人民政府令第294号",
    },
    {"party_kind": "person", "kind": "confiscation", "amount_fen": 5_000_00},
    {"party_kind": "organisation", "kind": "fine", "amount_fen": 100_000_00},
    {"party_kind": "organisation", "kind": "confiscation", "amount_fen": 100_000_00},
]
CITED = {  # the rule the rows without their own source cite
    "source": "《广东省行政处罚听证程序实施办法》第七条",
    "source_number": "广东省人民政府令第294号",
}


def _seed(tenant) -> None:
    from yimen.platform.cases.law.thresholds import seed_hearing_thresholds
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(tenant.id), db.new_session() as s:
        assert not seed_hearing_thresholds(s)  # idempotent: the district has them already
        s.commit()


def test_a_district_starts_from_shanghai_like_thresholds_and_replaces_them(
    client, new_district, machine_token
):
    tenant = new_district("听证标准区")  # onboarding gives a new district the defaults
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    _seed(tenant)
    rows = client.get(URL, headers=admin).json["items"]
    assert [(r["party_kind"], r["kind"], r["amount_fen"]) for r in rows] == [
        ("person", "fine", 5_000_00),
        ("person", "confiscation", 5_000_00),
        ("organisation", "fine", 50_000_00),
        ("organisation", "confiscation", 50_000_00),
    ]
    assert "沪府令77号" in rows[0]["source"]

    r = client.put(URL, json={"items": GUANGDONG, **CITED}, headers=admin)
    assert r.status_code == 200, r.json
    assert r.json["items"][2]["amount_fen"] == 100_000_00
    assert r.json["items"][0]["updated_by"]
    assert client.get(URL, headers=admin).json["items"][2]["amount_fen"] == 100_000_00


def test_a_threshold_table_with_a_row_missing_or_repeated_changes_nothing(
    client, new_district, machine_token
):
    tenant = new_district("听证标准区")
    _seed(tenant)
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    r = client.put(URL, json={"items": GUANGDONG[:3] + GUANGDONG[:1], **CITED}, headers=admin)
    assert r.status_code == 422 and r.json["code"] == "invalid-thresholds"
    fields = {e["field"] for e in r.json["errors"]}
    assert fields == {"items.3", "items"}
    r = client.put(URL, json={"items": [{**GUANGDONG[0], "amount_fen": 0}]}, headers=admin)
    assert r.status_code == 422
    assert client.get(URL, headers=admin).json["items"][2]["amount_fen"] == 50_000_00


def test_only_the_district_admin_sets_thresholds_and_only_for_its_district(
    client, new_district, machine_token
):
    mine, other = new_district("听证标准区"), new_district("邻区")
    _seed(mine)
    officer = bearer(machine_token(mine.slug, ["officer"]))
    assert client.get(URL, headers=officer).status_code == 200
    assert client.put(URL, json={"items": GUANGDONG, **CITED}, headers=officer).status_code == 403
    neighbour = bearer(machine_token(other.slug, ["district_admin"]))
    assert client.put(URL, json={"items": GUANGDONG, **CITED}, headers=neighbour).status_code == 200
    assert client.get(URL, headers=neighbour).json["items"][2]["amount_fen"] == 100_000_00
    admin = bearer(machine_token(mine.slug, ["district_admin"]))
    assert client.get(URL, headers=admin).json["items"][2]["amount_fen"] == 50_000_00


def test_sector_profiles_list_the_numbers_that_vary_by_sector__sector_procedure_rules(
    client, new_district, machine_token
):
    tenant = new_district("行业区")
    officer = bearer(machine_token(tenant.slug, ["officer"]))
    page = client.get("/api/v1/cases/sector-profiles?page_size=2", headers=officer).json
    assert (page["total"], page["pages"], len(page["items"])) == (5, 3, 2)
    profiles = {
        p["code"]: p
        for p in client.get("/api/v1/cases/sector-profiles", headers=officer).json["items"]
    }
    housing = profiles["housing"]
    assert (housing["first_extension_days"], housing["second_extension_max_days"]) == (30, 60)
    assert housing["excluded_pauses"] == ["hearing", "testing"]
    assert housing["fifteen_days_are_working_days"] and "第二十九条" in housing["decision_article"]
    assert profiles["market_regulation"]["lead_check_extension_days"] == 15
    assert not profiles["urban_management"]["verified"]
