"""An Open311 GeoReport v2 client files a complaint and reads it back, over plain HTTP."""

from __future__ import annotations

import pytest
import requests

DISTRICT: dict = {}  # the module's own district, whose Open311 door the tests use


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


def test_a_georeport_client_lists_services_files_a_request_and_reads_it_back(live_server):
    base = f"{live_server.url}/open311/v2/{DISTRICT['slug']}"
    services = requests.get(f"{base}/services.json", timeout=10).json()
    oil_fume = next(s for s in services if s["service_code"] == "CG-0014")
    assert oil_fume["type"] == "realtime" and "大气污染防治法" in oil_fume["description"]
    filed = requests.post(
        f"{base}/requests.json",
        data={
            "service_code": "CG-0014",
            "lat": "32.0456",
            "long": "118.7890",
            "description": "饭店油烟直排进居民楼",
            "first_name": "明",
            "last_name": "李",
            "phone": "13955556666",
            "email": "li@example.com",
        },
        timeout=10,
    )
    assert filed.status_code == 201
    request_id = filed.json()[0]["service_request_id"]
    one = requests.get(f"{base}/requests/{request_id}.json", timeout=10).json()[0]
    assert one["status"] == "open" and one["service_code"] == "CG-0014"
    # What the public may see of a request: the place to about 100 m, never the text.
    assert (one["lat"], one["long"]) == (32.046, 118.789)
    assert "description" not in one and "饭店油烟直排进居民楼" not in str(one)
    assert one["agency_responsible"] == "测试区综合行政执法局"
    assert "13955556666" not in str(one) and "李明" not in str(one)
    listed = requests.get(
        f"{base}/requests.json", params={"service_request_id": request_id}, timeout=10
    ).json()
    assert [r["service_request_id"] for r in listed] == [request_id]


def test_georeport_errors_are_in_the_georeport_format(live_server):
    base = f"{live_server.url}/open311/v2/{DISTRICT['slug']}"
    missing = requests.post(f"{base}/requests.json", data={"service_code": "CG-0014"}, timeout=10)
    assert (
        missing.status_code == 400
        and missing.json()[0]["code"] == 400
        and "description" in missing.json()[0]["description"]
    )
    unknown = requests.post(
        f"{base}/requests.json",
        data={"service_code": "XX-1", "description": "测试未知服务", "address_string": "某路"},
        timeout=10,
    )
    assert unknown.status_code == 404
    assert requests.get(f"{base}/requests/YMNOSUCHCODE.json", timeout=10).status_code == 404
    assert (
        requests.get(f"{live_server.url}/open311/v2/atlantis/services.json", timeout=10).status_code
        == 404
    )


def test_a_request_read_by_code_shows_the_road_not_the_house_and_reads_are_rate_limited(
    live_server, app
):
    base = f"{live_server.url}/open311/v2/{DISTRICT['slug']}"
    filed = requests.post(
        f"{base}/requests.json",
        data={
            "service_code": "CG-0014",
            "address_string": "玄武区珠江路88号3栋",
            "description": "三楼饭店油烟直排，我住在隔壁",
        },
        timeout=10,
    ).json()[0]["service_request_id"]
    one = requests.get(f"{base}/requests/{filed}.json", timeout=10).json()[0]
    assert one["address"] == "玄武区珠江路" and "隔壁" not in str(one)
    before = app.config["YIMEN_PUBLIC_READ_RATE_LIMIT"]
    app.config["YIMEN_PUBLIC_READ_RATE_LIMIT"] = "3 per minute"
    try:
        answers = [
            requests.get(f"{base}/requests.json?service_request_id=YM{n:010d}", timeout=10)
            for n in range(5)
        ]
    finally:
        app.config["YIMEN_PUBLIC_READ_RATE_LIMIT"] = before
    assert [a.status_code for a in answers][-1] == 429
