"""Sync status where people work and the gateway console (issue 14, items 7 and 8): a
decided case of the district reaches the provincial simulator mounted in-process (as
`make run` has it); its page says, per connector, whether its records are sent and the
upstream's reference; a fault switch makes a record fail, the district administrator
sees the dead letter (masked) on the gateway console and re-drives it; /metrics and
/readyz tell each connector's state; the demo seed subscribes a district."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from tests.conftest import bearer
from tests.integration.test_case_lifecycle import Case, desk  # noqa: F401 - the fixture
from tests.integration.test_case_outcomes import a_company
from tests.integration.test_gateway_delivery import (  # noqa: F401 - fixtures
    connector,
    drain,
    rows,
    upstream,
)
from yimen.gateway.delivery import engine, guards, service
from yimen.gateway.delivery.model import DEAD, SENT, GatewaySubscription
from yimen.platform.demo import seed_province
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.uow import uow

pytestmark = pytest.mark.usefixtures("case_day")
GATEWAY = "/console/admin/gateway"


@pytest.fixture
def district_id(desk):  # noqa: F811
    """The module's own district (the lifecycle desk's)."""
    return desk["tenant_id"]


@pytest.fixture
def operator(machine_token) -> dict:
    return bearer(machine_token("platform", ["platform_operator"]))


@pytest.fixture
def admin(machine_token, desk) -> dict:  # noqa: F811
    return bearer(machine_token(desk["slug"], ["district_admin"]))


class Simulator:
    """The provincial simulator the live server mounts, driven as the platform operator."""

    def __init__(self, base: str, operator: dict) -> None:
        self.base, self.operator = base, operator

    def switch(self, **values) -> None:
        r = requests.post(
            f"{self.base}/_admin/switches", json=values, headers=self.operator, timeout=5
        )
        r.raise_for_status()

    def ledger(self, reference: str) -> list[str]:
        r = requests.get(f"{self.base}/_admin/ledger", headers=self.operator, timeout=5)
        r.raise_for_status()
        return [e["effect"] for e in r.json().get(reference, [])]


@pytest.fixture
def province(app, live_server, district_id, operator):
    """The district subscribed to the mounted provincial simulator while the test runs (the
    demo seed's connector definition, the simulator's credentials)."""
    mounted = app.extensions["yimen.province_simulator"]
    seed_province(mounted, [])  # the region offers it
    command = service.ConfigureSubscription(
        "province", True, "admin", credentials=mounted["credentials"]
    )
    service.configure_subscription(uow, district_id, command)
    simulator = Simulator(f"{live_server.url}/_sim/province", operator)
    simulator.switch(error_rate=0.0)
    yield simulator
    simulator.switch(error_rate=0.0)
    off = service.ConfigureSubscription("province", False, "admin")
    service.configure_subscription(uow, district_id, off)


def _decided(client, desk) -> Case:  # noqa: F811
    """A case filed (what the provincial platform receives first: SubmitCase)."""
    case = Case(client, desk, parties=[a_company()])
    case.do("approve_filing", who="head")
    return case


def _text(response) -> str:
    return response.get_data(as_text=True)


def _sync_row(page: str) -> str:
    found = re.search(r'<tr data-connector="province">(.*?)</tr>', page, re.S)
    assert found, "the case page has no sync row for the provincial platform"
    return found.group(1)


def _post(client, headers: dict, url: str, form: dict):
    page = _text(client.get(GATEWAY, headers=headers))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post(
        url, data={"csrf_token": token, **form}, headers={**headers, "Accept": "text/html"}
    )


def test_a_decided_case_reaches_the_mounted_simulator_and_its_page_shows_it_sent(
    client,
    desk,  # noqa: F811
    province,
    district_id,
):
    case = _decided(client, desk)
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["officer"]))
    assert "待发送" in _sync_row(page)  # before the engine ran

    drain(district_id)
    mine = rows(district_id, aggregate_key=f"case:{case.id}", connector="province")
    assert mine and {r.status for r in mine} == {SENT}, [(r.topic, r.last_error) for r in mine]
    assert province.ledger(case.id)  # the simulator recorded the case under our id
    row = _sync_row(_text(client.get(f"/console/cases/{case.id}", headers=desk["officer"])))
    assert "已送达" in row and mine[-1].upstream_ref in row
    assert "省行政执法监督平台" in row and "sent" not in row


def test_a_failed_record_is_a_dead_letter_the_administrator_redrives_from_the_console(
    client,
    desk,  # noqa: F811
    province,
    district_id,
    admin,
    monkeypatch,
):
    monkeypatch.setattr(engine, "MAX_ATTEMPTS", 2)
    province.switch(error_rate=1.0)
    case = _decided(client, desk)
    drain(district_id)
    dead = rows(district_id, aggregate_key=f"case:{case.id}", connector="province", status=DEAD)
    assert len(dead) == 1
    row = _sync_row(_text(client.get(f"/console/cases/{case.id}", headers=desk["officer"])))
    assert "发送失败" in row

    console = _text(client.get(GATEWAY, headers=admin))
    letter = re.search(
        rf'<article class="dead-letter" id="dead-{dead[0].id}".*?</article>', console, re.S
    )
    assert letter and "503" in letter.group(0)
    party = next(p for p in dead[0].payload.get("parties", []) if p.get("id_number"))
    assert party["id_number"] not in console  # the payload is shown masked
    assert party["id_number"][:3] in letter.group(0)

    province.switch(error_rate=0.0)  # the platform operator clears the fault
    answer = _post(client, admin, f"{GATEWAY}/redrive", {"id": str(dead[0].id)})
    assert answer.status_code == 302 and "done=redriven" in answer.headers["Location"]
    drain(district_id)
    after = rows(district_id, aggregate_key=f"case:{case.id}", connector="province")
    assert {r.status for r in after} == {SENT} and after[-1].decided_by
    row = _sync_row(_text(client.get(f"/console/cases/{case.id}", headers=desk["officer"])))
    assert "已送达" in row and after[-1].upstream_ref in row
    assert f'id="dead-{dead[0].id}"' not in _text(client.get(GATEWAY, headers=admin))


def test_a_skip_needs_a_reason_and_a_bad_endpoint_is_refused_field_by_field(
    client,
    desk,  # noqa: F811
    province,
    district_id,
    admin,
    monkeypatch,
):
    monkeypatch.setattr(engine, "MAX_ATTEMPTS", 1)
    province.switch(error_rate=1.0)
    case = _decided(client, desk)
    drain(district_id)
    (dead,) = rows(district_id, aggregate_key=f"case:{case.id}", status=DEAD)

    refused = _post(client, admin, f"{GATEWAY}/deliveries/{dead.id}/skip", {"reason": " "})
    assert refused.status_code == 422 and "请说明不再发送的理由" in _text(refused)
    assert rows(district_id, aggregate_key=f"case:{case.id}", status=DEAD)  # nothing written
    skipped = _post(client, admin, f"{GATEWAY}/deliveries/{dead.id}/skip", {"reason": "已线下报送"})
    assert skipped.status_code == 302
    row = _sync_row(_text(client.get(f"/console/cases/{case.id}", headers=desk["officer"])))
    assert "已跳过" in row

    bad = _post(
        client, admin, f"{GATEWAY}/subscriptions/province", {"enabled": "1", "endpoint": "ftp://x"}
    )
    assert bad.status_code == 422 and "地址须为 http(s) 网址" in _text(bad)
    with tenant_scope(district_id), db.new_session() as s:
        sub = s.execute(select(GatewaySubscription)).scalars().all()
    assert all(x.endpoint != "ftp://x" for x in sub)


def test_credentials_entered_on_the_console_are_sealed_and_never_shown(
    client, province, district_id, admin, app
):
    secret = "省平台-口令-9f3a"
    saved = _post(
        client,
        admin,
        f"{GATEWAY}/subscriptions/province",
        {"enabled": "1", "username": "yimen", "password": secret},
    )
    assert saved.status_code == 302
    page = _text(client.get(GATEWAY, headers=admin))
    assert secret not in page and 'class="has-credentials"' in page
    with tenant_scope(district_id), db.new_session() as s:
        sub = s.execute(select(GatewaySubscription)).scalar_one()
    assert secret not in sub.credentials and sub.enabled


def test_metrics_and_readyz_tell_each_connectors_state(
    client,
    desk,  # noqa: F811
    province,
    district_id,
    admin,
    monkeypatch,
):
    monkeypatch.setattr(engine, "MAX_ATTEMPTS", 1)
    guards.configure(fail_max=1, reset_timeout=60.0)
    try:
        province.switch(error_rate=1.0)
        case = _decided(client, desk)
        drain(district_id)
        dead = len(rows(district_id, connector="province", status=DEAD))
        assert dead >= 1 and rows(district_id, aggregate_key=f"case:{case.id}", status=DEAD)
        metrics = _text(client.get("/metrics"))
        labels = '{connector="province",district="' + desk["slug"] + '"}'
        assert f"yimen_gateway_dead{labels} {dead}.0" in metrics
        assert f"yimen_gateway_sent_total{labels}" in metrics
        oldest = re.search(
            re.escape(f"yimen_gateway_oldest_unsent_seconds{labels}") + r" (\S+)", metrics
        )
        assert oldest and float(oldest.group(1)) > 0  # the dead letter is waiting
        (health,) = [
            h
            for h in client.get("/api/v1/gateway/health", headers=admin).json["items"]
            if h["connector"] == "province"
        ]
        assert health["dead"] == dead and health["breaker"] == "open"
        assert health["failure_rate"] > 0
        ready = client.get("/readyz")
        assert ready.status_code == 200  # an upstream down does not make the web tier unready
        assert ready.json["checks"]["gateway"]["open"] == ["province"]
    finally:
        guards.configure()
    ready = client.get("/readyz")
    assert ready.json["checks"]["gateway"]["open"] == []


def test_the_platform_operator_sees_every_districts_connectors_and_administrators_do_not(
    client,
    province,
    operator,
    admin,
    desk,  # noqa: F811
):
    page = client.get("/console/gateway", headers=operator)
    assert page.status_code == 200
    assert f'<tr data-district="{desk["slug"]}" data-connector="province">' in _text(page)
    assert client.get("/console/gateway", headers=admin).status_code == 403
    assert client.get(GATEWAY, headers=desk["officer"]).status_code == 403
    assert client.get(GATEWAY, headers=admin).status_code == 200


def test_the_demo_seed_offers_the_province_and_subscribes_the_district_once(app, new_district):
    mounted = app.extensions["yimen.province_simulator"]
    district = new_district("演示对接区").id
    seed_province(mounted, [district])
    with tenant_scope(district), db.new_session() as s:
        sub = s.execute(select(GatewaySubscription)).scalar_one()
        assert (
            sub.enabled
            and sub.credentials
            and mounted["credentials"]["password"] not in sub.credentials
        )
    service.configure_subscription(
        uow, district, service.ConfigureSubscription("province", False, "admin")
    )
    seed_province(mounted, [district])  # seeding again leaves an administrator's choice
    with tenant_scope(district), db.new_session() as s:
        assert not s.execute(select(GatewaySubscription)).scalar_one().enabled
    target = engine.target_of(district, "province")
    assert target is None


def test_a_clue_page_shows_its_records_to_a_rest_upstream_sent_with_its_reference(
    client,
    desk,  # noqa: F811
    district_id,
    admin,
    connector,  # noqa: F811
    upstream,  # noqa: F811
):
    from yimen.gateway import contracts as c

    name = connector(event_types=(c.ClueReceived.TYPE, c.ClueAnswered.TYPE))
    command = service.ConfigureSubscription(
        name, True, "admin", endpoint=upstream.url, credentials={"token": upstream.token}
    )
    service.configure_subscription(uow, district_id, command)
    agencies = client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
    zhzf = next(a["id"] for a in agencies if a["code"] == "zhzf")
    try:
        clue = client.post(
            "/api/v1/clues",
            json={
                "description": "夜间施工噪声扰民",
                "place": "玄武区北京东路1号",
                "agency_id": zhzf,
            },
            headers=desk["officer"],
        ).json
        client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desk["officer"])
        page = _text(client.get(f"/console/clues/{clue['id']}", headers=desk["officer"]))
        assert f'<tr data-connector="{name}">' in page and "待发送 2" in page
        drain(district_id)
        sent = rows(district_id, aggregate_key=f"clue:{clue['id']}", connector=name)
        assert {r.status for r in sent} == {SENT}
        page = _text(client.get(f"/console/clues/{clue['id']}", headers=desk["officer"]))
        row = re.search(rf'<tr data-connector="{name}">(.*?)</tr>', page, re.S).group(1)
        assert "测试上级系统" in row and "已送达 2" in row and sent[-1].upstream_ref in row
    finally:
        off = service.ConfigureSubscription(name, False, "admin", endpoint=upstream.url)
        service.configure_subscription(uow, district_id, off)


def test_re_drive_all_sends_every_dead_letter_of_the_district_again(
    client,
    desk,  # noqa: F811
    province,
    district_id,
    admin,
    monkeypatch,
):
    monkeypatch.setattr(engine, "MAX_ATTEMPTS", 1)
    province.switch(error_rate=1.0)
    cases = [_decided(client, desk), _decided(client, desk)]
    drain(district_id)
    assert len(rows(district_id, connector="province", status=DEAD)) >= 2
    page = _text(client.get(GATEWAY, headers=admin))
    assert all(f"case:{case.id}" in page for case in cases)

    province.switch(error_rate=0.0)
    answer = _post(client, admin, f"{GATEWAY}/redrive", {})
    assert answer.status_code == 302
    drain(district_id)
    assert rows(district_id, connector="province", status=DEAD) == []
    for case in cases:
        assert province.ledger(case.id)
    assert 'id="no-dead-letters"' in _text(client.get(GATEWAY, headers=admin))
