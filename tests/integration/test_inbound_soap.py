"""Upper-level systems that speak only SOAP assign clues to the district and ask how
they stand (issue 14, item 4): a zeep client over real HTTP against the live server's
inbound service, with the WSDL it serves. The sender is a machine client of the
district, its secret the WS-Security digest's password; a replay is answered with the
first answer and makes nothing; every request is kept as it came, for the district
administrator, and never logged."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid

import pytest
import requests
import zeep
from lxml import etree
from sqlalchemy import func, select
from stdnum.cn import uscc
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from tests.conftest import bearer
from tests.integration.conftest import _agency_client
from yimen.gateway import contracts
from yimen.gateway.inbox.model import InboundEnvelope, InboxRecord
from yimen.platform.idp.admin import create_machine_client
from yimen.platform.intake.model import Clue
from yimen.platform.intake.web.soap_service import soap_service
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Tenant

NS = "urn:cn:gov:yimen:inbound:clues:1"
BINDING = f"{{{NS}}}InboundClueBinding"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PHONE = "13987654321"
OIL_FUMES = "CG-0014"  # 餐饮油烟, held by the comprehensive enforcement bureau
PARTY = {
    "kind": "organisation",
    "name": "南京味道餐饮管理有限公司",
    "credit_code": "91320102MA1MXXX90" + uscc.calc_check_digit("91320102MA1MXXX90"),
    "address": "珠江路88号",
}


@pytest.fixture(scope="module")
def district(live_server, own_district) -> dict:
    with db.new_session() as s:
        tenant = s.execute(select(Tenant).where(Tenant.slug == own_district["slug"])).scalar_one()
    return {"id": tenant.id, "slug": tenant.slug}


def _sender(district_id: uuid.UUID, connectors=(contracts.UPPER_LEVEL,), roles=None):
    """A machine client of the district (the upper-level system's account): id, secret."""
    client_id = f"sheng-{uuid.uuid4().hex[:8]}"
    with tenant_scope(district_id), db.new_session() as s:
        _, secret = create_machine_client(
            s, client_id, "省级系统", roles or ["gateway_client"], connectors=connectors
        )
        s.commit()
    return client_id, secret


@pytest.fixture(scope="module")
def sender(district):
    return _sender(district["id"])


def soap(live_server, slug: str, client_id: str, secret: str):
    """The upper-level system's zeep client, built from the WSDL the district serves."""
    url = f"{live_server.url}/soap/v1/{slug}/clues"
    client = zeep.Client(
        f"{url}?wsdl",
        wsse=UsernameToken(client_id, secret, use_digest=True),
        transport=Transport(timeout=10),
    )
    return client.create_service(BINDING, url)


@pytest.fixture
def upper(live_server, district, sender):
    return soap(live_server, district["slug"], *sender)


def _ref() -> str:
    return f"SJ-{uuid.uuid4().hex[:12].upper()}"


def _assign(service, ref: str, **changes):
    body = dict(
        externalRef=ref,
        matterCode=OIL_FUMES,
        content="群众反映楼下餐馆油烟直排，省平台交办核查",
        place="珠江路88号",
        reporter={"name": "李先生", "phone": PHONE},
        deadline=dt.datetime.now(SHANGHAI).replace(microsecond=0) + dt.timedelta(days=5),
    )
    body.update(changes)
    return service.SubmitAssignedClue(**body)


def _fault_code(fault: Fault) -> str:
    return fault.detail.find(f".//{{{NS}}}code").text


def _clues(district_id: uuid.UUID, ref: str) -> list[Clue]:
    with tenant_scope(district_id), db.new_session() as s:
        return list(s.execute(select(Clue).where(Clue.source_ref == ref)).scalars())


def _inbox(district_id: uuid.UUID, ref: str) -> int:
    with tenant_scope(district_id), db.new_session() as s:
        return s.execute(select(func.count()).where(InboxRecord.natural_key == ref)).scalar_one()


@pytest.fixture
def desk(live_server, app, district):
    slug = district["slug"]
    return {
        "officer": _agency_client(live_server, app, "zhzf", ["officer"], slug),
        "head": _agency_client(live_server, app, "zhzf", ["agency_head", "officer"], slug),
    }


def test_an_assigned_clue_is_a_clue_of_the_district_for_the_agency_holding_its_matter(
    client, upper, district, desk
):
    ref = _ref()
    answer = _assign(upper, ref)
    assert answer.externalRef == ref and answer.receiptCode.startswith("YM")
    queue = client.get("/api/v1/clues?page_size=100", headers=desk["officer"]).json["items"]
    clue = next(c for c in queue if c["receipt_code"] == answer.receiptCode)
    assert clue["source"] == "upper_level" and clue["source_ref"] == ref
    assert clue["status"] == "offered" and clue["matter_code"] == OIL_FUMES
    assert clue["complainant_phone"] == "139****4321" and clue["reply_due"] is not None
    assert clue["steps"][0]["action"] == "offered"


def test_a_replay_is_answered_with_the_first_answer_and_makes_nothing_new(upper, district):
    ref = _ref()
    first = _assign(upper, ref)
    again = _assign(upper, ref, content="同一线索再次交办，内容略有不同")
    assert (again.receiptCode, again.receivedAt) == (first.receiptCode, first.receivedAt)
    assert len(_clues(district["id"], ref)) == 1 and _inbox(district["id"], ref) == 1


def test_the_same_clue_sent_four_times_at_once_is_one_clue_with_one_answer(
    live_server, district, sender
):
    ref = _ref()
    services = [soap(live_server, district["slug"], *sender) for _ in range(4)]
    answers, errors = [], []

    def send(service):
        try:
            answers.append(_assign(service, ref).receiptCode)
        except Exception as exc:  # noqa: BLE001 - collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(set(answers)) == 1 and len(answers) == 4
    assert len(_clues(district["id"], ref)) == 1 and _inbox(district["id"], ref) == 1


def test_a_wrong_password_another_districts_client_or_one_without_the_scope_is_refused(
    live_server, app, district, sender, new_district
):
    client_id, secret = sender
    other = new_district("外区")
    strangers = {
        "wrong password": (client_id, secret + "x"),
        "another district's client": _sender(other.id),
        "no upper_level scope": _sender(district["id"], connectors=("hotline_12345",)),
        "not a gateway client": _sender(district["id"], roles=["officer"]),
    }
    ref = _ref()
    for why, (name, password) in strangers.items():
        service = soap(live_server, district["slug"], name, password)
        with pytest.raises(Fault) as refused:
            _assign(service, ref)
        assert _fault_code(refused.value) == "AUTH", why
        assert "认证失败" in refused.value.message
    assert _clues(district["id"], ref) == [] and _inbox(district["id"], ref) == 0


def test_a_captured_request_sent_again_is_refused_by_any_process(live_server, district, sender):
    url = f"{live_server.url}/soap/v1/{district['slug']}/clues"
    client = zeep.Client(
        f"{url}?wsdl", wsse=UsernameToken(*sender, use_digest=True), transport=Transport(timeout=10)
    )
    envelope = client.create_message(client.service, "QueryClueStatus", receiptCode="YMAAAAAAAAAA")
    raw = etree.tostring(envelope)
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    first = requests.post(url, data=raw, headers=headers, timeout=10)
    soap_service.cache_clear()  # as if another process of the platform took the copy
    replayed = requests.post(url, data=raw, headers=headers, timeout=10)
    assert "NOT_FOUND" in first.text  # authenticated: no such clue
    assert replayed.status_code == 500 and "AUTH" in replayed.text and "replay" in replayed.text


def test_the_status_of_an_assigned_clue_and_of_the_case_made_from_it(client, upper, desk):
    ref = _ref()
    receipt = _assign(upper, ref).receiptCode
    offered = upper.QueryClueStatus(externalRef=ref)
    assert (offered.receiptCode, offered.status, offered.caseNumber) == (receipt, "offered", None)
    assert offered.agency and offered.acceptDue is not None

    queue = client.get("/api/v1/clues?page_size=100", headers=desk["officer"]).json["items"]
    clue_id = next(c["id"] for c in queue if c["receipt_code"] == receipt)
    accepted = client.post(f"/api/v1/clues/{clue_id}/accept", headers=desk["officer"])
    assert accepted.status_code == 200
    draft = client.post(f"/api/v1/clues/{clue_id}/file-case", headers=desk["officer"]).json
    officers = client.get("/api/v1/officers?page_size=100", headers=desk["officer"]).json
    by_name = {o["name"]: o["id"] for o in officers["items"]}
    version = client.get(f"/api/v1/cases/{draft['id']}", headers=desk["officer"]).json["version"]
    completed = client.patch(
        f"/api/v1/cases/{draft['id']}",
        json={
            "version": version,
            "violation_started_on": "2026-11-20",
            "parties": [PARTY],
            "officer_ids": [by_name["张伟"], by_name["王芳"]],
        },
        headers=desk["officer"],
    )
    assert completed.status_code == 200, completed.json
    filed = client.post(
        f"/api/v1/cases/{draft['id']}/actions/approve_filing", json={}, headers=desk["head"]
    )
    assert filed.status_code == 200, filed.json
    number = filed.json["number"]

    by_receipt = upper.QueryClueStatus(receiptCode=receipt)
    assert by_receipt.externalRef == ref and by_receipt.caseNumber == number
    case = upper.QueryCaseStatus(caseNumber=number)
    assert (case.caseNumber, case.stage, case.status) == (number, "investigation", "open")
    assert case.agency == offered.agency and case.filedOn is not None
    with pytest.raises(Fault) as missing:
        upper.QueryCaseStatus(caseNumber="玄综执罚〔1999〕1号")
    assert _fault_code(missing.value) == "NOT_FOUND"


def test_a_citizens_complaint_is_not_found_by_its_receipt_code(client, upper, district):
    r = client.post(
        f"/api/v1/public/{district['slug']}/complaints",
        json={"description": "夜间施工噪音扰民严重", "place": "中山路1号", "anonymous": True},
    )
    assert r.status_code == 201, r.json
    with pytest.raises(Fault) as missing:
        upper.QueryClueStatus(receiptCode=r.json["receipt_code"])
    assert _fault_code(missing.value) == "NOT_FOUND"


def test_an_invalid_body_is_a_fault_with_the_schemas_message_and_writes_nothing(upper, district):
    ref = _ref()
    with pytest.raises(Fault) as short:
        _assign(upper, ref, content="油烟")
    assert _fault_code(short.value) == "INVALID"
    assert "content" in short.value.message and "minimum length" in short.value.message
    with pytest.raises(Fault) as naive:
        _assign(upper, ref, deadline=dt.datetime(2026, 12, 20, 17, 0))
    assert _fault_code(naive.value) == "INVALID" and "时区" in naive.value.message
    assert naive.value.detail.find(f".//{{{NS}}}field").text == "deadline"
    assert _clues(district["id"], ref) == [] and _inbox(district["id"], ref) == 0


def test_every_request_is_kept_for_the_district_administrator_and_never_logged(
    client, upper, district, machine_token, desk, caplog
):
    ref = _ref()
    with caplog.at_level(logging.DEBUG):
        _assign(upper, ref)
        _assign(upper, ref)
        with pytest.raises(Fault):
            _assign(upper, ref, content="油烟")
    ours = [r for r in caplog.records if not r.name.startswith(("zeep", "urllib3"))]
    told = [r.getMessage() for r in ours]
    assert told and not [m for m in told if PHONE in m or "李先生" in m or ref in m]

    admin = bearer(machine_token(district["slug"], ["district_admin"]))
    listed = client.get(f"/api/v1/gateway/envelopes?natural_key={ref}", headers=admin).json
    assert [e["outcome"] for e in listed["items"]] == ["INVALID", "OK", "OK"]
    assert {e["operation"] for e in listed["items"]} == {"SubmitAssignedClue"}
    one = client.get(f"/api/v1/gateway/envelopes/{listed['items'][-1]['id']}", headers=admin)
    assert PHONE in one.json["envelope"] and "UsernameToken" in one.json["envelope"]
    for reader in (desk["officer"], desk["head"]):
        assert client.get("/api/v1/gateway/envelopes", headers=reader).status_code == 403
    with tenant_scope(district["id"]), db.new_session() as s:
        kept = s.execute(
            select(func.count()).where(InboundEnvelope.natural_key == ref)
        ).scalar_one()
    assert kept == 3


def test_the_service_serves_its_wsdl_and_schema(live_server, district):
    base = f"{live_server.url}/soap/v1/{district['slug']}/clues"
    wsdl = requests.get(f"{base}?wsdl", timeout=10)
    xsd = requests.get(f"{base}.xsd", timeout=10)
    assert wsdl.ok and b"SubmitAssignedClue" in wsdl.content
    assert xsd.ok and b"QueryCaseStatusRequest" in xsd.content
    assert (
        requests.get(f"{live_server.url}/soap/v1/nowhere/clues?wsdl", timeout=10).status_code == 404
    )


def _rest_body(ref: str) -> dict:
    return {
        "source": "upper_level",
        "source_ref": ref,
        "matter_code": OIL_FUMES,
        "description": "省平台交办：餐馆油烟直排扰民",
        "place": "珠江路88号",
    }


def test_the_rest_inbound_api_sent_the_same_id_four_times_at_once_makes_one_clue(
    live_server, district, machine_token
):
    """The REST inbound clue API is replay-safe by the clue's natural key (district,
    source, sender's id): a second request, also one racing the first, answers 200 with
    the clue the first made."""
    headers = bearer(machine_token(district["slug"], ["gateway_client"]))
    ref = _ref()
    url = f"{live_server.url}/api/v1/clues/inbound"
    answers = []

    def send():
        r = requests.post(url, json=_rest_body(ref), headers=headers, timeout=30)
        answers.append((r.status_code, r.json().get("receipt_code")))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
    assert len({code for _, code in answers}) == 1 and len(_clues(district["id"], ref)) == 1


def test_a_clue_sent_by_rest_and_again_by_soap_is_one_clue(client, upper, district, machine_token):
    ref = _ref()
    headers = bearer(machine_token(district["slug"], ["gateway_client"]))
    by_rest = client.post("/api/v1/clues/inbound", json=_rest_body(ref), headers=headers)
    assert by_rest.status_code == 201
    assert _assign(upper, ref).receiptCode == by_rest.json["receipt_code"]
    assert len(_clues(district["id"], ref)) == 1
