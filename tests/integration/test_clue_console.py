"""The one door's console pages: the inbox, a clue with its actions, the hotline form and
the arbitration queue — through the same schemas and use cases as the API."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from tests.integration.conftest import _agency_client

PHONE = "13812345678"
INBOX = "/console/clues/"


@pytest.fixture
def people(live_server, app, desks):
    return {
        **desks,
        "hotline": _agency_client(live_server, app, "zhzf", ["hotline_operator"], desks["slug"]),
        "police": _agency_client(live_server, app, "gafj", ["police"], desks["slug"]),
        "procuratorate": _agency_client(live_server, app, "jcy", ["procuratorate"], desks["slug"]),
    }


def _register(client, people, agency="zhzf", **extra) -> dict:
    body = {
        "description": "某餐馆油烟直排，影响居民生活",
        "place": f"玄武区珠江路{uuid.uuid4().hex[:6]}号",
        "complainant_name": "王女士",
        "complainant_phone": PHONE,
        "agency_id": people["ids"][agency],
        **extra,
    }
    r = client.post("/api/v1/clues", json=body, headers=people["zhzf"])
    assert r.status_code == 201, r.json
    return r.json


def _api_clue(client, people, clue_id) -> dict:
    return client.get(f"/api/v1/clues/{clue_id}", headers=people["legal"]).json


def _csrf(client, headers) -> str:
    page = client.get(INBOX, headers=headers).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _post(client, headers, path, **form):
    data = {"csrf_token": _csrf(client, headers), **form}
    return client.post(path, data=data, headers={**headers, "Accept": "text/html"})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _backdate(people, clue_id: str, days: int = 2) -> None:
    """The acceptance deadline passed `days` ago (as if the officer had let it lie)."""
    from sqlalchemy import select

    from yimen.platform.intake.model import Clue
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(people["tenant_id"]), db.new_session() as s:
        clue = s.execute(select(Clue).where(Clue.id == uuid.UUID(clue_id))).scalar_one()
        clue.accept_due = dt.date.today() - dt.timedelta(days=days)
        s.commit()


def _rows(html: str) -> list[str]:
    body = html.split('id="clue-table"')[1].split("</tbody>")[0]
    return re.findall(r"<tr data-clue=\"[^\"]+\"[^>]*>.*?</tr>", body, re.S)


def test_an_officer_sees_their_agencys_clues_overdue_first_with_the_phone_masked(client, people):
    mine, late = _register(client, people), _register(client, people)
    other = _register(client, people, agency="scjg")
    _backdate(people, late["id"])
    r = client.get(INBOX, headers=people["zhzf"])
    html = _text(r)
    assert r.status_code == 200 and "线索收件箱" in html
    assert PHONE not in html and other["receipt_code"] not in html
    rows = _rows(html)
    flags = ["overdue-row" in row for row in rows]
    assert flags[0] and flags == sorted(flags, reverse=True)  # every overdue row comes first
    overdue = _text(client.get(f"{INBOX}?overdue=1", headers=people["zhzf"]))
    assert late["receipt_code"] in overdue and mine["receipt_code"] not in overdue
    assert "逾期" in overdue and "待受理" in overdue and "巡查发现" in overdue


def test_the_inbox_filters_by_status_and_source_and_turns_pages_keeping_the_filter(client, people):
    for _ in range(21):
        _register(client, people, agency="yjgl", source="inspection")
    accepted = _register(client, people, agency="yjgl", source="inspection")
    client.post(f"/api/v1/clues/{accepted['id']}/accept", headers=people["yjgl"])
    first = _text(client.get(f"{INBOX}?source=inspection", headers=people["yjgl"]))
    second = _text(client.get(f"{INBOX}?source=inspection&page=2", headers=people["yjgl"]))
    assert len(_rows(first)) == 20 and _rows(second)
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert 'href="/console/clues/?page=2&amp;source=inspection"' in first
    only = _text(client.get(f"{INBOX}?status=accepted&source=inspection", headers=people["yjgl"]))
    assert accepted["receipt_code"] in only and "待受理" not in only.split('id="clue-table"')[1]
    none = _text(client.get(f"{INBOX}?source=hotline&status=merged", headers=people["yjgl"]))
    assert "没有符合条件的线索。" in none


def test_the_pages_answer_each_role_as_the_permission_table_says(client, people):
    clue = _register(client, people)
    path = f"/console/clues/{clue['id']}"
    assert client.get(INBOX, headers=people["police"]).status_code == 200  # its own clues
    assert client.get(path, headers=people["police"]).status_code == 404  # not one of them
    assert client.get(path, headers=people["procuratorate"]).status_code == 200
    assert client.get(path, headers=people["scjg"]).status_code == 404  # not its clue
    assert client.get("/console/clues/hotline", headers=people["legal"]).status_code == 403
    assert client.get("/console/clues/hotline", headers=people["hotline"]).status_code == 200
    assert client.get("/console/clues/arbitration", headers=people["zhzf"]).status_code == 403
    assert client.get("/console/clues/arbitration", headers=people["legal"]).status_code == 200
    r = _post(client, people["hotline"], f"{path}/accept")
    assert r.status_code == 403 and _api_clue(client, people, clue["id"])["status"] == "offered"


def test_the_console_home_links_only_the_pages_a_role_may_open(client, people):
    hotline = _text(client.get("/console/", headers=people["hotline"]))
    legal = _text(client.get("/console/", headers=people["legal"]))
    police = _text(client.get("/console/", headers=people["police"]))
    assert 'id="nav-hotline"' in hotline and 'id="nav-arbitration"' not in hotline
    assert 'id="nav-arbitration"' in legal and 'id="nav-inbox"' in legal
    assert 'id="nav-hotline"' in police and 'id="nav-arbitration"' not in police


def test_the_detail_shows_the_history_and_only_the_actions_of_the_holder(client, people):
    clue = _register(client, people)
    path = f"/console/clues/{clue['id']}"
    holder = _text(client.get(path, headers=people["zhzf"]))
    assert "138****5678" in holder and PHONE not in holder and "王女士" in holder
    assert 'id="accept-form"' in holder and 'id="transfer-form"' in holder
    assert "还可移送 2 次（最多 2 次）。" in holder and 'id="close-form"' not in holder
    assert "分派" in holder.split('id="clue-history"')[1]
    reader = _text(client.get(path, headers=people["legal"]))
    assert 'id="clue-actions"' not in reader  # offered to an agency: nothing to arbitrate
    english = _text(client.get(f"{path}?lang=en", headers=people["zhzf"]))
    assert "Acceptance deadline" in english and "Transfer to" in english


def test_a_transfer_without_a_reason_is_a_field_error_and_nothing_is_written(client, people):
    clue = _register(client, people)
    path = f"/console/clues/{clue['id']}"
    r = _post(client, people["zhzf"], f"{path}/transfer", to_agency_id=people["ids"]["scjg"])
    assert r.status_code == 422
    assert re.search(r'id="t-e-reason" role="alert">此字段为必填项。', _text(r)), _text(r)
    r = _post(
        client,
        people["zhzf"],
        f"{path}/transfer?lang=en",
        to_agency_id="not-an-id",
        reason="属无照经营",
    )
    assert r.status_code == 422 and 'id="t-e-to_agency_id"' in _text(r)
    assert _api_clue(client, people, clue["id"])["transfers"] == 0


def test_a_routing_refusal_and_a_stale_page_are_messages_on_the_page(client, people):
    clue = _register(client, people)
    path = f"/console/clues/{clue['id']}"
    r = _post(client, people["zhzf"], f"{path}/transfer", to_agency_id=people["ids"]["zhzf"])
    assert r.status_code == 422  # the reason is missing first
    r = _post(
        client,
        people["zhzf"],
        f"{path}/transfer",
        to_agency_id=people["ids"]["zhzf"],
        reason="移给自己",
    )
    assert r.status_code == 409 and "不能移送给本部门。" in _text(r)
    r = _post(client, people["zhzf"], f"{path}/accept", version="0")
    assert r.status_code == 409 and "线索刚被他人处理，请刷新后重试。" in _text(r)
    assert _api_clue(client, people, clue["id"])["status"] == "offered"


def test_two_transfers_then_only_the_legal_affairs_office(client, people):
    clue = _register(client, people)
    path = f"/console/clues/{clue['id']}"
    ids = people["ids"]
    r = _post(client, people["zhzf"], f"{path}/transfer", to_agency_id=ids["scjg"], reason="无照")
    assert r.status_code == 302 and r.headers["Location"].endswith("?done=transfer")
    _post(client, people["scjg"], f"{path}/transfer", to_agency_id=ids["sthj"], reason="油烟")
    third = _text(client.get(path, headers=people["sthj"]))
    assert 'id="transfer-form"' not in third and 'id="transfer-limit"' in third
    assert 'id="submit-form"' in third
    history = third.split('id="clue-history"')[1]
    assert "测试区综合行政执法局 → 测试区市场监督管理局" in history and "无照" in history
    r = _post(client, people["sthj"], f"{path}/submit", reason="职责不清")
    assert r.status_code == 302
    assert _api_clue(client, people, clue["id"])["status"] == "arbitration"


def test_the_legal_affairs_office_designates_a_lead_and_a_joint_agency_from_its_queue(
    client, people
):
    clue = _register(client, people)
    client.post(
        f"/api/v1/clues/{clue['id']}/submit",
        json={"reason": "涉及多个部门"},
        headers=people["zhzf"],
    )
    queue = _text(client.get("/console/clues/arbitration", headers=people["legal"]))
    assert clue["receipt_code"] in queue and "涉及多个部门" in queue
    ids = people["ids"]
    path = f"/console/clues/{clue['id']}/designate"
    r = _post(
        client,
        people["legal"],
        path,
        back="queue",
        handler_agency_id=ids["sthj"],
        joint_agency_ids=[ids["sthj"]],
        reason="牵头配合",
    )
    assert r.status_code == 409 and "牵头部门不能同时列为配合部门。" in _text(r)
    r = _post(client, people["legal"], path, back="queue", handler_agency_id=ids["sthj"])
    assert r.status_code == 422 and 'role="alert"' in _text(r)
    r = _post(
        client,
        people["legal"],
        path,
        back="queue",
        handler_agency_id=ids["sthj"],
        joint_agency_ids=[ids["zhzf"], ids["scjg"]],
        reason="生态环境局牵头",
    )
    assert r.status_code == 302
    done = _api_clue(client, people, clue["id"])
    assert done["designated"] and done["agency_id"] == ids["sthj"]
    assert set(done["joint_agency_ids"]) == {ids["zhzf"], ids["scjg"]}


def test_the_holder_closes_with_an_outcome_after_accepting(client, people):
    clue = _register(client, people)
    path = f"/console/clues/{clue['id']}"
    assert _post(client, people["zhzf"], f"{path}/accept").status_code == 302
    page = _text(client.get(f"{path}?done=accept", headers=people["zhzf"]))
    assert "已受理。" in page and 'id="close-form"' in page and "当场改正" in page
    r = _post(client, people["zhzf"], f"{path}/close", note="现场核查")
    assert r.status_code == 422 and 'id="c-e-outcome" role="alert">此字段为必填项。' in _text(r)
    r = _post(client, people["zhzf"], f"{path}/close", outcome="merged", note="现场核查")
    assert r.status_code == 422 and "请选择办理结果" in _text(r)
    assert _api_clue(client, people, clue["id"])["status"] == "accepted"
    r = _post(client, people["zhzf"], f"{path}/close", outcome="corrected_on_spot", note="已整改")
    assert r.status_code == 302
    closed = _text(client.get(path, headers=people["zhzf"]))
    assert "已办结 · 当场改正" in closed and 'id="clue-actions"' not in closed


def test_a_hotline_operator_enters_a_call_and_reads_back_the_receipt_code(client, people):
    before = client.get("/api/v1/clues", headers=people["legal"]).json["total"]
    form = _text(client.get("/console/clues/hotline", headers=people["hotline"]))
    assert "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟" in form
    r = _post(
        client,
        people["hotline"],
        "/console/clues/hotline",
        description="短",
        place="",
        complainant_phone="12345",
    )
    html = _text(r)
    assert r.status_code == 422 and "请输入正确的11位手机号码。" in html
    assert 'id="h-e-description"' in html and 'id="h-e-place"' in html
    english = _post(
        client, people["hotline"], "/console/clues/hotline?lang=en", complainant_phone="1"
    )
    assert "Enter a valid mainland mobile number." in _text(english)
    assert client.get("/api/v1/clues", headers=people["legal"]).json["total"] == before
    r = _post(
        client,
        people["hotline"],
        "/console/clues/hotline",
        matter_code="CG-0014",
        description="楼下饭店油烟直排，已持续一周",
        place="玄武区珠江路100号",
        complainant_name="李先生",
        complainant_phone="13900001111",
    )
    assert r.status_code == 302
    done = _text(client.get(r.headers["Location"], headers=people["hotline"]))
    code = re.search(r'id="receipt-code">(YM\w+)<', done).group(1)
    assert "测试区综合行政执法局" in done
    assert code not in _text(client.get(r.headers["Location"], headers=people["zhzf"]))
    clue_id = r.headers["Location"].split("registered=")[1]
    clue = _api_clue(client, people, clue_id)
    assert clue["receipt_code"] == code and clue["source"] == "hotline"
    assert clue["complainant_phone"] == "139****1111"
    detail = _text(client.get(f"/console/clues/{clue['id']}?lang=zh", headers=people["hotline"]))
    assert "13900001111" not in detail and "12319热线" in detail


def test_a_form_without_its_csrf_token_is_refused(client, people):
    clue = _register(client, people)
    r = client.post(
        f"/console/clues/{clue['id']}/accept",
        data={},
        headers={**people["zhzf"], "Accept": "text/html"},
    )
    assert r.status_code == 400
    assert _api_clue(client, people, clue["id"])["status"] == "offered"


def test_an_officer_confirms_a_proposed_duplicate_and_it_leaves_the_inbox(client, people):
    place = f"玄武区太平北路{uuid.uuid4().hex[:4]}号"
    lead = _register(client, people, matter_code="CG-0014", place=place)
    twin = _register(
        client,
        people,
        matter_code="CG-0014",
        place=place,
        description="某餐馆油烟直排，影响周边居民生活",
    )
    page = _text(client.get(f"/console/clues/{twin['id']}", headers=people["zhzf"]))
    assert 'id="duplicates"' in page and lead["receipt_code"] in page
    r = _post(
        client,
        people["zhzf"],
        f"/console/clues/{twin['id']}/merge",
        version=str(twin["version"]) if "version" in twin else "",
        into_clue_id=lead["id"],
    )
    assert r.status_code == 302
    merged = _api_clue(client, people, twin["id"])
    assert (
        merged["status"] == "merged"
        and merged["group_id"] == _api_clue(client, people, lead["id"])["group_id"]
    )
    detail = _text(client.get(f"/console/clues/{twin['id']}", headers=people["zhzf"]))
    assert "merge" not in re.findall(r'action="/console/clues/[^"]+/(\w+)"', detail)


def test_the_legal_affairs_office_reads_the_figures_by_agency(client, people):
    page = client.get("/console/clues/figures", headers=people["legal"])
    assert page.status_code == 200 and "测试区综合行政执法局" in _text(page)
    assert client.get("/console/clues/figures", headers=people["zhzf"]).status_code == 403
