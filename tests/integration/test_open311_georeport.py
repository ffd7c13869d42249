"""A district's Open311 door as GeoReport v2 writes it, read the way its clients read it.

FixMyStreet's Open311 sender (perllib/Open311.pm) is Perl: `FixMyStreetSender` below
makes the same calls with the same parameters — `services.xml`, `services/<code>.xml`
for a service whose `metadata` is true, a form-encoded POST to `requests.xml` with
`api_key`, `jurisdiction_id`, `attribute[…]`, and `requests.xml?start_date=…&end_date=…`
to fetch — and parses the XML as XML::Simple does there: the root dropped, `service`,
`attribute`, `value`, `request` and `error` always lists, empty elements as None. The
reading tests use `georeport` (PyPI, Apache-2.0), an independent GeoReport v2 client
library: it lists services, reads definitions and queries requests in either format, but
cannot file, so filing is FixMyStreet's sender above. The other tests read both formats
with xmltodict (the parser `georeport` itself uses) against the specification's shapes.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests
import xmltodict
from georeport import GeoReport

DISTRICT: dict = {}  # the module's own district, whose Open311 door the tests use


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


XML_SIMPLE_LISTS = ("service", "attribute", "value", "request", "error", "group")


def xml_simple(text: str | None) -> dict | None:
    """What Open311.pm's _get_xml_object hands back: the root element's content (None
    for no answer, as its failed requests give none)."""
    if text is None:
        return None
    (document,) = xmltodict.parse(text, force_list=XML_SIMPLE_LISTS).values()
    return document or {}


def w3cdtf(moment: dt.datetime) -> str:
    """DateTime::Format::W3CDTF->format_datetime of a UTC DateTime."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FixMyStreetSender:
    """The calls FixMyStreet's Open311 sender makes of an endpoint (Open311.pm)."""

    def __init__(self, endpoint: str, jurisdiction: str, api_key: str) -> None:
        self.endpoint, self.jurisdiction, self.api_key = endpoint, jurisdiction, api_key
        self.error = ""

    def _request(self, method: str, path: str, params: dict) -> str | None:
        params = {**params, "jurisdiction_id": self.jurisdiction}
        if method == "POST":
            params["api_key"] = self.api_key
            r = requests.post(self.endpoint + path, data=params, timeout=10)
        else:
            r = requests.get(self.endpoint + path, params=params, timeout=10)
        if r.ok:
            return r.text
        errors = (xml_simple(r.text) or {}).get("error") or []
        self.error = "".join(f"{e['code']}: {e['description']}\n" for e in errors)
        return None

    def get_service_list(self) -> dict | None:
        return xml_simple(self._request("GET", "services.xml", {}))

    def get_service_meta_info(self, code: str) -> dict | None:
        return xml_simple(self._request("GET", f"services/{code}.xml", {}))

    def send_service_request(self, params: dict) -> str | None:
        response = self._request("POST", "requests.xml", params)
        if response is None:
            return None
        request_id = (xml_simple(response) or {})["request"][0]["service_request_id"]
        return request_id if isinstance(request_id, str) else None

    def get_service_requests(self, args: dict) -> list[dict]:
        return (xml_simple(self._request("GET", "requests.xml", args)) or {}).get("request") or []


def _fetched(sender: FixMyStreetSender, start: str, end: str) -> dict[str, dict]:
    """GetServiceRequests: what it would import (id, lat and long present; updated in
    the window it asked for, compared as UTC W3CDTF strings)."""
    kept = {}
    for r in sender.get_service_requests({"start_date": start, "end_date": end}):
        if not (r.get("service_request_id") and r.get("lat") and r.get("long")):
            continue
        updated = w3cdtf(dt.datetime.fromisoformat(r["updated_datetime"]))
        dt.datetime.fromisoformat(r["requested_datetime"])  # parses, with its zone
        if start <= updated <= end:
            kept[r["service_request_id"]] = r
    return kept


def test_fixmystreets_sender_learns_the_services_files_a_report_and_fetches_it_back(
    live_server, app
):
    sender = FixMyStreetSender(
        f"{live_server.url}/open311/v2/{DISTRICT['slug']}/", DISTRICT["slug"], "fms-key"
    )
    listing = sender.get_service_list()
    assert listing is not None, sender.error
    services = {s["service_code"]: s for s in listing["service"]}
    oil_fume = services["CG-0014"]
    assert oil_fume["service_name"] == "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"
    assert (oil_fume["type"], oil_fume["metadata"]) == ("realtime", "true")
    meta = sender.get_service_meta_info("CG-0014")
    assert meta is not None, sender.error
    assert meta["service_code"] == "CG-0014"
    attributes = sorted(meta["attributes"]["attribute"], key=lambda a: int(a["order"]))
    assert [(a["code"], a["datatype"], a["required"]) for a in attributes] == [
        ("occurred_at", "datetime", "false"),
        ("anonymous", "singlevaluelist", "false"),
    ]
    assert {v["key"] for v in attributes[1]["values"]["value"]} == {"true", "false"}

    start = w3cdtf(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    request_id = sender.send_service_request(
        {
            "service_code": "CG-0014",
            "description": "油烟直排\n\n楼下饭店油烟直排进卧室\n\nhttps://fms.example/report/7\n",
            "first_name": "明",
            "last_name": "李",
            "email": "li@example.com",
            "lat": "32.045612",
            "long": "118.789034",
            "media_url": "https://fms.example/photo/7.0.full.jpeg",
            "attribute[occurred_at]": "2026-08-01T20:30:00+08:00",
            "attribute[uprn]": "100023336956",  # FixMyStreet sends it; not ours
        }
    )
    assert request_id and request_id.startswith("YM"), sender.error
    # Its cron fetches a while after filing; W3CDTF has whole seconds.
    end = w3cdtf(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    fetched = _fetched(sender, start, end)[request_id]
    assert (fetched["service_code"], fetched["status"]) == ("CG-0014", "open")
    assert (fetched["lat"], fetched["long"]) == ("32.046", "118.789")
    assert fetched.get("description") is None and "卧室" not in str(fetched)
    assert fetched["agency_responsible"] == "测试区综合行政执法局"

    assert _kept(request_id)[2] == dt.datetime(2026, 8, 1, 12, 30, tzinfo=dt.UTC)


def test_fixmystreets_sender_reads_refusals_as_georeport_errors(live_server):
    sender = FixMyStreetSender(
        f"{live_server.url}/open311/v2/{DISTRICT['slug']}/", DISTRICT["slug"], "fms-key"
    )
    assert sender.send_service_request({"service_code": "CG-0014", "lat": "32.0"}) is None
    assert sender.error.startswith("400: ") and "description" in sender.error
    unknown = {"service_code": "XX-1", "description": "测试未知服务", "address_string": "某路"}
    assert sender.send_service_request(unknown) is None
    assert sender.error.startswith("404: ")
    late = {
        "service_code": "CG-0014",
        "description": "夜间油烟直排",
        "address_string": "玄武区珠江路",
        "attribute[occurred_at]": "上周五晚上",
    }
    assert sender.send_service_request(late) is None
    assert sender.error.startswith("400: attribute[occurred_at]")
    assert sender.get_service_meta_info("XX-1") is None
    assert (
        sender.error
        == "404: 本区没有该服务 (执法事项)。 / Unknown service_code in this district.\n"
    )


def test_every_resource_answers_in_xml_and_json_with_the_specifications_names(live_server):
    base = f"{live_server.url}/open311/v2/{DISTRICT['slug']}"
    filed = requests.post(
        f"{base}/requests.json",
        data={
            "service_code": "CG-0014",
            "description": "饭店油烟直排",
            "lat": "32.0456",
            "long": "118.7890",
            "phone": "13955556666",
            "attribute[anonymous]": "true",
        },
        timeout=10,
    )
    assert filed.status_code == 201 and filed.headers["Content-Type"].startswith("application/json")
    request_id = filed.json()[0]["service_request_id"]
    assert _kept(request_id)[:2] == (True, "")  # anonymous: the phone is not kept

    services_xml = requests.get(f"{base}/services.xml", timeout=10)
    assert services_xml.headers["Content-Type"].startswith("text/xml")
    assert services_xml.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    service = xmltodict.parse(services_xml.text)["services"]["service"][0]
    assert set(service) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    definition = requests.get(f"{base}/services/CG-0014.json", timeout=10).json()
    assert definition["service_code"] == "CG-0014"
    assert {key for a in definition["attributes"] for key in a} == {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    }
    assert definition["attributes"][0]["variable"] is True
    definition_xml = xmltodict.parse(requests.get(f"{base}/services/CG-0014.xml", timeout=10).text)
    values = definition_xml["service_definition"]["attributes"]["attribute"][1]["values"]
    assert [v["key"] for v in values["value"]] == ["true", "false"]

    one_xml = xmltodict.parse(requests.get(f"{base}/requests/{request_id}.xml", timeout=10).text)
    one = one_xml["service_requests"]["request"]
    assert one["service_request_id"] == request_id and one["status"] == "open"
    assert one["service_name"] == "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"
    assert dt.datetime.fromisoformat(one["requested_datetime"]).utcoffset() == dt.timedelta(hours=8)
    listed = requests.get(
        f"{base}/requests.json", params={"service_request_id": request_id}, timeout=10
    ).json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert "13955556666" not in requests.get(f"{base}/requests.xml", timeout=10).text

    missing = requests.get(f"{base}/requests/YMNOSUCHCODE.xml", timeout=10)
    error = xmltodict.parse(missing.text)["errors"]["error"]
    assert missing.status_code == 404 and error["code"] == "404" and error["description"]
    bad = requests.get(f"{base}/requests.json", params={"status": "pending"}, timeout=10)
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    assert "status" in bad.json()[0]["description"]


def _many(answer: dict | list) -> list:
    """`georeport` hands an XML list of one back as the element itself."""
    return answer if isinstance(answer, list) else [answer]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_library_reads_services_definitions_and_requests(
    live_server, app, fmt
):
    # What a third-party client tried before this door followed the specification: the
    # service list worked, every query without request ids was a 400, nothing was XML.
    client = GeoReport(
        f"{live_server.url}/open311/v2/{DISTRICT['slug']}",
        jurisdiction=DISTRICT["slug"],
        output_format=fmt,
    )
    services = {s["service_code"]: s for s in _many(client.get_service_list())}
    assert (
        services["CG-0014"]["service_name"] == "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"
    )
    assert str(services["CG-0014"]["metadata"]).lower() == "true"
    definition = client.get_service_definition("CG-0014")
    attributes = definition["attributes"]
    attributes = attributes if fmt == "json" else _many(attributes["attribute"])
    assert [a["code"] for a in attributes] == ["occurred_at", "anonymous"]

    now = dt.datetime.now(dt.UTC)
    old, oil, closed = _clues(
        DISTRICT["tenant_id"],
        {"created_at": now - dt.timedelta(days=100)},
        {"created_at": now - dt.timedelta(seconds=5)},
        {
            "created_at": now - dt.timedelta(seconds=4),
            "status": "closed",
            "outcome": "corrected_on_spot",
        },
    )
    recent = [r["service_request_id"] for r in _many(client.get_service_requests())]
    assert recent.index(closed) < recent.index(oil) and old not in recent  # the last 90 days
    done = _many(client.get_service_requests(service_code="CG-0014", status="closed"))
    assert closed in {r["service_request_id"] for r in done}
    assert {r["status"] for r in done} == {"closed"} and oil not in str(done)
    back_then = _many(
        client.get_service_requests(
            start_date=w3cdtf(now - dt.timedelta(days=101)),
            end_date=w3cdtf(now - dt.timedelta(days=99)),
        )
    )
    assert old in {r["service_request_id"] for r in back_then} and oil not in str(back_then)
    one = client.get_service_request(oil)
    assert (one["service_request_id"], one["status"]) == (oil, "open")
    assert one["address"] == "玄武区珠江路"  # the road, not the house
    assert "熏得没法开窗" not in str(one)  # the public never reads the complaint's words


def _kept(receipt_code: str) -> tuple[bool, str, dt.datetime | None]:
    """What the door kept of a request: anonymous, the phone, when it happened."""
    from sqlalchemy import select

    from yimen.platform.intake.model import Clue
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(DISTRICT["tenant_id"]), db.new_session() as s:
        clue = s.execute(select(Clue).where(Clue.receipt_code == receipt_code)).scalar_one()
        assert clue.source == "open311"
        return clue.anonymous, clue.complainant_phone, clue.occurred_at


def _clues(district: uuid.UUID, *rows: dict) -> list[str]:
    """Complaints as the door keeps them, each `row` overriding a filed open complaint."""
    from yimen.platform.intake.model import Clue
    from yimen.platform.intake.service import receipt_code
    from yimen.platform.kernel.db import db, tenant_scope

    codes = []
    with tenant_scope(district), db.new_session() as s:
        for row in rows:
            code = receipt_code()
            fields = {
                "source": "public_web",
                "matter_code": "CG-0014",
                "description": "饭店油烟直排，熏得没法开窗",
                "place": "玄武区珠江路88号3栋",
                "latitude": 32.045612,
                "longitude": 118.789034,
                "status": "offered",
                **row,
            }
            s.add(Clue(receipt_code=code, **fields))
            codes.append(code)
        s.commit()
    return codes


def _listed(base: str, fmt: str = "json", **params) -> list[dict]:
    r = requests.get(f"{base}/requests.{fmt}", params=params, timeout=30)
    assert r.status_code == 200, r.text
    if fmt == "json":
        return r.json()
    return xmltodict.parse(r.text, force_list=("request",))["service_requests"]["request"]


def test_requests_are_listed_by_matter_status_and_date_within_ninety_days(live_server, app):
    base = f"{live_server.url}/open311/v2/{DISTRICT['slug']}"
    now = dt.datetime.now(dt.UTC)
    old, oil, closed, noise = _clues(
        DISTRICT["tenant_id"],
        {"created_at": now - dt.timedelta(days=100)},
        {"created_at": now - dt.timedelta(seconds=5)},
        {
            "created_at": now - dt.timedelta(seconds=4),
            "status": "closed",
            "outcome": "corrected_on_spot",
        },
        {"created_at": now - dt.timedelta(seconds=3), "matter_code": "CG-0001"},
    )
    for fmt in ("json", "xml"):
        recent = [r["service_request_id"] for r in _listed(base, fmt)]
        assert {oil, closed, noise} <= set(recent) and old not in recent
        assert recent.index(noise) < recent.index(closed) < recent.index(oil)  # newest first
    by_matter = {r["service_request_id"] for r in _listed(base, service_code="CG-0014")}
    assert {oil, closed} <= by_matter and noise not in by_matter
    both = {r["service_request_id"] for r in _listed(base, service_code="CG-0014,CG-0001")}
    assert {oil, closed, noise} <= both
    done = _listed(base, "xml", status="closed")
    assert closed in {r["service_request_id"] for r in done} and {r["status"] for r in done} == {
        "closed"
    }
    assert next(r for r in done if r["service_request_id"] == closed)["status_notes"] == (
        "已办结：当场责令改正，已整改到位"
    )
    still_open = {r["service_request_id"] for r in _listed(base, status="open")}
    assert oil in still_open and closed not in still_open
    back_then = _listed(
        base,
        start_date=w3cdtf(now - dt.timedelta(days=101)),
        end_date=w3cdtf(now - dt.timedelta(days=99)),
    )
    assert old in {r["service_request_id"] for r in back_then}
    assert not {oil, closed, noise} & {r["service_request_id"] for r in back_then}
    since = {
        r["service_request_id"]
        for r in _listed(base, start_date=w3cdtf(now - dt.timedelta(days=101)))
    }  # an open end: 90 days from the start
    assert old in since and oil not in since

    too_long = requests.get(
        f"{base}/requests.xml",
        params={"start_date": w3cdtf(now - dt.timedelta(days=120)), "end_date": w3cdtf(now)},
        timeout=10,
    )
    error = xmltodict.parse(too_long.text)["errors"]["error"]
    assert too_long.status_code == 400 and "90" in error["description"]
    zoneless = requests.get(
        f"{base}/requests.json", params={"start_date": "2026-08-01"}, timeout=10
    )
    assert zoneless.status_code == 400 and "start_date" in zoneless.json()[0]["description"]


def test_the_public_list_shows_the_road_and_never_the_words_a_name_or_a_police_referral(
    live_server, app
):
    base = f"{live_server.url}/open311/v2/{DISTRICT['slug']}"
    now = dt.datetime.now(dt.UTC)
    complaint, referral, patrol = _clues(
        DISTRICT["tenant_id"],
        {"complainant_name": "王芳", "complainant_phone": "13812345678", "created_at": now},
        {"source": "police", "source_ref": uuid.uuid4().hex, "created_at": now},
        {"source": "patrol", "created_at": now},
    )
    for fmt in ("json", "xml"):
        shown = {r["service_request_id"]: r for r in _listed(base, fmt, service_code="CG-0014")}
        assert complaint in shown and referral not in shown and patrol not in shown
        mine = shown[complaint]
        assert mine["address"] == "玄武区珠江路"
        assert (float(mine["lat"]), float(mine["long"])) == (32.046, 118.789)
        assert "description" not in mine and "熏得没法开窗" not in str(shown)
        assert "王芳" not in str(mine) and "13812345678" not in str(mine)
    for code in (referral, patrol):
        assert requests.get(f"{base}/requests/{code}.json", timeout=10).status_code == 404
        assert _listed(base, service_request_id=code) == []


def test_a_list_holds_the_newest_thousand_and_no_other_districts_requests(
    live_server, app, new_district
):
    district = new_district("开放区")
    now = dt.datetime.now(dt.UTC)
    codes = _clues(
        district.id, *({"created_at": now - dt.timedelta(minutes=n)} for n in range(1003))
    )
    (neighbour_code,) = _clues(DISTRICT["tenant_id"], {"created_at": now})
    base = f"{live_server.url}/open311/v2/{district.slug}"
    listed = [r["service_request_id"] for r in _listed(base)]
    assert listed == codes[:1000]
    assert requests.get(f"{base}/requests/{neighbour_code}.json", timeout=10).status_code == 404
    assert _listed(base, service_request_id=neighbour_code) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_too_many_reads_are_refused_in_the_format_asked_for(live_server, app, fmt):
    base = f"{live_server.url}/open311/v2/{DISTRICT['slug']}"
    before = app.config["YIMEN_PUBLIC_READ_RATE_LIMIT"]
    app.config["YIMEN_PUBLIC_READ_RATE_LIMIT"] = "2 per minute"
    try:
        answers = [requests.get(f"{base}/requests.{fmt}", timeout=10) for _ in range(3)]
    finally:
        app.config["YIMEN_PUBLIC_READ_RATE_LIMIT"] = before
    refused = answers[-1]
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    body = refused.json() if fmt == "json" else xml_simple(refused.text)["error"]
    assert str(body[0]["code"]) == "429"
