"""The gateway delivers a district's integration events to the upstream systems it has
turned on: in order per case, exactly once in effect, surviving a poison record, an
ambiguous failure and an upstream that is down — against a real HTTP upstream."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from sqlalchemy import select, text, update

from tests.upstream import RestConnector, Upstream, serve
from yimen.gateway import contracts as c
from yimen.gateway.delivery import engine, guards, routing, service
from yimen.gateway.delivery.model import DEAD, HELD, PENDING, SENT, SKIPPED, GatewayDelivery
from yimen.platform.kernel.db import db, tenant_scope, utcnow
from yimen.platform.kernel.uow import uow

CASE_TYPES = (c.CaseFiled.TYPE, c.CaseStageChanged.TYPE, c.PenaltyDecided.TYPE)


@pytest.fixture
def district(app, new_district):
    return new_district("网关测试区").id


@pytest.fixture
def upstream():
    up = Upstream()
    server = serve(up)
    yield up
    server.shutdown()


@pytest.fixture
def connector(app):
    """Defines a connector in the region (a name of this test's own) and registers the
    REST adapter for it."""
    made = []

    def make(event_types=CASE_TYPES, rate: str = "") -> str:
        name = f"up{uuid.uuid4().hex[:10]}"
        service.define_connector(
            uow,
            service.DefineConnector(
                name, "rest", "测试上级系统", "Test upstream", tuple(event_types), rate_limit=rate
            ),
        )
        engine.register(RestConnector(name))
        made.append(name)
        return name

    yield make
    for name in made:
        engine.unregister(name)


@pytest.fixture
def few_attempts(monkeypatch):
    monkeypatch.setattr(engine, "MAX_ATTEMPTS", 3)


def subscribe(tenant_id, name, upstream, **settings):
    service.configure_subscription(
        uow,
        tenant_id,
        service.ConfigureSubscription(
            name,
            True,
            "admin",
            endpoint=upstream.url,
            credentials={"token": upstream.token},
            **settings,
        ),
    )


def case_event(case_id, sequence, agency="zhzf", origin=c.ORIGIN_SELF) -> c.CaseEvent:
    common = dict(
        aggregate_id=case_id,
        sequence=sequence,
        agency_code=agency,
        occurred_at=utcnow(),
        origin=origin,
        case_number=f"明综执罚〔2026〕{sequence}号",
        matter_code="330217001000",
        district_code="320102",
    )
    if sequence == 1:
        party = c.Party(
            kind="person", name="王小明", id_type="resident_id", id_number="11010519491231002X"
        )
        return c.CaseFiled(
            **common,
            source="complaint",
            title="无证经营",
            procedure="general",
            filed_on=dt.date(2026, 11, 24),
            officers_certificates=("32010001", "32010002"),
            major=False,
            criminal=False,
            parties=(party,),
        )
    return c.CaseStageChanged(**common, stage=f"stage{sequence}", on=dt.date(2026, 11, 24))


def publish(tenant_id, *events) -> None:
    with uow.for_tenant(tenant_id) as tx:
        for event in events:
            routing.publish(tx.session, event)
        tx.commit()


def rows(tenant_id, **where) -> list[GatewayDelivery]:
    with tenant_scope(tenant_id), db.new_session() as s:
        query = select(GatewayDelivery).order_by(
            GatewayDelivery.aggregate_key, GatewayDelivery.sequence
        )
        for name, value in where.items():
            query = query.where(getattr(GatewayDelivery, name) == value)
        return list(s.execute(query).scalars())


def time_passes(tenant_id) -> None:
    """Every pending row is due now (its backoff has run out)."""
    with tenant_scope(tenant_id), db.new_session() as s:
        s.execute(
            update(GatewayDelivery)
            .where(GatewayDelivery.status == PENDING)
            .values(next_attempt_at=utcnow() - dt.timedelta(seconds=1))
        )
        s.commit()


def drain(tenant_id, rounds: int = 15) -> engine.BatchResult:
    total = engine.BatchResult()
    for _ in range(rounds):
        result = engine.run_batch(only=[tenant_id])
        total.outcomes.update(result.outcomes)
        if not result.handled:
            break
        time_passes(tenant_id)
    return total


# -- routing ---------------------------------------------------------------------------


def test_an_event_goes_to_each_matching_subscription_once_and_never_back_to_its_origin(
    district, connector, upstream
):
    everyone, market, switched_off = connector(), connector(), connector()
    subscribe(district, everyone, upstream)
    subscribe(district, market, upstream, agency_codes=("scjg",))
    service.configure_subscription(
        uow,
        district,
        service.ConfigureSubscription(switched_off, False, "admin", endpoint=upstream.url),
    )
    ours, theirs, pulled = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    by_enforcement = case_event(ours, 1, agency="zhzf")
    by_market = case_event(theirs, 1, agency="scjg")
    from_market_system = case_event(pulled, 1, agency="scjg", origin=market)
    publish(district, by_enforcement, by_market, from_market_system)
    publish(district, by_enforcement, by_market)  # the use case retried: nothing new

    routed = {(r.aggregate_key, r.connector) for r in rows(district)}
    assert routed == {
        (f"case:{ours}", everyone),
        (f"case:{theirs}", everyone),
        (f"case:{theirs}", market),
        (f"case:{pulled}", everyone),  # never back to the market system it came from
    }
    assert {r.key for r in rows(district)} >= {f"{by_market.event_id}:{market}"}


# -- order, dead letters, re-drive -----------------------------------------------------


def test_a_dead_record_holds_the_later_records_of_its_case_until_redriven(
    district, connector, upstream, few_attempts
):
    name = connector()
    subscribe(district, name, upstream)
    stuck, fine = uuid.uuid4(), uuid.uuid4()
    filing = case_event(stuck, 1)
    upstream.poison.add(str(filing.event_id))
    publish(district, filing, case_event(fine, 1))
    publish(district, case_event(stuck, 2), case_event(fine, 2))
    publish(district, case_event(stuck, 3))

    drain(district)

    stuck_rows = rows(district, aggregate_key=f"case:{stuck}")
    assert [(r.sequence, r.status) for r in stuck_rows] == [(1, DEAD), (2, HELD), (3, HELD)]
    assert stuck_rows[0].attempts == 3 and "503" in stuck_rows[0].last_error
    assert stuck_rows[0].payload["parties"][0]["name"] == "王小明"  # kept for the re-drive
    assert upstream.sequences(str(fine)) == [1, 2]
    assert upstream.sequences(str(stuck)) == []  # never the stage before the filing

    upstream.poison.clear()  # the upstream is fixed
    assert service.redrive(uow, district, service.Redrive(by="admin", ids=(stuck_rows[0].id,))) == 1
    drain(district)

    assert [r.status for r in rows(district, aggregate_key=f"case:{stuck}")] == [SENT] * 3
    assert upstream.sequences(str(stuck)) == [1, 2, 3]


def test_a_person_may_skip_a_dead_record_and_the_held_ones_go_on(
    district, connector, upstream, few_attempts
):
    name = connector()
    subscribe(district, name, upstream)
    case_id = uuid.uuid4()
    filing = case_event(case_id, 1)
    upstream.refuse.add(str(filing.event_id))  # the upstream will never take this one
    publish(district, filing, case_event(case_id, 2))
    drain(district)
    dead, held = rows(district)
    assert (dead.status, held.status, dead.attempts) == (DEAD, HELD, 1)  # a refusal: no retry

    service.skip(uow, district, service.Skip(dead.id, "admin", "上级系统已人工录入"))
    drain(district)

    assert [r.status for r in rows(district)] == [SKIPPED, SENT]
    assert upstream.sequences(str(case_id)) == [2]


def test_a_poison_record_is_dead_lettered_while_the_others_are_delivered(
    district, connector, upstream, few_attempts
):
    name = connector()
    subscribe(district, name, upstream)
    events = [case_event(uuid.uuid4(), 1) for _ in range(40)]
    upstream.poison.add(str(events[7].event_id))
    publish(district, *events)

    drain(district)

    statuses = {r.event_id: r.status for r in rows(district)}
    assert statuses.pop(events[7].event_id) == DEAD
    assert set(statuses.values()) == {SENT} and len(statuses) == 39
    assert len(upstream.records) == 39


# -- exactly once in effect ------------------------------------------------------------


def test_after_an_ambiguous_failure_the_upstream_is_asked_before_sending_again(
    district, connector, upstream
):
    name = connector()
    subscribe(district, name, upstream)
    event = case_event(uuid.uuid4(), 1)
    upstream.drop_after_commit = 1  # kept upstream, but the reply never comes
    publish(district, event)

    first = engine.run_batch(only=[district])
    (row,) = rows(district)
    assert first.outcomes["retry"] == 1 and row.in_doubt and row.status == PENDING
    time_passes(district)
    engine.run_batch(only=[district])

    (row,) = rows(district)
    assert row.status == SENT and row.upstream_ref == "UP00001"
    assert upstream.count(str(event.event_id)) == 1 and upstream.finds == 1


def test_a_row_whose_worker_died_mid_call_is_checked_with_the_upstream_when_its_lease_ends(
    district, connector, upstream
):
    name = connector()
    subscribe(district, name, upstream)
    event = case_event(uuid.uuid4(), 1)
    publish(district, event)
    (ticket,) = engine.claim(district, 10)  # claimed and sent, then the worker was killed
    upstream.records.append({"id": "UP09999", "reference": str(event.event_id), "payload": {}})
    assert engine.run_batch(only=[district]).handled == 0  # leased: nobody else takes it
    with tenant_scope(district), db.new_session() as s:  # … and the lease runs out
        s.execute(update(GatewayDelivery).values(next_attempt_at=utcnow()))
        s.commit()

    engine.run_batch(only=[district])

    (row,) = rows(district)
    assert (row.status, row.upstream_ref) == (SENT, "UP09999")
    assert upstream.count(str(event.event_id)) == 1


# -- breaker, rate, fairness -----------------------------------------------------------


@pytest.fixture
def quick_breaker():
    guards.configure(fail_max=3, reset_timeout=1.0)
    yield guards.guards()
    guards.configure()


def test_the_breaker_opens_after_consecutive_failures_and_closes_when_the_upstream_is_back(
    district, connector, upstream, quick_breaker
):
    name = connector()
    subscribe(district, name, upstream)
    publish(district, *[case_event(uuid.uuid4(), 1) for _ in range(10)])
    upstream.down = True

    first = engine.run_batch(only=[district])

    assert first.outcomes["retry"] == 3  # then the breaker opened: the rest wait
    assert quick_breaker.state_of(name).state == "open"
    assert sorted(r.attempts for r in rows(district)) == [0] * 7 + [1] * 3
    time_passes(district)
    assert engine.run_batch(only=[district]).handled == 0  # open: nothing claimed

    upstream.down = False
    time.sleep(1.05)  # the cool-down: half-open, one trial
    time_passes(district)
    engine.run_batch(only=[district])

    assert quick_breaker.state_of(name).state == "closed"
    assert [r.status for r in rows(district)] == [SENT] * 10


def test_a_connectors_rate_limit_defers_the_rest_without_spending_attempts(
    district, connector, upstream
):
    name = connector(rate="5/minute")
    subscribe(district, name, upstream)
    publish(district, *[case_event(uuid.uuid4(), 1) for _ in range(8)])

    result = engine.run_batch(only=[district])

    assert result.outcomes["sent"] == 5 and len(upstream.records) == 5
    waiting = rows(district, status=PENDING)
    assert len(waiting) == 3 and {r.attempts for r in waiting} == {0}


def test_one_districts_backlog_does_not_delay_anothers_live_records(
    app, new_district, connector, upstream
):
    busy, quiet = new_district("积压区").id, new_district("安静区").id
    name = connector()
    subscribe(busy, name, upstream)
    subscribe(quiet, name, upstream)
    publish(busy, *[case_event(uuid.uuid4(), 1) for _ in range(120)])
    publish(quiet, *[case_event(uuid.uuid4(), 1) for _ in range(3)])

    result = engine.run_batch(limit=30, per_district=10, only=[busy, quiet])

    assert result.by_district[quiet] == 3 and result.by_district[busy] == 27
    assert {r.status for r in rows(quiet)} == {SENT}


# -- credentials -----------------------------------------------------------------------


def test_credentials_reach_the_upstream_but_are_not_readable_in_the_database(
    district, connector, upstream
):
    name = connector()
    subscribe(district, name, upstream)
    publish(district, case_event(uuid.uuid4(), 1))
    drain(district)
    assert upstream.seen_tokens[-1] == f"Bearer {upstream.token}"

    with tenant_scope(district), db.new_session() as s:
        stored = s.execute(
            text("SELECT credentials FROM gateway_subscription WHERE connector = :c"), {"c": name}
        ).scalar_one()
    assert stored and upstream.token not in stored and "token" not in stored


# -- the district administrator's API -------------------------------------------------


@pytest.fixture
def admin_of(machine_token):
    from tests.conftest import bearer

    return lambda tenant, roles=("district_admin",): bearer(machine_token(tenant.slug, list(roles)))


def test_the_administrator_turns_a_connector_on_sees_a_dead_letter_masked_and_redrives_it(
    app, client, new_district, connector, upstream, admin_of, few_attempts
):
    tenant = new_district("对接区")
    admin, name = admin_of(tenant), connector()
    body = {"enabled": True, "endpoint": upstream.url, "credentials": {"token": upstream.token}}

    turned_on = client.put(f"/api/v1/gateway/subscriptions/{name}", json=body, headers=admin)
    listed = client.get("/api/v1/gateway/subscriptions", headers=admin)

    assert turned_on.status_code == 200, turned_on.json
    assert turned_on.json["enabled"] and turned_on.json["has_credentials"]
    mine = next(s for s in listed.json["items"] if s["connector"] == name)
    assert mine["has_credentials"] and "credentials" not in mine
    filing = case_event(uuid.uuid4(), 1)
    upstream.poison.add(str(filing.event_id))
    publish(tenant.id, filing)
    drain(tenant.id)

    dead = client.get("/api/v1/gateway/dead-letters", headers=admin).json["items"]
    health = client.get("/api/v1/gateway/health", headers=admin).json["items"]
    answers = [turned_on, listed]
    assert [d["status"] for d in dead] == [DEAD] and "503" in dead[0]["last_error"]
    party = dead[0]["payload"]["parties"][0]
    assert party["name"] == "王**" and party["id_number"] == "110*************2X"
    assert next(h for h in health if h["connector"] == name)["dead"] == 1

    upstream.poison.clear()
    redriven = client.post(
        "/api/v1/gateway/deliveries/redrive", json={"ids": [dead[0]["id"]]}, headers=admin
    )
    drain(tenant.id)
    sent = client.get("/api/v1/gateway/deliveries?status=sent", headers=admin)

    assert redriven.json == {"redriven": 1}
    assert [(d["id"], d["upstream_ref"]) for d in sent.json["items"]] == [
        (dead[0]["id"], "UP00001")
    ]
    for answer in [*answers, redriven, sent]:
        assert upstream.token not in answer.get_data(as_text=True)


def test_bad_subscriptions_are_refused_field_by_field_and_officers_may_not_touch_the_gateway(
    app, client, new_district, connector, admin_of
):
    tenant = new_district("对接区")
    admin, name = admin_of(tenant), connector(event_types=(c.CaseFiled.TYPE,))
    url = f"/api/v1/gateway/subscriptions/{name}"

    unknown_type = client.put(
        url, json={"enabled": True, "event_types": ["case.eaten"]}, headers=admin
    )
    not_offered = client.put(
        url,
        json={"enabled": True, "event_types": [c.CaseClosed.TYPE], "endpoint": "http://x.gov.cn"},
        headers=admin,
    )
    not_a_url = client.put(url, json={"enabled": True, "endpoint": "ftp://x"}, headers=admin)
    officer = client.get("/api/v1/gateway/subscriptions", headers=admin_of(tenant, ["officer"]))
    nowhere = client.put(
        "/api/v1/gateway/subscriptions/nosuch", json={"enabled": False}, headers=admin
    )

    for refused, field in (
        (unknown_type, "event_types"),
        (not_offered, "event_types"),
        (not_a_url, "endpoint"),
    ):
        assert refused.status_code == 422, refused.json
        assert field in str(refused.json)
    assert officer.status_code == 403 and nowhere.status_code == 404
    listed = client.get("/api/v1/gateway/subscriptions", headers=admin).json["items"]
    assert not next(s for s in listed if s["connector"] == name)["enabled"]  # nothing written


# -- the command line ------------------------------------------------------------------


def test_the_cli_redrives_a_districts_dead_letters_and_rotates_the_credentials_key(
    app, new_district, connector, upstream, few_attempts, tmp_path
):
    from cryptography.fernet import Fernet

    from yimen.gateway.delivery import secrets

    tenant, name = new_district("命令行区"), connector()
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    previous = secrets.keyring()
    try:
        secrets.configure(tmp_path, {"YIMEN_GATEWAY_KEYS": old_key})
        subscribe(tenant.id, name, upstream)
        upstream.down = True
        publish(tenant.id, case_event(uuid.uuid4(), 1))
        drain(tenant.id)
        upstream.down = False
        cli = app.test_cli_runner()

        secrets.configure(tmp_path, {"YIMEN_GATEWAY_KEYS": f"{new_key},{old_key}"})
        rotated = cli.invoke(args=["gateway", "rotate-keys", "--district", tenant.slug])
        secrets.configure(tmp_path, {"YIMEN_GATEWAY_KEYS": new_key})  # the old key dropped
        redriven = cli.invoke(args=["gateway", "redrive", tenant.slug, "--all"])
        drain(tenant.id)

        assert rotated.exit_code == 0 and "re-encrypted" in rotated.output
        assert redriven.exit_code == 0 and "1 re-driven" in redriven.output
        assert [r.status for r in rows(tenant.id)] == [SENT]  # opened with the new key alone
        assert upstream.seen_tokens[-1] == f"Bearer {upstream.token}"
    finally:
        secrets._ring = previous  # noqa: SLF001 - the app's keys again


def test_two_workers_at_once_deliver_each_record_exactly_once(district, connector, upstream):
    import threading

    name = connector()
    subscribe(district, name, upstream)
    events = [case_event(uuid.uuid4(), 1) for _ in range(60)]
    publish(district, *events)
    upstream.reply_delay = 0.01
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                engine.run_batch(limit=20, per_district=5, only=[district])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert {r.status for r in rows(district)} == {SENT}
    assert sorted(r["reference"] for r in upstream.records) == sorted(
        str(e.event_id) for e in events
    )


def test_a_district_cannot_see_redrive_or_skip_anothers_deliveries(
    app, client, new_district, connector, upstream, admin_of, few_attempts
):
    mine, theirs = new_district("甲区"), new_district("乙区")
    name = connector()
    subscribe(theirs.id, name, upstream)
    upstream.down = True
    publish(theirs.id, case_event(uuid.uuid4(), 1))
    drain(theirs.id)
    upstream.down = False
    (dead,) = rows(theirs.id)
    admin = admin_of(mine)

    listed = client.get("/api/v1/gateway/deliveries", headers=admin).json
    letters = client.get("/api/v1/gateway/dead-letters", headers=admin).json
    redrive = client.post(
        "/api/v1/gateway/deliveries/redrive", json={"ids": [str(dead.id)]}, headers=admin
    )
    skip = client.post(
        f"/api/v1/gateway/deliveries/{dead.id}/skip", json={"reason": "不要了"}, headers=admin
    )
    everything = client.post(
        "/api/v1/gateway/deliveries/redrive", json={"every_dead": True}, headers=admin
    )

    assert listed["total"] == 0 and letters["total"] == 0
    assert (redrive.status_code, skip.status_code) == (404, 404)
    assert everything.json == {"redriven": 0}
    assert rows(theirs.id)[0].status == DEAD


def test_a_commit_that_published_asks_for_a_batch_at_once_a_rollback_does_not(
    district, connector, upstream, monkeypatch
):
    from yimen.gateway.delivery import tasks

    name = connector()
    subscribe(district, name, upstream)
    broker = tasks.deliver_batch.broker
    if not hasattr(broker, "flush"):
        pytest.skip("the live server's stub broker is not the current one")
    broker.flush("yimen.gateway")
    monkeypatch.setattr(tasks, "_last", 0.0)

    with uow.for_tenant(district) as tx:
        routing.publish(tx.session, case_event(uuid.uuid4(), 1))  # … and the act failed
    rolled_back = broker.queues["yimen.gateway"].qsize()
    publish(district, case_event(uuid.uuid4(), 1))

    assert rolled_back == 0 and broker.queues["yimen.gateway"].qsize() == 1
    assert len(rows(district)) == 1
    broker.flush("yimen.gateway")


def test_a_doubt_outlives_a_failed_question_so_the_record_is_still_not_sent_twice(
    district, connector, upstream
):
    name = connector()
    subscribe(district, name, upstream)
    event = case_event(uuid.uuid4(), 1)
    upstream.drop_after_commit = 1
    publish(district, event)
    engine.run_batch(only=[district])  # kept upstream, reply lost
    upstream.down = True
    time_passes(district)
    engine.run_batch(only=[district])  # the question fails too
    upstream.down = False
    time_passes(district)
    engine.run_batch(only=[district])

    (row,) = rows(district)
    assert (row.status, row.attempts) == (SENT, 3)
    assert upstream.count(str(event.event_id)) == 1


def test_a_connector_turned_off_keeps_its_rows_waiting_without_spending_attempts(
    district, connector, upstream
):
    name = connector()
    subscribe(district, name, upstream)
    publish(district, case_event(uuid.uuid4(), 1))
    service.configure_subscription(
        uow, district, service.ConfigureSubscription(name, False, "admin", endpoint=upstream.url)
    )

    assert engine.run_batch(only=[district]).outcomes["paused"] == 1
    (row,) = rows(district)
    assert (row.status, row.attempts, upstream.records) == (PENDING, 0, [])
    subscribe(district, name, upstream)
    time_passes(district)
    engine.run_batch(only=[district])
    assert rows(district)[0].status == SENT


def test_the_platform_operator_offers_a_connector_from_the_command_line(
    app, client, new_district, admin_of
):
    name = f"cli{uuid.uuid4().hex[:8]}"
    cli = app.test_cli_runner()
    offer = ["gateway", "define-connector", name, "--kind", "soap", "--label-zh", "省执法监督平台"]
    offer += ["--label-en", "Provincial supervision", "--endpoint", "http://prov.example.gov.cn"]

    wrong = cli.invoke(args=[*offer, "--event-type", "case.eaten"])
    right = cli.invoke(args=[*offer, "--event-type", c.CaseFiled.TYPE, "--rate", "20/second"])
    listed = client.get("/api/v1/gateway/subscriptions", headers=admin_of(new_district("新区")))

    assert wrong.exit_code == 1 and "event_types" in wrong.output and "case.eaten" in wrong.output
    assert right.exit_code == 0, right.output
    offered = next(s for s in listed.json["items"] if s["connector"] == name)
    assert offered["label"] == {"zh": "省执法监督平台", "en": "Provincial supervision"}
    assert offered["offered_event_types"] == [c.CaseFiled.TYPE] and not offered["enabled"]
