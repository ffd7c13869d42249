"""A test module's own district (the `own_district` fixture) is a working district shaped like
the demo's, and what one district files no other district's list shows — so that tests
which count, list or number records there meet only their own."""

from __future__ import annotations

import requests

from tests.conftest import bearer
from tests.integration.conftest import _agency_client
from tests.integration.oidc_flow import sign_in
from tests.integration.test_case_console import _party


def test_the_modules_district_has_the_demos_agencies_officers_and_power_list(
    live_server, own_district, machine_token
):
    demo = live_server.district("xuanwu")
    assert (
        own_district["slug"] != "xuanwu" and own_district["division_code"] != demo["division_code"]
    )
    assert [o["name"] for o in own_district["officers"]] == [o["name"] for o in demo["officers"]]
    admin = bearer(machine_token(own_district["slug"], ["district_admin"]))
    api = f"{live_server.url}/api/v1"
    agencies = requests.get(f"{api}/agencies?page_size=100", headers=admin, timeout=10).json()
    assert sorted(a["code"] for a in agencies["items"]) == sorted(
        ["zhzf", "scjg", "sthj", "yjgl", "sfj", "jcy", "gafj", "jwjw", "jdb"]
    )
    history = requests.get(f"{api}/power-list/CG-0001/history", headers=admin, timeout=10)
    assert [h["agency_name"] for h in history.json()["assignments"]] == [
        "测试区综合行政执法局",  # the power list, as the demo's: then handed to the street
        "梅园新村街道办事处",
    ]
    # every matter the demo's district holds, this one holds too (the seed's bulk assignment)
    demo_admin = bearer(machine_token("xuanwu", ["district_admin"]))
    lists = [
        requests.get(f"{api}/power-list?page_size=100", headers=h, timeout=10).json()
        for h in (admin, demo_admin)
    ]
    assert lists[0]["total"] == lists[1]["total"] >= 60
    assert all(item["agency_name"] for item in lists[0]["items"])
    reader = bearer(live_server.client_token(own_district["slug"]))  # its read-only client
    assert requests.get(f"{api}/agencies", headers=reader, timeout=10).status_code == 200


def test_its_officers_sign_in_at_the_districts_issuer_with_the_demo_password(
    live_server, own_district
):
    username = f"{own_district['slug']}.liqiang"
    tokens = sign_in(live_server.url, own_district["slug"], username)
    me = requests.get(
        f"{live_server.url}/api/v1/me", headers=bearer(tokens["access_token"]), timeout=10
    ).json()
    assert me["username"] == username and me["name"] == "李强"
    assert me["district"] == own_district["slug"] and me["agency"] == "zhzf"


def test_a_case_filed_in_one_district_is_in_no_other_districts_list(
    live_server, app, client, own_district
):
    here = _agency_client(live_server, app, "sthj", ["officer"], own_district["slug"])
    body = {"parties": [_party("隔离测试有限公司")], "facts": "隔离测试：在本区发现问题"}
    r = client.post("/api/v1/cases", json=body, headers=here)
    assert r.status_code == 201
    mine = client.get("/api/v1/cases?page_size=100", headers=here).json
    assert [c["id"] for c in mine["items"]] == [r.json["id"]]  # the district's only case
    elsewhere = _agency_client(live_server, app, "sthj", ["officer"], "xuanwu")
    listed = client.get("/api/v1/cases?q=隔离测试&page_size=100", headers=elsewhere).json
    assert r.json["id"] not in {c["id"] for c in listed["items"]}
    assert client.get(f"/api/v1/cases/{r.json['id']}", headers=elsewhere).status_code == 404
