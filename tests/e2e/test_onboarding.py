"""A district onboarded end to end through the API in one afternoon (issue: Tenants).

The platform operator creates the district; its administrator imports 26 agencies from
XLSX, adds units, imports 200 officers, adopts and assigns the power list, and makes
an agency-level workflow override; then one of those officers signs in through the
built-in provider and sees only their own agency's data.
"""

from __future__ import annotations

import time
import uuid

import requests

from tests import factories, support
from tests.conftest import bearer
from tests.integration.oidc_flow import sign_in

DOMAINS = (
    "urban_management",
    "environment",
    "market_regulation",
    "safety_production",
    "natural_resources",
    "culture_tourism",
)


def _upload(base, headers, kind, content):
    return requests.post(
        f"{base}/api/v1/imports/{kind}",
        files={"file": ("import.xlsx", content)},
        headers=headers,
        timeout=60,
    )


def test_a_district_is_onboarded_end_to_end_and_an_officer_sees_only_their_agency(
    live_server, machine_token
):
    base = live_server.url
    started = time.perf_counter()
    operator = bearer(machine_token("platform", ["platform_operator"]))
    slug = f"onb{uuid.uuid4().hex[:6]}"
    r = requests.post(
        f"{base}/api/v1/tenants",
        json={"slug": slug, "name": "入驻测试区", "division_code": support.unique_division_code()},
        headers=operator,
        timeout=10,
    )
    assert r.status_code == 201, r.text
    division = r.json()["division_code"]
    admin = bearer(machine_token(slug, ["district_admin"]))

    assert _upload(base, admin, "agencies", factories.agencies_xlsx(division)).json() == {
        "imported": 26
    }
    agencies = {
        a["code"]: a["id"]
        for a in requests.get(
            f"{base}/api/v1/agencies?page_size=100", headers=admin, timeout=10
        ).json()["items"]
    }
    for code, name, kind in (
        ("zhzf", "城东执法中队", "territorial"),
        ("zhzf", "城西执法中队", "territorial"),
        ("scjg", "稽查大队", "professional"),
    ):
        r = requests.post(
            f"{base}/api/v1/units",
            json={"agency_id": agencies[code], "name": name, "kind": kind},
            headers=admin,
            timeout=10,
        )
        assert r.status_code == 201
    assert _upload(base, admin, "officers", factories.officers_xlsx(200, slug)).json() == {
        "imported": 200
    }

    for domain in DOMAINS:
        assert (
            requests.post(
                f"{base}/api/v1/power-list/adoptions",
                json={"domain": domain},
                headers=admin,
                timeout=10,
            ).status_code
            == 201
        )
    holder: dict[str, str] = {}
    for code, _, _, domain in factories.AGENCY_NAMES:
        if domain:
            holder.setdefault(domain, code)  # the first agency of a domain holds its matters
    matters = requests.get(
        f"{base}/api/v1/power-list?page_size=100", headers=admin, timeout=10
    ).json()
    assert matters["total"] >= 40
    for item in matters["items"]:
        agency = (
            agencies[holder[item["matter"]["domain"]]]
            if item["matter"]["domain"] in holder
            else agencies["zhzf"]
        )
        r = requests.post(
            f"{base}/api/v1/power-list/{item['matter']['code']}/assignment",
            json={"agency_id": agency},
            headers=admin,
            timeout=10,
        )
        assert r.status_code in (201, 422), (
            r.text
        )  # 422: the agency lacks that domain (e.g. food safety)

    override = {
        "kind": "general",
        "agency_id": agencies["zhzf"],
        "delta": {"add_documents": {"investigation": ["执法记录仪视频"]}},
        "note": "综合执法局现场检查须附执法记录仪视频",
    }
    assert (
        requests.post(
            f"{base}/api/v1/workflow/overrides", json=override, headers=admin, timeout=10
        ).status_code
        == 201
    )

    officer = requests.get(
        f"{base}/api/v1/officers", params={"q": f"{slug}.u0000"}, headers=admin, timeout=10
    ).json()["items"][0]
    password = requests.post(
        f"{base}/api/v1/officers/{officer['id']}/initial-password", headers=admin, timeout=10
    ).json()["password"]
    onboarded = time.perf_counter() - started

    tokens = sign_in(base, slug, f"{slug}.u0000", password, new_password="Own-pass-2026")
    me = bearer(tokens["access_token"])
    assert requests.get(f"{base}/api/v1/me", headers=me, timeout=10).json()["agency"] == "zhzf"
    colleagues = requests.get(
        f"{base}/api/v1/officers?page_size=100", headers=me, timeout=10
    ).json()
    assert colleagues["total"] < 200 and {o["agency_id"] for o in colleagues["items"]} == {
        agencies["zhzf"]
    }
    powers = requests.get(f"{base}/api/v1/power-list?page_size=100", headers=me, timeout=10).json()
    assert powers["total"] > 0 and {i["agency_id"] for i in powers["items"]} == {agencies["zhzf"]}
    asked_for_other = requests.get(
        f"{base}/api/v1/officers", params={"agency_id": agencies["scjg"]}, headers=me, timeout=10
    ).json()
    assert {o["agency_id"] for o in asked_for_other["items"]} <= {agencies["zhzf"]}
    effective = requests.get(
        f"{base}/api/v1/workflow/effective",
        params={"kind": "general", "agency_id": agencies["zhzf"]},
        headers=me,
        timeout=10,
    ).json()
    investigation = next(s for s in effective["definition"]["stages"] if s["id"] == "investigation")
    assert "执法记录仪视频" in [d["kind"] for d in investigation["documents"]]
    print(
        f"\nonboarding through the API (26 agencies, 3 units, 200 officers, {matters['total']} matters, override): {onboarded:.1f} s"
    )
