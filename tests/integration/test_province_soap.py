"""The provincial supervision platform over real SOAP: the connector (zeep) against the
contract-first simulator on a free port, each with the vendored WSDL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from tests.support import free_port
from yimen.connectors.province.connector import ProvinceConnector
from yimen.connectors.province.simulator import PATH, WSDL, serve
from yimen.gateway import contracts
from yimen.gateway.ports import AmbiguousDelivery, ConnectorError, Outbound

USERS = {"xuanwu": "省平台口令-2026"}
BINDING = "{urn:cn:gov:province:zfjd:supervision:1}SupervisionBinding"


class Platform:
    """The simulator in a server thread, restartable on the same state file."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.start()

    def start(self) -> None:
        self.server = serve(self.state, USERS)
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.url = self.base + PATH
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.server.app.store.close()

    def switch(self, **values) -> None:
        requests.post(f"{self.base}/_admin/switches", json=values, timeout=5).raise_for_status()

    def ledger(self, reference: str) -> list[str]:
        effects = requests.get(f"{self.base}/_admin/ledger", timeout=5).json()
        return [e["effect"] for e in effects.get(reference, [])]


@pytest.fixture
def platform(tmp_path):
    running = Platform(tmp_path / "province.db")
    yield running
    running.stop()


@pytest.fixture
def connector():
    return ProvinceConnector(source_system="yimen-xuanwu", timeout=2.0)


def case_filed(case_id: uuid.UUID, **changes) -> contracts.CaseFiled:
    fields = dict(
        aggregate_id=case_id,
        sequence=1,
        agency_code="320102-ZHZF",
        occurred_at=dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC),
        case_number="玄综执立〔2026〕17号",
        matter_code="C2370100",
        district_code="320102",
        source="patrol",
        title="南京某餐饮管理有限公司占道经营案",
        procedure="general",
        filed_on=dt.date(2026, 12, 1),
        officers_certificates=("32010220001", "32010220002"),
        major=False,
        criminal=False,
        parties=(
            contracts.Party(
                kind="organisation",
                name="南京某餐饮管理有限公司",
                id_type="credit_code",
                id_number="91110108551385082Q",
                address="南京市玄武区中山路 18 号",
            ),
        ),
    )
    return contracts.CaseFiled(**{**fields, **changes})


def decided(case_id: uuid.UUID, sequence: int = 5) -> contracts.PenaltyDecided:
    return contracts.PenaltyDecided(
        aggregate_id=case_id,
        sequence=sequence,
        agency_code="320102-ZHZF",
        occurred_at=dt.datetime(2026, 12, 20, 2, 0, tzinfo=dt.UTC),
        case_number="玄综执立〔2026〕17号",
        matter_code="C2370100",
        district_code="320102",
        document_number="玄综执罚决字〔2026〕9号",
        decided_on=dt.date(2026, 12, 20),
        kinds=("warning", "fine"),
        fine_fen=150_000,
        confiscation_fen=0,
        benchmark_code="JS-C2370100-2",
        benchmark_version="2025.1",
        publish_by=dt.date(2026, 12, 29),
    )


def outbound(platform: Platform, event, password: str = USERS["xuanwu"]) -> Outbound:
    return Outbound(
        connector="province",
        topic=event.TYPE,
        payload=event.payload(),
        idempotency_key=f"{event.event_id}:province",
        reference=str(event.aggregate_id),
        endpoint=platform.url,
        credentials={"username": "xuanwu", "password": password},
    )


def raw_service(platform: Platform, token: UsernameToken | None = None):
    client = zeep.Client(
        str(WSDL),
        transport=Transport(timeout=2),
        wsse=token or UsernameToken("xuanwu", USERS["xuanwu"], use_digest=True),
    )
    return client.create_service(BINDING, platform.url)


def test_a_case_and_each_of_its_stages_reach_the_platform_once_and_in_order(platform, connector):
    case_id = uuid.uuid4()
    base = decided(case_id)
    common = {
        k: getattr(base, k)
        for k in ("aggregate_id", "agency_code", "case_number", "matter_code", "district_code")
    }
    at = dt.datetime(2026, 12, 21, tzinfo=dt.UTC)
    events = [
        case_filed(case_id),
        contracts.CaseStageChanged(
            **common,
            sequence=3,
            occurred_at=at,
            stage="legal_review",
            on=dt.date(2026, 12, 18),
            legal_review_on=dt.date(2026, 12, 18),
        ),
        base,
        contracts.CaseStageChanged(
            **common, sequence=6, occurred_at=at, stage="service", on=dt.date(2026, 12, 21)
        ),
        contracts.DecisionRevoked(
            **common,
            sequence=7,
            occurred_at=at,
            document_number=base.document_number,
            revoked_on=dt.date(2026, 12, 22),
            ground="行政复议决定撤销",
        ),
        contracts.CaseClosed(
            **common, sequence=8, occurred_at=at, closed_on=dt.date(2026, 12, 23), outcome="revoked"
        ),
    ]
    receipts = {connector.deliver(outbound(platform, event)) for event in events}

    assert len(receipts) == 1 and receipts.pop().startswith("ZFJD320102")
    assert platform.ledger(str(case_id)) == [
        "case:insert",
        "stage:progress",
        "stage:decision",
        "stage:service",
        "stage:revocation",
        "stage:closure",
    ]
    record = raw_service(platform).QueryByReference(
        sourceSystem="yimen-xuanwu", externalRef=str(case_id)
    )
    assert record.dataVersion == 8 and record.op == "update"
    assert [s.updateId for s in record.stage] == [str(e.event_id) for e in events[1:]]


def test_query_since_pages_through_what_changed_for_reconciliation(platform, connector):
    refs = [uuid.uuid4() for _ in range(3)]
    for ref in refs:
        connector.deliver(outbound(platform, case_filed(ref)))
    service = raw_service(platform)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)

    first = service.QuerySince(sourceSystem="yimen-xuanwu", since=since, pageSize=2)
    second = service.QuerySince(
        sourceSystem="yimen-xuanwu", since=since, pageSize=2, pageToken=first.nextPageToken
    )
    later = service.QuerySince(
        sourceSystem="yimen-xuanwu",
        since=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        pageSize=2,
    )

    assert [r.externalRef for r in first.record + second.record] == [str(r) for r in refs]
    assert second.nextPageToken is None and later.record == []


def test_a_wrong_password_is_refused_and_not_retried(platform, connector):
    with pytest.raises(ConnectorError) as refused:
        connector.deliver(outbound(platform, case_filed(uuid.uuid4()), password="guess"))
    assert refused.value.retryable is False and "AUTH" in str(refused.value)


def test_a_replayed_security_header_is_refused(platform):
    created = dt.datetime.now(dt.UTC)
    token = UsernameToken(
        "xuanwu", USERS["xuanwu"], use_digest=True, nonce="once-only-nonce", created=created
    )
    service = raw_service(platform, token)
    service.QueryByReference(sourceSystem="yimen-xuanwu", externalRef="nothing-yet")
    with pytest.raises(zeep.exceptions.Fault) as replayed:
        service.QueryByReference(sourceSystem="yimen-xuanwu", externalRef="nothing-yet")
    assert "replay" in replayed.value.message


def test_already_there_counts_as_delivered_with_their_id(platform, connector):
    case_id = uuid.uuid4()
    first = connector.deliver(outbound(platform, case_filed(case_id)))
    again = connector.deliver(outbound(platform, case_filed(case_id)))  # a new event id
    assert again == first
    assert platform.ledger(str(case_id)) == ["case:insert"]


def test_a_reply_dropped_after_commit_is_ambiguous_and_find_stops_a_second_effect(
    platform, connector
):
    case_id = uuid.uuid4()
    filed = outbound(platform, case_filed(case_id))
    platform.switch(drop_after_commit=1)
    with pytest.raises(AmbiguousDelivery):
        connector.deliver(filed)
    assert connector.find(filed) is not None

    # an update to a platform that ignores update ids: find is all that stands between
    # a resend and a second decision
    decision = outbound(platform, decided(case_id))
    platform.switch(drop_after_commit=1, ignore_update_id=True)
    assert connector.find(decision) is None
    with pytest.raises(AmbiguousDelivery):
        connector.deliver(decision)
    assert connector.find(decision) == connector.find(filed)
    assert platform.ledger(str(case_id)) == ["case:insert", "stage:decision"]


def test_an_update_sent_twice_is_applied_once_unless_the_platform_ignores_update_ids(
    platform, connector
):
    case_id = uuid.uuid4()
    connector.deliver(outbound(platform, case_filed(case_id)))
    decision = outbound(platform, decided(case_id))
    connector.deliver(decision)
    connector.deliver(decision)
    assert platform.ledger(str(case_id)) == ["case:insert", "stage:decision"]
    platform.switch(ignore_update_id=True)
    connector.deliver(decision)
    assert platform.ledger(str(case_id)).count("stage:decision") == 2


def test_a_hung_platform_is_ambiguous_and_a_resend_after_find_applies_once(platform):
    connector = ProvinceConnector(source_system="yimen-xuanwu", timeout=0.3)
    case_id = uuid.uuid4()
    filed = outbound(platform, case_filed(case_id))
    platform.switch(hang=0.6)
    with pytest.raises(AmbiguousDelivery):
        connector.deliver(filed)
    platform.switch(hang=0)
    assert connector.find(filed) is None  # it hung before applying anything
    connector.deliver(filed)
    assert platform.ledger(str(case_id)) == ["case:insert"]


@pytest.mark.parametrize(
    "switches",
    [
        {"error_rate": 1.0},
        {"down_until": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()},
    ],
    ids=["5xx", "down for an hour"],
)
def test_an_outage_is_retryable_and_changes_nothing(platform, connector, switches):
    case_id = uuid.uuid4()
    platform.switch(**switches)
    with pytest.raises(ConnectorError) as outage:
        connector.deliver(outbound(platform, case_filed(case_id)))
    assert outage.value.retryable is True and not isinstance(outage.value, AmbiguousDelivery)
    assert "503" in str(outage.value)
    assert platform.ledger(str(case_id)) == []


def test_an_unreachable_platform_is_retryable_and_not_ambiguous(connector, tmp_path):
    closed = Outbound(
        connector="province",
        topic="case.filed",
        payload=case_filed(uuid.uuid4()).payload(),
        idempotency_key="k",
        endpoint=f"http://127.0.0.1:{free_port()}{PATH}",
        credentials={"username": "xuanwu", "password": "x"},
    )
    with pytest.raises(ConnectorError) as unreachable:
        connector.deliver(closed)
    assert unreachable.value.retryable and not isinstance(unreachable.value, AmbiguousDelivery)


def test_an_invalid_record_is_not_retried_and_says_what_the_schema_refused(platform, connector):
    case_id = uuid.uuid4()
    with pytest.raises(ConnectorError) as invalid:
        connector.deliver(outbound(platform, case_filed(case_id, case_number="")))
    assert invalid.value.retryable is False
    assert "INVALID" in str(invalid.value) and "caseNumber" in str(invalid.value)
    assert "minLength" in str(invalid.value)
    assert platform.ledger(str(case_id)) == []


def test_a_refused_party_number_does_not_reach_the_error_message(platform, connector):
    person = contracts.Party(
        kind="person", name="张三", id_type="resident_id", id_number="11010519491231002X（旧）"
    )
    with pytest.raises(ConnectorError) as invalid:
        connector.deliver(outbound(platform, case_filed(uuid.uuid4(), parties=(person,))))
    assert invalid.value.retryable is False and "idNumber" in str(invalid.value)
    assert "11010519491231002X" not in str(invalid.value)


def test_a_security_header_older_than_five_minutes_is_refused(platform):
    stale = UsernameToken(
        "xuanwu",
        USERS["xuanwu"],
        use_digest=True,
        created=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6),
    )
    with pytest.raises(zeep.exceptions.Fault) as refused:
        raw_service(platform, stale).QueryByReference(sourceSystem="s", externalRef="r")
    assert "stale" in refused.value.message


def test_a_password_sent_in_clear_is_refused(platform):
    service = raw_service(platform, UsernameToken("xuanwu", USERS["xuanwu"]))
    with pytest.raises(zeep.exceptions.Fault) as refused:
        service.QueryByReference(sourceSystem="yimen-xuanwu", externalRef="anything")
    assert "PasswordDigest" in refused.value.message


def test_a_reply_meant_for_another_record_is_ambiguous_and_find_gives_the_right_one(
    platform, connector
):
    platform.switch(duplicate_replies=True)
    first, second = outbound(platform, case_filed(uuid.uuid4())), None
    one = connector.deliver(first)
    second = outbound(platform, case_filed(uuid.uuid4()))
    with pytest.raises(AmbiguousDelivery):
        connector.deliver(second)  # applied, but answered with the first case's reply
    with pytest.raises(ConnectorError):
        connector.find(second)  # answered with the second case's reply: not a query's
    platform.switch(duplicate_replies=False)
    two = connector.find(second)
    assert two is not None and two != one
    assert platform.ledger(first.reference) == ["case:insert"] == platform.ledger(second.reference)


def test_the_state_survives_a_restart(platform, connector):
    case_id = uuid.uuid4()
    receipt = connector.deliver(outbound(platform, case_filed(case_id)))
    platform.switch(ignore_update_id=True)
    platform.stop()
    platform.start()  # another port, the same state file
    assert connector.find(outbound(platform, case_filed(case_id))) == receipt
    assert platform.ledger(str(case_id)) == ["case:insert"]
    assert requests.get(f"{platform.base}/_admin/switches", timeout=5).json()["ignore_update_id"]


def test_a_clue_event_is_not_for_this_platform_and_is_not_retried(connector):
    clue = contracts.ClueReceived(
        aggregate_id=uuid.uuid4(),
        sequence=1,
        agency_code="320102-ZHZF",
        occurred_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        receipt_code="YM20261201001",
        source="hotline_12345",
        source_ref="",
        received_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        matter_code="C2370100",
    )
    message = Outbound(
        connector="province",
        topic=clue.TYPE,
        payload=clue.payload(),
        idempotency_key="k",
        endpoint="http://127.0.0.1:9/ws/supervision",
    )
    with pytest.raises(ConnectorError) as refused:
        connector.deliver(message)
    assert refused.value.retryable is False and "clue.received" in str(refused.value)


def test_the_wsdl_served_is_the_vendored_file(platform):
    wsdl = requests.get(f"{platform.url}?wsdl", timeout=5)
    xsd = requests.get(f"{platform.base}/ws/supervision.xsd", timeout=5)
    assert wsdl.content == WSDL.read_bytes()
    assert xsd.content == (WSDL.parent / "supervision.xsd").read_bytes()
    assert zeep.Client(f"{platform.url}?wsdl").wsdl.bindings.keys() == {BINDING}


def test_a_decision_without_a_discretion_benchmark_is_delivered(platform, connector):
    import dataclasses

    case_id = uuid.uuid4()
    assert connector.deliver(outbound(platform, case_filed(case_id))).startswith("ZFJD")
    plain = dataclasses.replace(decided(case_id), benchmark_code="", benchmark_version="")
    connector.deliver(outbound(platform, plain))
    assert len(platform.ledger(str(case_id))) == 2  # the submission, then the decision


def test_the_simulator_runs_as_its_own_process(tmp_path, connector):
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "yimen.connectors.province.simulator",
        "--port",
        str(port),
        "--state",
        str(tmp_path / "p.db"),
        "--user",
        f"xuanwu:{USERS['xuanwu']}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert b"province simulator on" in process.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        case_id = uuid.uuid4()
        message = Outbound(
            connector="province",
            topic="case.filed",
            payload=case_filed(case_id).payload(),
            idempotency_key="k",
            reference=str(case_id),
            endpoint=base + PATH,
            credentials={"username": "xuanwu", "password": USERS["xuanwu"]},
        )
        assert connector.deliver(message).startswith("ZFJD")
        ledger = requests.get(f"{base}/_admin/ledger", timeout=5).json()
        assert ledger[str(message.payload["aggregate_id"])] != []  # one record per case
    finally:
        process.terminate()
        process.wait(timeout=5)
