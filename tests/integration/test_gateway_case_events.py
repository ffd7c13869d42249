"""The case engine and the one door publish their integration events in the act's own
transaction: a district that turned a connector on sees each case filed, moved on and
decided, and each clue received and answered, delivered to the upstream in order."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.test_case_lifecycle import Case, desk  # noqa: F401 - the fixture
from tests.integration.test_case_outcomes import a_company
from tests.integration.test_case_rules_engine import SPILL
from tests.integration.test_gateway_delivery import connector, drain, rows, upstream  # noqa: F401
from yimen.gateway import contracts as c
from yimen.gateway.delivery import service
from yimen.platform.kernel.uow import uow

pytestmark = pytest.mark.usefixtures("case_day")


@pytest.fixture
def district_id(desk):  # noqa: F811
    """The module's own district (the lifecycle desk's)."""
    return desk["tenant_id"]


@pytest.fixture
def turned_on(district_id, connector, upstream):  # noqa: F811
    """The district sends to a connector of this test's own while the test runs."""

    def turn_on(event_types=(), agencies=()) -> str:
        name = connector(event_types=tuple(c.EVENT_TYPES))
        command = service.ConfigureSubscription(
            name,
            True,
            "admin",
            event_types=tuple(event_types),
            agency_codes=tuple(agencies),
            endpoint=upstream.url,
            credentials={"token": upstream.token},
        )
        service.configure_subscription(uow, district_id, command)
        made.append(name)
        return name

    made: list[str] = []
    yield turn_on
    for name in made:
        command = service.ConfigureSubscription(name, False, "admin", endpoint=upstream.url)
        service.configure_subscription(uow, district_id, command)


def test_a_case_filed_and_moved_on_reaches_the_upstream_in_order_with_the_case_version(
    client,
    desk,  # noqa: F811
    turned_on,
    district_id,
    upstream,  # noqa: F811
):
    name = turned_on(agencies=("zhzf",))
    case = Case(client, desk)
    filed = case.do("approve_filing", who="head")
    case.do("add_evidence", kind="audio_visual", title="现场视频", sha256="c" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    case.do("add_record", kind="询问笔录", content="当事人陈述……")
    moved = case.do("advance")

    mine = rows(district_id, aggregate_key=f"case:{case.id}", connector=name)
    assert [(r.topic, r.sequence) for r in mine] == [
        (c.CaseFiled.TYPE, filed["version"]),
        (c.CaseStageChanged.TYPE, moved["version"]),
    ]
    drain(district_id)
    sent = [r["payload"] for r in upstream.records if r["payload"]["aggregate_id"] == case.id]
    assert [p["type"] for p in sent] == [c.CaseFiled.TYPE, c.CaseStageChanged.TYPE]
    assert sent[0]["case_number"] == filed["number"] and sent[0]["agency_code"] == "zhzf"
    assert len(sent[0]["officers_certificates"]) == 2
    assert sent[0]["parties"][0]["id_number"] == case.json["parties"][0]["credit_code"]
    assert sent[1]["stage"] == moved["stage"]


def test_a_penalty_decided_on_the_spot_carries_the_decision(
    client,
    desk,  # noqa: F811
    turned_on,
    district_id,
):
    name = turned_on(event_types=(c.PenaltyDecided.TYPE,))
    case = Case(client, desk, parties=[a_company()], matter_code=SPILL)
    decided = case.do(
        "decide_on_spot", penalty_kinds=["fine"], fine_fen=300_000, circumstance="minor"
    )

    (row,) = rows(district_id, aggregate_key=f"case:{case.id}", connector=name)
    assert (row.topic, row.sequence) == (c.PenaltyDecided.TYPE, decided["version"])
    assert row.payload["fine_fen"] == 300_000 and row.payload["kinds"] == ["fine"]
    assert row.payload["document_number"]


def test_a_case_decided_on_the_spot_is_filed_upstream_before_its_decision__处罚法_第五十一条(
    client,
    desk,  # noqa: F811
    turned_on,
    district_id,
    upstream,  # noqa: F811
):
    # No filing approval on the spot: a system that keeps one record per case must still
    # get the case before the decision that updates it.
    name = turned_on()
    case = Case(client, desk, parties=[a_company()], matter_code=SPILL)
    decided = case.do(
        "decide_on_spot", penalty_kinds=["fine"], fine_fen=300_000, circumstance="minor"
    )

    mine = rows(district_id, aggregate_key=f"case:{case.id}", connector=name)
    assert [r.topic for r in mine] == [c.CaseFiled.TYPE, c.PenaltyDecided.TYPE]
    assert mine[0].sequence < mine[1].sequence == decided["version"]
    drain(district_id)
    sent = [r["payload"] for r in upstream.records if r["payload"]["aggregate_id"] == case.id]
    assert [p["type"] for p in sent] == [c.CaseFiled.TYPE, c.PenaltyDecided.TYPE]
    assert sent[0]["procedure"] == "simple" and sent[1]["fine_fen"] == 300_000


def test_an_agency_a_subscription_does_not_list_sends_nothing(
    client,
    desk,  # noqa: F811
    turned_on,
    district_id,
):
    name = turned_on(agencies=("scjg",))
    case = Case(client, desk)
    case.do("approve_filing", who="head")
    assert rows(district_id, aggregate_key=f"case:{case.id}", connector=name) == []


def test_a_clue_received_accepted_and_returned_is_answered_upstream(
    client,
    desk,  # noqa: F811
    turned_on,
    district_id,
    machine_token,
):
    from tests.conftest import bearer

    name = turned_on(event_types=(c.ClueReceived.TYPE, c.ClueAnswered.TYPE))
    admin = bearer(machine_token(desk["slug"], ["district_admin"]))
    agencies = client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
    zhzf = next(a["id"] for a in agencies if a["code"] == "zhzf")
    clue = client.post(
        "/api/v1/clues",
        json={"description": "夜间施工噪声扰民", "place": "玄武区北京东路1号", "agency_id": zhzf},
        headers=desk["officer"],
    ).json
    client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desk["officer"])
    closed = client.post(
        f"/api/v1/clues/{clue['id']}/close",
        json={"outcome": "not_our_jurisdiction", "note": "属住建部门管辖"},
        headers=desk["officer"],
    )
    assert closed.status_code == 200, closed.json

    mine = rows(district_id, aggregate_key=f"clue:{clue['id']}", connector=name)
    assert [(r.topic, r.payload.get("answer")) for r in mine] == [
        (c.ClueReceived.TYPE, None),
        (c.ClueAnswered.TYPE, "accepted"),
        (c.ClueAnswered.TYPE, "returned"),
    ]
    assert mine[-1].payload["note"] == "属住建部门管辖"
    assert [r.sequence for r in mine] == sorted({r.sequence for r in mine})
    assert uuid.UUID(mine[0].payload["aggregate_id"]) == uuid.UUID(clue["id"])
