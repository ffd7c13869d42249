"""Reconciliation against the provincial platform's simulator over real SOAP: a day's
deliveries compared with its "since" answer; a record it lost is found and re-sent (once),
one we never sent is reported, and the report is readable by the district administrator."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
import requests

from tests.integration.test_gateway_delivery import admin_of, drain, publish, rows  # noqa: F401
from tests.integration.test_province_soap import USERS, Platform, case_filed, decided
from yimen.connectors.province.connector import ProvinceConnector
from yimen.gateway import contracts as c
from yimen.gateway.delivery import engine, reconcile, service
from yimen.gateway.delivery.model import PENDING, SENT
from yimen.gateway.ports import Outbound
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.uow import uow

TYPES = (c.CaseFiled.TYPE, c.PenaltyDecided.TYPE, c.CaseClosed.TYPE)


@pytest.fixture
def platform(tmp_path):
    running = Platform(tmp_path / "province.db")
    yield running
    running.stop()


@pytest.fixture
def province(app, new_district, platform):
    """A district that turned on a province connector of this test's own (its name), and
    the district's division code."""
    tenant = new_district("对账区")
    name = f"pv{uuid.uuid4().hex[:10]}"
    service.define_connector(
        uow, service.DefineConnector(name, "soap", "省执法监督平台", "Province", TYPES)
    )
    connector = ProvinceConnector(source_system="yimen", timeout=2.0)
    connector.name = name
    engine.register(connector)
    command = service.ConfigureSubscription(
        name,
        True,
        "admin",
        endpoint=platform.url,
        credentials={"username": "xuanwu", "password": USERS["xuanwu"]},
    )
    service.configure_subscription(uow, tenant.id, command)
    yield tenant, name, connector
    engine.unregister(name)


def a_case(code: str) -> tuple[c.CaseFiled, c.PenaltyDecided]:
    """A case of the district filed and decided (its two events)."""
    case_id = uuid.uuid4()
    filed = case_filed(case_id, district_code=code, occurred_at=utcnow())
    return filed, dataclasses.replace(decided(case_id, sequence=3), district_code=code)


def test_a_record_the_platform_lost_is_re_sent_once_and_one_we_never_sent_is_reported(
    province, platform
):
    tenant, name, connector = province
    code = tenant.division_code
    kept, lost = a_case(code), a_case(code)
    publish(tenant.id, *kept, *lost)
    drain(tenant.id)
    assert {r.status for r in rows(tenant.id, connector=name)} == {SENT}
    today = utcnow().date()

    clean = reconcile.reconcile(uow, tenant.id, reconcile.Reconcile(name, today))
    assert clean.in_step and clean.sent_count == clean.upstream_count == 4
    assert clean.sent_hash == clean.upstream_hash

    lost_case = str(lost[0].aggregate_id)
    forgot = requests.post(
        f"{platform.base}/_admin/forget", json={"externalRef": lost_case}, timeout=5
    )
    assert forgot.ok
    stranger = case_filed(uuid.uuid4(), district_code=code)  # in the platform, never ours
    connector.deliver(
        Outbound(
            name,
            stranger.TYPE,
            stranger.payload(),
            "k",
            endpoint=platform.url,
            credentials={"username": "xuanwu", "password": USERS["xuanwu"]},
        )
    )

    drift = reconcile.reconcile(uow, tenant.id, reconcile.Reconcile(name, today))
    assert sorted(drift.missing) == sorted([lost_case, str(lost[1].event_id)])
    assert drift.extra == [str(stranger.aggregate_id)] and drift.resent == 2
    assert drift.sent_hash != drift.upstream_hash
    again = rows(tenant.id, connector=name, aggregate_key=f"case:{lost_case}")
    assert [(r.topic, r.status) for r in again] == [
        (c.CaseFiled.TYPE, PENDING),
        (c.PenaltyDecided.TYPE, PENDING),
    ]

    drain(tenant.id)
    ledger = requests.get(f"{platform.base}/_admin/ledger", timeout=5).json()
    assert [e["effect"] for e in ledger[lost_case]] == [
        "case:insert",
        "stage:decision",
        "case:insert",
        "stage:decision",
    ]  # once before the loss, once after: in order
    assert [e["effect"] for e in ledger[str(kept[0].aggregate_id)]] == [
        "case:insert",
        "stage:decision",
    ]
    after = reconcile.reconcile(uow, tenant.id, reconcile.Reconcile(name, today))
    assert after.missing == [] and after.resent == 0
    assert after.extra == [str(stranger.aggregate_id)]  # still reported, never deleted


def test_the_administrator_reads_the_drift_report(client, province, admin_of):  # noqa: F811
    tenant, name, _ = province
    publish(tenant.id, *a_case(tenant.division_code))
    drain(tenant.id)
    reconcile.reconcile(uow, tenant.id, reconcile.Reconcile(name, utcnow().date()))

    got = client.get(f"/api/v1/gateway/reconciliation?connector={name}", headers=admin_of(tenant))

    assert got.status_code == 200, got.json
    (report,) = got.json["items"]
    assert report["sent_count"] == report["upstream_count"] == 2
    assert report["missing"] == report["extra"] == []


def test_the_platform_down_is_reported_and_nothing_is_re_sent(province, platform):
    tenant, name, _ = province
    publish(tenant.id, *a_case(tenant.division_code))
    drain(tenant.id)
    platform.switch(down_until="2999-01-01T00:00:00")

    report = reconcile.reconcile(uow, tenant.id, reconcile.Reconcile(name, utcnow().date()))

    assert report.error and report.resent == 0
    assert {r.status for r in rows(tenant.id, connector=name)} == {SENT}


def test_the_nightly_run_reconciles_yesterday_once_for_each_connector_that_can_be_asked(
    province,
):
    tenant, name, _ = province
    today = utcnow().date()
    assert (tenant.id, name) in reconcile.due(today)

    reconcile.reconcile_nightly.fn()

    assert (tenant.id, name) not in reconcile.due(today)  # done for yesterday: not again


def test_the_cli_reconciles_a_day_and_names_what_it_found(app, province):
    tenant, name, _ = province
    publish(tenant.id, *a_case(tenant.division_code))
    drain(tenant.id)
    day = utcnow().date().isoformat()

    out = app.test_cli_runner().invoke(
        args=["gateway", "reconcile", "--district", tenant.slug, "--connector", name, "--day", day]
    )

    assert out.exit_code == 0, out.output
    assert "sent 2" in out.output and "upstream 2" in out.output and "missing 0" in out.output
