"""The case engine's console pages: the list, a new draft, a case with only the actions
the law allows now, refusals that name the rule and article and write nothing, the PDF
through the console, and the reach of each role (issue: Case engine, part 9)."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import bearer
from tests.integration.conftest import _agency_client
from tests.integration.test_case_lifecycle import OIL_FUMES, Case, _valid_credit_code

LIST = "/console/cases/"


@pytest.fixture
def desk(live_server, app, client, own_district):
    slug = own_district["slug"]
    people = {
        "officer": _agency_client(live_server, app, "zhzf", ["officer"], slug),
        "head": _agency_client(live_server, app, "zhzf", ["agency_head", "officer"], slug),
        "reviewer": _agency_client(live_server, app, "zhzf", ["legal_reviewer"], slug),
        "scjg": _agency_client(live_server, app, "scjg", ["officer"], slug),
        "procuratorate": _agency_client(live_server, app, "jcy", ["procuratorate"], slug),
        "hotline": _agency_client(live_server, app, "zhzf", ["hotline_operator"], slug),
    }
    officers = client.get("/api/v1/officers?page_size=100", headers=people["officer"]).json
    by_name = {o["name"]: o["id"] for o in officers["items"]}
    return {
        **people,
        "officers": [by_name["张伟"], by_name["王芳"]],
        "presider": by_name["李强"],
        "slug": slug,
        "tenant_id": own_district["tenant_id"],
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def _csrf(client, headers) -> str:
    page = _text(client.get(LIST, headers=headers))
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _post(client, headers, path, **form):
    data = {"csrf_token": _csrf(client, headers), **form}
    return client.post(path, data=data, headers={**headers, "Accept": "text/html"})


def _events(client, desk, case_id) -> int:
    return client.get(f"/api/v1/cases/{case_id}/chain", headers=desk["head"]).json["events"]


def _party_name() -> str:
    return f"玄武{uuid.uuid4().hex[:6]}餐饮有限公司"


def test_the_list_shows_the_agencys_cases_with_party_stage_and_next_deadline(client, desk):
    name = _party_name()
    mine = Case(client, desk, parties=[_party(name)])
    other = client.post(
        "/api/v1/cases", json={"parties": [_party("秦淮某某商行")]}, headers=desk["scjg"]
    )
    assert other.status_code == 201
    html = _text(client.get(f"{LIST}?q={name}", headers=desk["officer"]))
    assert html.count("<tr data-case=") == 1  # found by the party's name
    row = re.search(rf'<tr data-case="{mine.id}".*?</tr>', html, re.S).group(0)
    assert name in row and "立案" in row and "待立案" in row and "草稿" in row
    others = _text(client.get(f"{LIST}?q=秦淮某某商行", headers=desk["officer"]))
    assert "秦淮某某商行" not in others.split("<tbody>")[-1]  # another agency's case
    mine.do("approve_filing", who="head")
    listed = _text(
        client.get(f"{LIST}?status=open&stage=investigation&q={name}", headers=desk["officer"])
    )
    row = re.search(rf'<tr data-case="{mine.id}".*?</tr>', listed, re.S).group(0)
    assert mine.json["number"] in row and "调查取证" in row
    assert mine.json["next_deadline"] in row and "作出处罚决定" in row
    by_number = _text(client.get(f"{LIST}?q={mine.json['number']}", headers=desk["officer"]))
    assert f'data-case="{mine.id}"' in by_number
    drafts = _text(client.get(f"{LIST}?status=draft", headers=desk["officer"]))
    assert mine.json["number"] not in drafts
    overdue = _text(client.get(f"{LIST}?overdue=1", headers=desk["officer"]))
    assert f'data-case="{mine.id}"' not in overdue


def _party(name: str) -> dict:
    return {
        "kind": "organisation",
        "name": name,
        "credit_code": _valid_credit_code(),
        "address": "玄武区珠江路88号",
    }


def test_a_new_case_form_saves_a_draft_and_refuses_a_bad_id_number_in_chinese__GB_11643(
    client, desk
):
    form = {
        "matter_code": OIL_FUMES,
        "facts": "未安装油烟净化设施直排油烟",
        "place": "玄武区珠江路88号",
        "violation_started_on": "2026-10-01",
        "party_kind": "person",
        "party_name": "王某",
        "party_id_number": "110105194912310021",  # wrong check digit
        "officer_ids": desk["officers"],
    }
    page = _text(client.get("/console/cases/new", headers=desk["officer"]))
    assert "张伟" in page and "王芳" in page and OIL_FUMES in page
    refused = _post(client, desk["officer"], "/console/cases/new", **form)
    assert refused.status_code == 422
    assert 'id="n-e-party_id_number"' in _text(refused) and "GB 11643" in _text(refused)
    saved = _post(
        client,
        desk["officer"],
        "/console/cases/new",
        **{**form, "party_id_number": "11010519491231002X"},
    )
    assert saved.status_code == 302
    html = _text(client.get(saved.location, headers=desk["officer"]))
    assert "案件草稿已保存，待部门负责人批准立案。" in html
    assert "王某" in html and "110105********002X" in html and "11010519491231002X" not in html


def test_a_credit_code_failing_its_check_character_needs_the_confirm_box__GB_32100(client, desk):
    code = _valid_credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    form = {"party_kind": "organisation", "party_name": _party_name(), "party_credit_code": wrong}
    refused = _post(client, desk["officer"], "/console/cases/new", **form)
    assert refused.status_code == 422
    assert "校验位错误" in _text(refused) and 'name="party_credit_code_confirmed"' in _text(refused)
    confirmed = _post(
        client, desk["officer"], "/console/cases/new", **form, party_credit_code_confirmed="1"
    )
    assert confirmed.status_code == 302


def test_a_draft_shows_only_the_actions_the_law_allows_and_who_takes_them(client, desk):
    case = Case(client, desk)
    officer = _text(client.get(f"{LIST}{case.id}", headers=desk["officer"]))
    assert 'id="action-approve_filing"' not in officer and "待部门负责人办理：批准立案" in officer
    assert 'id="action-decide"' not in officer and 'id="action-advance"' not in officer
    head = _text(client.get(f"{LIST}{case.id}", headers=desk["head"]))
    assert 'id="action-approve_filing"' in head and 'id="action-decline_filing"' in head
    steps = re.findall(r'data-stage="(\w+)" data-state="(\w+)"', head)
    assert steps[0] == ("filing", "current") and ("investigation", "todo") in steps
    assert ("hearing", "todo") not in steps  # no hearing asked for: the stage does not apply
    assert "立案审批表" in head.split('id="stage-documents"')[1].split("</ul>")[0]


def test_an_action_out_of_order_is_refused_naming_rule_and_article_and_writes_nothing(client, desk):
    case = Case(client, desk)
    case.do("approve_filing", who="head")
    before = (_events(client, desk, case.id), case.json["version"])
    early = _post(
        client,
        desk["head"],
        f"{LIST}{case.id}/actions/decide",
        version=str(case.json["version"]),
        fine_fen="30000",
    )
    assert early.status_code == 409
    alert = re.search(r'id="problem">(.*?)</p>', _text(early), re.S).group(1)
    assert "调查取证" in alert and "作出处罚决定" in alert
    assert "第五十五条" in alert and "第五章" not in alert  # the step that comes first
    advance = _post(
        client, desk["officer"], f"{LIST}{case.id}/actions/advance", version=str(before[1])
    )
    assert advance.status_code == 409 and "缺少文书" in _text(advance)
    stale = _post(
        client,
        desk["officer"],
        f"{LIST}{case.id}/actions/add_evidence",
        version=str(before[1] - 1),
        kind="audio_visual",
        title="现场视频",
    )
    assert stale.status_code == 409 and "刷新后重试" in _text(stale)
    after = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json
    assert (_events(client, desk, case.id), after["version"]) == before
    assert after["details"].get("investigation", {}).get("evidence") is None


def test_an_action_form_goes_through_the_engine_and_its_document_opens_as_pdf(
    client, desk, render_documents
):
    case = Case(client, desk)
    r = _post(
        client,
        desk["head"],
        f"{LIST}{case.id}/actions/approve_filing",
        version=str(case.json["version"]),
        opinion="同意立案",
    )
    assert r.status_code == 302 and "done=approve_filing" in r.location
    # Numbered at commit, its PDF not rendered yet: 生成中, no link to a PDF.
    pending = _text(client.get(r.location, headers=desk["officer"]))
    assert 'data-pdf-status="pending"' in pending and "生成中" in pending
    assert not re.search(rf"{LIST}{case.id}/documents/[0-9a-f-]+\.pdf", pending)
    assert render_documents()  # the worker renders it
    page = _text(client.get(r.location, headers=desk["officer"]))
    assert 'data-pdf-status="pending"' not in page
    assert "已完成：批准立案。" in page
    number = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json["number"]
    assert f'id="case-number">{number}<' in page and 'data-state="ok"' in page
    pdf_path = re.search(rf'href="({LIST}{case.id}/documents/[0-9a-f-]+\.pdf)\?download=1"', page)
    pdf = client.get(pdf_path.group(1), headers=desk["officer"])
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("inline")
    download = client.get(f"{pdf_path.group(1)}?download=1", headers=desk["officer"])
    assert download.headers["Content-Disposition"].startswith("attachment")
    fine = _post(
        client,
        desk["officer"],
        f"{LIST}{case.id}/actions/add_evidence",
        version=str(case.json["version"] + 1),
        kind="audio_visual",
        title="",
    )
    assert fine.status_code == 422 and 'id="a-add_evidence-e-title"' in _text(fine)


def test_the_pages_answer_each_role_as_the_permission_table_says(live_server, client, desk):
    case = Case(client, desk)
    path = f"{LIST}{case.id}"
    assert client.get(LIST, headers=desk["hotline"]).status_code == 403
    assert client.get(path, headers=desk["procuratorate"]).status_code == 200
    assert client.get(path, headers=desk["reviewer"]).status_code == 200
    assert client.get(path, headers=desk["scjg"]).status_code == 404  # another agency's case
    assert client.get("/console/cases/new", headers=desk["procuratorate"]).status_code == 403
    seen = _text(client.get(path, headers=desk["procuratorate"]))
    assert 'class="action-form"' not in seen  # reads, never acts
    refused = _post(client, desk["procuratorate"], f"{path}/actions/advance")
    assert refused.status_code == 403


def test_another_districts_case_is_not_found(live_server, client, desk):
    from tests.integration.test_case_documents import _district_officer

    case = Case(client, desk)
    # the demo's qinhuai as the neighbour: a district with the same agencies, only reading
    other = bearer(_district_officer(live_server, "qinhuai", "zhzf"))
    assert client.get(f"{LIST}{case.id}", headers=other).status_code == 404
    assert f'data-case="{case.id}"' not in _text(client.get(LIST, headers=other))


def test_the_list_turns_pages_keeping_its_filter(live_server, app, client, own_district):
    officer = _agency_client(live_server, app, "yjgl", ["officer"], own_district["slug"])
    for _ in range(21):
        body = {"parties": [_party(_party_name())], "facts": "安全生产检查发现问题"}
        assert client.post("/api/v1/cases", json=body, headers=officer).status_code == 201
    first = _text(client.get(f"{LIST}?status=draft", headers=officer))
    second = _text(client.get(f"{LIST}?status=draft&page=2", headers=officer))
    rows = lambda html: re.findall(r'<tr data-case="([^"]+)"', html)  # noqa: E731
    assert len(rows(first)) == 20 and rows(second)
    assert set(rows(first)).isdisjoint(rows(second))
    assert 'href="/console/cases/?page=2&amp;status=draft"' in first
