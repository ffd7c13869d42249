"""Backfill: a district turns a connector on, and the cases it already has reach the
upstream — each once, each case's events in order — page by page, resuming where an
interrupted run stopped; a second run sends nothing new."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.integration.test_case_lifecycle import Case, desk  # noqa: F401 - the fixture
from tests.integration.test_case_outcomes import a_company
from tests.integration.test_case_rules_engine import SPILL
from tests.integration.test_gateway_case_events import district_id, turned_on  # noqa: F401
from tests.integration.test_gateway_delivery import (  # noqa: F401 - fixtures
    admin_of,
    connector,
    drain,
    rows,
    upstream,
)
from yimen.gateway import contracts as c
from yimen.platform.cases import backfill
from yimen.platform.kernel.errors import Conflict
from yimen.platform.kernel.uow import uow

pytestmark = pytest.mark.usefixtures("case_day")


def test_existing_cases_are_sent_once_in_order_resuming_after_an_interruption(
    app,
    client,
    desk,  # noqa: F811
    turned_on,  # noqa: F811
    district_id,  # noqa: F811
    upstream,  # noqa: F811
):
    filed = Case(client, desk)
    filed.do("approve_filing", who="head")
    on_spot = Case(client, desk, parties=[a_company()], matter_code=SPILL)
    on_spot.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=300_000, circumstance="minor")
    name = turned_on()  # after the cases: nothing of them was published live
    assert rows(district_id, aggregate_key=f"case:{filed.id}", connector=name) == []

    cut = backfill.backfill(uow, district_id, backfill.Backfill(name, page=1), max_pages=1)
    assert (cut.status, cut.done) == ("running", 1) and cut.total >= 2
    seen = []
    finished = backfill.backfill(
        uow, district_id, backfill.Backfill(name, page=1), on_page=seen.append
    )

    assert finished.status == "done" and finished.done == finished.total
    assert seen[0].done == 2 and seen[-1].status == "done"  # went on from the cut
    mine = rows(district_id, aggregate_key=f"case:{filed.id}", connector=name)
    assert [r.topic for r in mine] == [c.CaseFiled.TYPE]
    drain(district_id)
    sent = [r["payload"] for r in upstream.records if r["payload"]["aggregate_id"] == filed.id]
    assert [p["type"] for p in sent] == [c.CaseFiled.TYPE]
    assert sent[0]["case_number"] == filed.json["number"]
    (spot,) = [r["payload"] for r in upstream.records if r["payload"]["aggregate_id"] == on_spot.id]
    assert (spot["type"], spot["fine_fen"]) == (c.PenaltyDecided.TYPE, 300_000)
    everything = rows(district_id, connector=name)
    assert len(everything) == finished.published == len(upstream.records)

    again = app.test_cli_runner().invoke(
        args=["gateway", "backfill", "--district", desk["slug"], "--connector", name]
    )
    assert again.exit_code == 0, again.output
    assert "done" in again.output
    assert len(rows(district_id, connector=name)) == len(everything)  # nothing new


def test_a_case_published_live_since_the_connector_was_on_is_not_sent_twice(
    client,
    admin_of,  # noqa: F811
    desk,  # noqa: F811
    turned_on,  # noqa: F811
    district_id,  # noqa: F811
    upstream,  # noqa: F811
):
    old = Case(client, desk)
    old.do("approve_filing", who="head")
    old.do("add_evidence", kind="audio_visual", title="现场视频", sha256="c" * 64)
    name = turned_on()
    live = Case(client, desk)
    live.do("approve_filing", who="head")  # published live: the backfill leaves it alone

    backfill.backfill(uow, district_id, backfill.Backfill(name, page=50))

    olds = rows(district_id, aggregate_key=f"case:{old.id}", connector=name)
    assert [r.topic for r in olds] == [c.CaseFiled.TYPE]
    assert olds[0].sequence <= old.json["version"]  # before anything later on the case
    lives = rows(district_id, aggregate_key=f"case:{live.id}", connector=name)
    assert [r.topic for r in lives] == [c.CaseFiled.TYPE]
    shown = client.get(
        "/api/v1/gateway/backfills", headers=admin_of(SimpleNamespace(slug=desk["slug"]))
    )
    assert shown.status_code == 200, shown.json
    (progress,) = [p for p in shown.json["items"] if p["connector"] == name]
    assert progress["status"] == "done" and progress["done"] == progress["total"] >= 2


def test_a_connector_the_district_has_not_turned_on_cannot_be_backfilled(district_id, connector):  # noqa: F811
    with pytest.raises(Conflict):
        backfill.backfill(uow, district_id, backfill.Backfill(connector()))
