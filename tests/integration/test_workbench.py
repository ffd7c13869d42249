"""The workbench (issue 13, item 4): the console's home page is the signed-in person's
to-do list — the clue offered to their agency, the draft they must complete, the head's
approval, the reviewer's review — each one click from the action, overdue first, and
nothing of another agency's."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

import pytest
from sqlalchemy import event, select

from tests.integration.conftest import _agency_client
from tests.integration.test_case_console import _party
from tests.integration.test_case_lifecycle import OIL_FUMES

HOME = "/console/"
API = "/api/v1/workbench"


@pytest.fixture
def desk(live_server, app, client, own_district):
    slug = own_district["slug"]
    people = {
        "officer": _agency_client(live_server, app, "zhzf", ["officer"], slug),
        "head": _agency_client(live_server, app, "zhzf", ["agency_head"], slug),
        "reviewer": _agency_client(live_server, app, "zhzf", ["legal_reviewer"], slug),
        "other": _agency_client(live_server, app, "scjg", ["officer"], slug),
        "other_head": _agency_client(live_server, app, "scjg", ["agency_head"], slug),
    }
    officers = client.get("/api/v1/officers?page_size=100", headers=people["officer"]).json
    by_name = {o["name"]: o["id"] for o in officers["items"]}
    agencies = client.get("/api/v1/agencies?page_size=100", headers=people["officer"]).json
    return {
        **people,
        "slug": slug,
        "officers": [by_name["张伟"], by_name["王芳"]],
        "agencies": {a["code"]: a["id"] for a in agencies["items"]},
    }


def _row_of(session_slug: str, model, row_id: str, **changes) -> None:
    """The record as if time had passed or the case had gone on (the steps between are
    the case engine's tests')."""
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == session_slug)).scalar_one()
    with tenant_scope(tenant_id), db.new_session() as s:
        row = s.get(model, uuid.UUID(row_id))
        for key, value in changes.items():
            setattr(row, key, value)
        s.commit()


def _clue(client, desk, agency="zhzf") -> dict:
    body = {
        "description": "某餐馆油烟直排，影响居民生活",
        "place": f"珠江路{uuid.uuid4().hex[:6]}号",
        "agency_id": desk["agencies"][agency],
    }
    r = client.post("/api/v1/clues", json=body, headers=desk["officer"])
    assert r.status_code == 201, r.json
    return r.json


def _draft(client, desk, **body) -> dict:
    r = client.post(
        "/api/v1/cases",
        json={"parties": [_party("玄武某某餐饮有限公司")], **body},
        headers=desk["officer"],
    )
    assert r.status_code == 201, r.json
    return r.json


def _complete_draft(client, desk) -> dict:
    return _draft(
        client,
        desk,
        matter_code=OIL_FUMES,
        facts="当事人经营餐馆，未安装油烟净化设施直排油烟。",
        place="珠江路88号",
        violation_started_on="2026-10-01",
        officer_ids=desk["officers"],
    )


def _rows(client, headers) -> list[dict]:
    """The to-do rows of the home page: record, kind, state, action, link, text."""
    html = client.get(HOME, headers=headers).get_data(as_text=True)
    assert 'id="workbench"' in html
    rows = re.findall(r"<tr data-record=\"[^\"]+\".*?</tr>", html, re.S)
    found = []
    for row in rows:
        found.append(
            {
                "record": re.search(r'data-record="([^"]+)"', row).group(1),
                "kind": re.search(r'data-kind="([^"]+)"', row).group(1),
                "state": re.search(r'data-state="([^"]+)"', row).group(1),
                "href": re.search(r'<a href="([^"]+)" class="todo-link"', row).group(1),
                "text": re.sub(r"<[^>]+>", " ", row),
            }
        )
    return found


def _one(rows: list[dict], record_id: str) -> dict:
    mine = [r for r in rows if r["record"] == record_id]
    assert len(mine) == 1, (record_id, rows)
    return mine[0]


def _opens_at_the_action(client, headers, href: str) -> None:
    path, anchor = href.split("#")
    page = client.get(path, headers=headers)
    assert page.status_code == 200
    assert f'id="{anchor}"' in page.get_data(as_text=True), anchor


def test_an_officer_sees_the_clue_to_accept_and_the_draft_to_complete_overdue_first(client, desk):
    from yimen.platform.intake.model import Clue

    fresh, late = _clue(client, desk), _clue(client, desk)
    _row_of(desk["slug"], Clue, late["id"], accept_due=dt.date.today() - dt.timedelta(days=2))
    draft = _draft(client, desk)  # a party, no matter, no officers

    rows = _rows(client, desk["officer"])
    states = [r["state"] for r in rows]
    assert states[0] == "overdue"
    assert states == sorted(states, key=lambda s: s != "overdue")  # overdue before the rest
    overdue = _one(rows, late["id"])
    assert overdue["state"] == "overdue" and "已逾期" in overdue["text"]
    assert rows.index(overdue) < rows.index(_one(rows, fresh["id"]))
    accept = _one(rows, fresh["id"])
    assert accept["kind"] == "accept_clue" and "受理线索" in accept["text"]
    assert accept["href"] == f"/console/clues/{fresh['id']}#accept-form"
    assert fresh["receipt_code"] in accept["text"]
    _opens_at_the_action(client, desk["officer"], accept["href"])

    complete = _one(rows, draft["id"])
    assert complete["kind"] == "complete_draft"
    assert "补全立案信息：执法事项、承办人员(至少两名)" in complete["text"]
    assert complete["href"] == f"/console/cases/{draft['id']}/draft#draft-form"  # the form itself
    _opens_at_the_action(client, desk["officer"], complete["href"])

    others = {r["record"] for r in _rows(client, desk["other"])}
    assert not others & {fresh["id"], late["id"], draft["id"]}


def test_the_head_sees_the_approval_and_the_reviewer_the_review__and_no_one_else(client, desk):
    from yimen.platform.cases.record.model import Case

    filing = _complete_draft(client, desk)
    head = _one(_rows(client, desk["head"]), filing["id"])
    assert head["kind"] == "approval" and "批准立案" in head["text"] and "待审批" in head["text"]
    assert head["href"] == f"/console/cases/{filing['id']}#action-approve_filing"
    _opens_at_the_action(client, desk["head"], head["href"])
    assert filing["id"] not in {r["record"] for r in _rows(client, desk["reviewer"])}

    reviewed = _complete_draft(client, desk)
    r = client.post(
        f"/api/v1/cases/{reviewed['id']}/actions/approve_filing", json={}, headers=desk["head"]
    )
    assert r.status_code == 200, r.json
    # as if investigated, ordered, noticed and heard: a major decision at legal review
    _row_of(desk["slug"], Case, reviewed["id"], stage="legal_review", major=True)
    review = _one(_rows(client, desk["reviewer"]), reviewed["id"])
    assert review["kind"] == "review" and "法制审核" in review["text"]
    assert r.json["number"] in review["text"]
    assert review["href"] == f"/console/cases/{reviewed['id']}#action-legal_review"
    _opens_at_the_action(client, desk["reviewer"], review["href"])
    assert reviewed["id"] not in {
        r["record"] for r in _rows(client, desk["head"]) if r["kind"] == "approval"
    }

    for who in ("other", "other_head"):
        seen = {r["record"] for r in _rows(client, desk[who])}
        assert not seen & {filing["id"], reviewed["id"]}, who


def test_the_api_lists_the_same_to_dos_in_chinese_and_english_with_their_links(client, desk):
    clue = _clue(client, desk)
    answer = client.get(API, headers=desk["officer"])
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["due_soon_working_days"] == 3  # the district's setting, by default
    item = next(i for i in body["items"] if i["record_id"] == clue["id"])
    assert item["kind"] == "accept_clue" and item["record"] == "clue"
    assert (item["label"], item["label_en"]) == ("受理线索", "Accept the clue")
    assert (item["kind_label"], item["kind_label_en"]) == ("待受理线索", "Clue to accept")
    assert item["href"] == f"/console/clues/{clue['id']}#accept-form"
    assert item["deadline"] and item["deadline_label"] == "受理期限"
    order = [(i["state"] != "overdue", i["deadline"] or "9999") for i in body["items"]]
    assert [o[0] for o in order] == sorted(o[0] for o in order)
    home = [r["record"] for r in _rows(client, desk["officer"])]
    assert home == [i["record_id"] for i in body["items"]]  # the same list, in the same order
    assert clue["id"] not in {
        i["record_id"] for i in client.get(API, headers=desk["other"]).json["items"]
    }


def test_a_district_may_choose_how_many_working_days_count_as_due_soon(client, desk, machine_token):
    from tests.conftest import bearer

    admin = bearer(machine_token(desk["slug"], ["district_admin"]))
    r = client.patch(
        "/api/v1/district/settings", json={"workbench_due_soon_working_days": 5}, headers=admin
    )
    assert r.status_code == 200, r.json
    try:
        assert client.get(API, headers=desk["officer"]).json["due_soon_working_days"] == 5
        html = client.get(HOME, headers=desk["officer"]).get_data(as_text=True)
        assert "5 个工作日内届满的期限标为临期" in html
    finally:
        client.patch(
            "/api/v1/district/settings",
            json={"workbench_due_soon_working_days": None},
            headers=admin,
        )


def test_the_list_costs_the_same_statements_for_one_record_as_for_many(app, client, desk):
    """No statement per record: the read model, as the guard calls it for a head of the
    agency (the request around it polls its caches on a clock, so it is not counted)."""
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.db.agency_scope import agency_scope, scope_for
    from yimen.platform.kernel.directory import Tenant
    from yimen.platform.kernel.identity import Identity
    from yimen.platform.workbench import queries

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == desk["slug"])).scalar_one()
    head = Identity(
        tenant_id, desk["slug"], "", "head", "zhzf-head", "", frozenset({"agency_head"}), "zhzf"
    )

    def statements() -> tuple[int, int]:
        here, counted = threading.get_ident(), []

        def count(*_args, **_kwargs):
            if threading.get_ident() == here:
                counted.append(1)

        scope = scope_for(head.roles, head.agency, head.username, "self.read")
        with tenant_scope(tenant_id), agency_scope(scope), db.new_session() as s:
            queries.workbench(s, head, queries.today())  # the calendar's cache filled
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                board = queries.workbench(s, head, queries.today())
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
        return len(counted), len(board.items)

    _clue(client, desk)
    _complete_draft(client, desk)
    before, items = statements()
    for _ in range(4):
        _clue(client, desk)
        _complete_draft(client, desk)
    after, more = statements()
    assert more >= items + 4  # four more approvals for the head
    assert after == before
