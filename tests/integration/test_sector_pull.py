"""Cases of a ministry's vertical system (market regulation, REST) pulled into a district:
the connector against the simulator on a free port, over real HTTP, on both backends.

Each test pulls from a simulator of its own under a connector name of its own, so that
the district's pull state (watermark, cursor) is the test's alone."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from stdnum.cn import uscc

from tests.integration.conftest import _agency_client
from yimen.connectors.sector.connector import SectorConnector
from yimen.connectors.sector.simulator import serve
from yimen.gateway.outbox.model import OutboxMessage
from yimen.platform.cases.external import service
from yimen.platform.cases.external.model import ExternalCase, ExternalSource
from yimen.platform.cases.record.model import Case, CaseParty
from yimen.platform.cases.record.typed import CaseDecision
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Agency, Tenant
from yimen.platform.kernel.uow import uow

TOKEN = "市场监管-读取令牌".encode().hex()


class Ministry:
    """The simulator in a server thread."""

    def __init__(self, state: Path) -> None:
        self.server = serve(state, {TOKEN})
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.server.app.store.close()

    def put(self, **case) -> dict:
        response = requests.post(f"{self.base}/_admin/cases", json=case, timeout=5)
        response.raise_for_status()
        return response.json()

    def switch(self, **values) -> None:
        requests.post(f"{self.base}/_admin/switches", json=values, timeout=5).raise_for_status()

    def ledger(self) -> list[dict]:
        return requests.get(f"{self.base}/_admin/ledger", timeout=5).json()


@pytest.fixture
def ministry(tmp_path):
    running = Ministry(tmp_path / "sector.db")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def district(own_district, live_server):
    with db.new_session() as s:
        tenant_id = s.execute(
            select(Tenant.id).where(Tenant.slug == own_district["slug"])
        ).scalar_one()
    slug = own_district["slug"]
    return {
        "slug": slug,
        "tenant_id": tenant_id,
        "scjg": _agency_client(live_server, live_server.app, "scjg", ["officer"], slug),
        "zhzf": _agency_client(
            live_server, live_server.app, "zhzf", ["officer", "agency_head"], slug
        ),
        "legal": _agency_client(live_server, live_server.app, "sfj", ["legal_affairs"], slug),
        "admin": _agency_client(live_server, live_server.app, "sfj", ["district_admin"], slug),
    }


@pytest.fixture
def connector():
    return SectorConnector(name=f"sector-{uuid.uuid4().hex[:8]}", page_size=2, timeout=3)


def pull(district, ministry, connector, now=None) -> service.PassReport:
    return service.pull_pass(
        uow, district["tenant_id"], connector, ministry.base, {"token": TOKEN}, now=now
    )


def credit_code() -> str:
    base = "91320102MA" + uuid.uuid4().hex[:7].upper()
    return base + uscc.calc_check_digit(base)


def upstream_case(**changes) -> dict:
    case = {
        "id": f"SCJG-{uuid.uuid4().hex[:10]}",
        "agency_code": "scjg",
        "party": {
            "kind": "organisation",
            "name": "南京某某餐饮管理有限公司",
            "credit_code": credit_code(),
        },
        "matter": {"code": "SC-0101", "name": "销售不符合食品安全标准的食品"},
        "decision_number": f"宁玄市监罚〔2026〕{uuid.uuid4().int % 900 + 100}号",
        "decision_date": "2026-11-20",
        "fine": "15000.00",
        "status": "decided",
    }
    return {**case, **changes}


def rows(district, connector) -> list[ExternalCase]:
    with tenant_scope(district["tenant_id"]), db.new_session() as s:
        return list(
            s.execute(select(ExternalCase).where(ExternalCase.connector == connector.name))
            .scalars()
            .all()
        )


def listed(client, district, who: str, connector) -> list[dict]:
    r = client.get(
        f"/api/v1/external-cases?connector={connector.name}&page_size=100", headers=district[who]
    )
    assert r.status_code == 200, r.json
    return r.json["items"]


def local_case(district, party: str, code: str, number: str, decided_on: dt.date) -> uuid.UUID:
    """A decided case of the district's market regulator, as the case engine keeps it."""
    with tenant_scope(district["tenant_id"]), db.new_session() as s:
        agency = s.execute(select(Agency.id).where(Agency.code == "scjg")).scalar_one()
        case = Case(
            agency_id=agency,
            matter_code="SC-0101",
            status="closed",
            stage="closure",
            decided_on=decided_on,
            facts="销售不符合食品安全标准的食品",
        )
        case.parties.append(CaseParty(kind="organisation", name=party, credit_code=code))
        case.decision = CaseDecision(number=number, decided_on=decided_on, outcome="penalty")
        s.add(case)
        s.commit()
        return case.id


# --- the tests ----------------------------------------------------------------------------


def test_a_case_pulled_twice_is_one_case_and_nothing_goes_back_out(
    client, district, ministry, connector
):
    ministry.put(**upstream_case(id="SCJG-2026-0001"))
    with tenant_scope(district["tenant_id"]), db.new_session() as s:
        outbox_before = s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()

    first = pull(district, ministry, connector)
    second = pull(district, ministry, connector)  # the overlapping window reads it again

    assert (first.finished, first.full, first.created) == (True, True, 1)
    assert (second.finished, second.full, second.created, second.unchanged) == (True, False, 0, 1)
    assert [r.upstream_id for r in rows(district, connector)] == ["SCJG-2026-0001"]
    assert [c["upstream_id"] for c in listed(client, district, "scjg", connector)] == [
        "SCJG-2026-0001"
    ]
    with tenant_scope(district["tenant_id"]), db.new_session() as s:
        outbox_after = s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    assert outbox_after == outbox_before  # never echoed upstream, nor sent anywhere


def test_duplicates_across_pages_and_a_repeated_page_make_one_row_each(
    district, ministry, connector
):
    ids = [ministry.put(**upstream_case())["id"] for _ in range(5)]
    ministry.switch(duplicate_across_pages=True, repeat_page=1)

    report = pull(district, ministry, connector)

    assert report.finished and report.error == ""
    assert sorted(r.upstream_id for r in rows(district, connector)) == sorted(ids)
    assert report.created == 5 and report.unchanged >= 3  # the repeats, stored once
    cursors = [read["cursor"] for read in ministry.ledger()]
    assert len(cursors) != len(set(cursors))  # the simulator did answer one cursor twice


def test_an_update_upstream_updates_the_row_and_an_older_copy_does_not(
    client, district, ministry, connector
):
    case = ministry.put(**upstream_case(status="decided"))
    pull(district, ministry, connector)
    ministry.put(id=case["id"], fine="20000.00", status="executed")

    report = pull(district, ministry, connector)

    assert report.updated == 1
    [row] = rows(district, connector)
    assert (row.fine_fen, row.status) == (2_000_000, "executed")
    # an older copy, read by the nightly full pass, changes nothing
    ministry.put(id=case["id"], fine="1.00", updated_at="2026-01-01T00:00:00+00:00")
    tomorrow_night = dt.datetime.now(dt.UTC).replace(hour=19) + dt.timedelta(days=1)
    nightly = pull(district, ministry, connector, now=tomorrow_night)
    assert nightly.full and nightly.unchanged == 1 and nightly.updated == 0
    [row] = rows(district, connector)
    assert row.fine_fen == 2_000_000
    [shown] = listed(client, district, "legal", connector)
    assert (shown["fine_fen"], shown["status"]) == (2_000_000, "executed")


def test_an_exact_match_links_and_a_fuzzy_one_is_proposed_and_confirmed_by_a_person(
    client, district, ministry, connector
):
    code, number = credit_code(), f"玄市监罚〔2026〕{uuid.uuid4().int % 900 + 100}号"
    ours = local_case(district, "南京鼎味餐饮管理有限公司", code, number, dt.date(2026, 11, 20))
    alike = local_case(
        district, "南京金陵小厨餐饮店", credit_code(), "玄市监罚〔2026〕1号", dt.date(2026, 11, 18)
    )
    exact = ministry.put(
        **upstream_case(
            party={"kind": "organisation", "name": "南京鼎味餐饮管理有限公司", "credit_code": code},
            decision_number=number.replace("〔", "[").replace("〕", "]"),  # written another way
        )
    )
    fuzzy = ministry.put(
        **upstream_case(
            party={"kind": "organisation", "name": "南京金陵小厨餐饮店（个体）", "credit_code": ""},
            decision_date="2026-11-19",
        )
    )

    pull(district, ministry, connector)

    by_id = {r.upstream_id: r for r in rows(district, connector)}
    assert (by_id[exact["id"]].match_state, by_id[exact["id"]].case_id) == ("linked", ours)
    proposed = by_id[fuzzy["id"]]
    assert (proposed.match_state, proposed.case_id) == ("proposed", alike)
    url = f"/api/v1/external-cases/{proposed.id}/match"
    decision = {"case_id": str(alike), "confirm": True}
    # the supervisory roles only read; another agency does not find it
    assert client.post(url, json=decision, headers=district["legal"]).status_code == 403
    assert client.post(url, json=decision, headers=district["zhzf"]).status_code == 404

    r = client.post(url, json=decision, headers=district["scjg"])

    assert r.status_code == 200, r.json
    assert (r.json["match_state"], r.json["case_id"]) == ("confirmed", str(alike))
    assert r.json["matched_by"]
    again = client.post(url, json=decision, headers=district["scjg"])
    assert again.status_code == 409 and again.json["code"] == "no-proposal"


def test_a_rejected_proposal_is_not_proposed_again(client, district, ministry, connector):
    alike = local_case(
        district, "南京秦淮河鲜酒楼", credit_code(), "玄市监罚〔2026〕2号", dt.date(2026, 11, 10)
    )
    case = ministry.put(
        **upstream_case(
            party={"kind": "organisation", "name": "南京秦淮河鲜酒家", "credit_code": ""},
            decision_date="2026-11-11",
        )
    )
    pull(district, ministry, connector)
    [row] = rows(district, connector)
    assert row.match_state == "proposed"

    url = f"/api/v1/external-cases/{row.id}/match"
    bad = client.post(url, json={"confirm": "也许"}, headers=district["scjg"])
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} == {"case_id", "confirm"}
    assert all(e["message"] and e["message_en"] for e in bad.json["errors"])
    r = client.post(url, json={"case_id": str(alike), "confirm": False}, headers=district["scjg"])
    assert r.status_code == 200, r.json
    ministry.put(id=case["id"], status="executed")
    pull(district, ministry, connector)

    [row] = rows(district, connector)
    assert (row.status, row.case_id) == ("executed", None)
    assert row.match_state in ("rejected", "unmatched")


def test_another_agencys_officer_does_not_see_it_and_a_persons_name_is_masked(
    client, district, ministry, connector
):
    person = {"kind": "person", "name": "王小明", "credit_code": ""}
    case = ministry.put(**upstream_case(party=person))
    pull(district, ministry, connector)
    [row] = rows(district, connector)

    assert listed(client, district, "zhzf", connector) == []
    r = client.get(f"/api/v1/external-cases/{row.id}", headers=district["zhzf"])
    assert r.status_code == 404
    [own] = listed(client, district, "scjg", connector)
    [supervised] = listed(client, district, "legal", connector)
    assert own["party_name"] == "王小明"
    assert supervised["party_name"] == "王**"
    assert supervised["upstream_id"] == case["id"]


def test_a_5xx_mid_pass_resumes_from_the_cursor_without_loss(district, ministry, connector):
    ids = [ministry.put(**upstream_case())["id"] for _ in range(5)]
    ministry.switch(fail_after_pages=1, fail_count=1)

    cut_short = pull(district, ministry, connector)

    assert (cut_short.finished, cut_short.pages, cut_short.created) == (False, 1, 2)
    assert "503" in cut_short.error
    with tenant_scope(district["tenant_id"]), db.new_session() as s:
        source = s.execute(
            select(ExternalSource).where(ExternalSource.connector == connector.name)
        ).scalar_one()
        assert source.cursor and source.watermark is None and "503" in source.last_error

    resumed = pull(district, ministry, connector)

    assert resumed.finished and resumed.created == 3
    assert sorted(r.upstream_id for r in rows(district, connector)) == sorted(ids)
    reads = ministry.ledger()
    failed = next(read for read in reads if read["status"] == 503)
    after = reads[reads.index(failed) + 1]
    assert after["cursor"] == failed["cursor"] != ""  # resumed there, not from the start
    assert after["until"] == failed["until"]  # in the same window


def test_the_onward_setting_is_off_until_the_district_administrator_turns_it_on(
    client, district, ministry, connector
):
    pull(district, ministry, connector)
    url = f"/api/v1/external-sources/{connector.name}"

    sources = client.get("/api/v1/external-sources?page_size=100", headers=district["admin"]).json
    mine = next(s for s in sources["items"] if s["connector"] == connector.name)
    assert mine["onward"] is False and mine["watermark"]

    assert client.put(url, json={"onward": True}, headers=district["scjg"]).status_code == 403
    r = client.put(url, json={"onward": True}, headers=district["admin"])
    assert r.status_code == 200, r.json
    assert r.json["onward"] is True
    bad = client.put(url, json={"onward": "perhaps"}, headers=district["admin"])
    assert bad.status_code == 422


def test_the_periodic_job_pulls_for_a_district_that_turned_the_system_on(
    client, district, ministry, connector
):
    from yimen.gateway import pulls
    from yimen.platform.cases.external import tasks

    case = ministry.put(**upstream_case())
    pulls.register(pulls.PullTarget(connector, ministry.base, {"token": TOKEN}))
    try:
        assert [r for r in tasks.pull_all() if r.connector == connector.name] == []  # not on
        r = client.put(
            f"/api/v1/external-sources/{connector.name}",
            json={"onward": False},
            headers=district["admin"],
        )
        assert r.status_code == 200, r.json

        [report] = [r for r in tasks.pull_all() if r.connector == connector.name]
    finally:
        pulls._targets.pop(connector.name, None)

    assert report.finished and report.created == 1
    assert [r.upstream_id for r in rows(district, connector)] == [case["id"]]


def test_a_wrong_token_stores_nothing_and_the_pass_waits_for_the_right_one(
    district, ministry, connector
):
    case = ministry.put(**upstream_case())

    refused = service.pull_pass(
        uow, district["tenant_id"], connector, ministry.base, {"token": "wrong"}
    )

    assert not refused.finished and "401" in refused.error
    assert rows(district, connector) == []
    right = pull(district, ministry, connector)
    assert right.finished and right.full  # the same first pass, taken up again
    assert [r.upstream_id for r in rows(district, connector)] == [case["id"]]


def test_the_simulator_checks_what_it_is_given_and_who_reads(ministry):
    bad = requests.post(
        f"{ministry.base}/_admin/cases", json={"id": "X1", "fine": "很多"}, timeout=5
    )
    assert bad.status_code == 422
    assert requests.get(f"{ministry.base}/cases", timeout=5).status_code == 401
    r = requests.get(
        f"{ministry.base}/cases?limit=0", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert r.status_code == 400
    assert [read["status"] for read in ministry.ledger()] == [401, 400]


def test_the_nightly_pass_links_a_case_the_district_entered_after_it_was_pulled(
    district, ministry, connector
):
    code, number = credit_code(), f"玄市监罚〔2026〕{uuid.uuid4().int % 900 + 100}号"
    party = {"kind": "organisation", "name": "南京后录餐饮有限公司", "credit_code": code}
    ministry.put(**upstream_case(party=party, decision_number=number))
    pull(district, ministry, connector)
    [row] = rows(district, connector)
    assert row.match_state == "unmatched"
    ours = local_case(district, "南京后录餐饮有限公司", code, number, dt.date(2026, 11, 20))

    pull(district, ministry, connector)  # a window: the case did not change upstream
    assert rows(district, connector)[0].match_state == "unmatched"
    tomorrow_night = dt.datetime.now(dt.UTC).replace(hour=19) + dt.timedelta(days=1)
    nightly = pull(district, ministry, connector, now=tomorrow_night)

    assert nightly.full
    [row] = rows(district, connector)
    assert (row.match_state, row.case_id) == ("linked", ours)


def test_the_same_case_twice_in_one_page_is_one_row_with_the_newer_copy(district, connector):
    from yimen.connectors.sector.connector import _case

    item = upstream_case(updated_at="2026-12-01T02:00:00+00:00", status="decided")
    newer = {**item, "updated_at": "2026-12-01T02:05:00+00:00", "status": "executed"}
    with uow.for_tenant(district["tenant_id"]) as tx:
        outcomes = [
            service.record_pulled(tx.session, connector.name, _case(i)) for i in (item, newer, item)
        ]
        tx.commit()

    assert outcomes == ["created", "updated", "unchanged"]
    [row] = rows(district, connector)
    assert row.status == "executed"
