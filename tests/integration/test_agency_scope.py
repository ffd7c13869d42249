"""One agency's clues, officers and units are not another agency's to read or act on.

Agency B's staff, holding every agency-bound role at once (officer, agency head, legal
reviewer, agency administrator), walk every route of the API and the console that takes
a clue, officer or unit id — found in the URL map, so that a route added later is walked
too — against agency A's records. Each answers 404, exactly as for an id that does not
exist (a route none of those roles may call answers 403 before it reads anything), and
nothing of A's changes. The district-wide readers and A itself still read them.

This guards the agency scope that the architecture work will make one mechanism.
"""

from __future__ import annotations

import io
import re
import uuid

import pytest

from tests import support
from tests.conftest import bearer
from tests.integration.conftest import _agency_client
from tests.integration.test_complaint_attachments import tiny_png
from yimen.platform.auth.guard import permission_of
from yimen.platform.kernel.permissions import PERMISSIONS

AGENCY_BOUND = ["officer", "agency_head", "legal_reviewer", "agency_admin"]
DISTRICT: dict = {}  # the module's own district, where the fixtures below file their records


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


ID_PARAMS = ("<uuid:clue_id>", "<uuid:officer_id>", "<uuid:unit_id>")


@pytest.fixture
def scope(live_server, app, client, machine_token):
    """Agency A (综合执法局 zhzf) with a clue that has a photo, an officer and a unit;
    agency B (市场监管局 scjg) with a clue of its own and its staff."""
    admin = bearer(machine_token(DISTRICT["slug"], ["district_admin"]))
    ids = {
        a["code"]: a["id"]
        for a in client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
    }
    a_officer = _agency_client(live_server, app, "zhzf", ["officer"], DISTRICT["slug"])
    b_officer = _agency_client(live_server, app, "scjg", ["officer"], DISTRICT["slug"])
    b_staff = _agency_client(live_server, app, "scjg", AGENCY_BOUND, DISTRICT["slug"])
    place = f"玄武区珠江路{uuid.uuid4().int % 900 + 100}号"
    r = client.post(
        f"/api/v1/public/{DISTRICT['slug']}/complaints",
        data={
            "matter_code": "CG-0014",
            "agency_id": ids["zhzf"],
            "description": "楼下餐馆油烟直排，拍了照片",
            "place": place,
            "anonymous": "true",
            "photos": [(io.BytesIO(tiny_png()), "油烟.png")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
    mine = client.get("/api/v1/clues?page_size=100", headers=a_officer).json["items"]
    clue = next(c for c in mine if c["receipt_code"] == r.json["receipt_code"])
    assert clue["agency_id"] == ids["zhzf"]
    files = client.get(f"/api/v1/clues/{clue['id']}/attachments", headers=a_officer).json
    b_clue = client.post(
        "/api/v1/clues",
        json={
            "matter_code": "CG-0014",
            "agency_id": ids["scjg"],
            "description": "楼下餐馆油烟直排，影响居民",
            "place": place,
        },
        headers=b_officer,
    ).json
    officer = client.get(
        f"/api/v1/officers?agency_id={ids['zhzf']}&page_size=1", headers=admin
    ).json["items"][0]
    unit = client.get(f"/api/v1/units?agency_id={ids['zhzf']}&page_size=1", headers=admin).json[
        "items"
    ][0]
    return {
        "ids": ids,
        "admin": admin,
        "a_officer": a_officer,
        "b_officer": b_officer,
        "b_staff": b_staff,
        "clue": clue,
        "attachment": files["items"][0]["id"],
        "b_clue": b_clue,
        "officer": officer,
        "unit": unit,
    }


def _bodies(scope) -> dict[str, dict]:
    """A valid body for each route that takes one (by the last part of its path), so that
    what is tested is the scope, not the schema."""
    return {
        "transfer": {"to_agency_id": scope["ids"]["sthj"], "reason": "属油烟污染"},
        "submit": {"reason": "职责不清"},
        "close": {"outcome": "no_violation", "note": "现场核查未发现"},
        "merge": {"into_clue_id": scope["b_clue"]["id"]},
        "designate": {"handler_agency_id": scope["ids"]["scjg"], "reason": "指定"},
        "roles": {"roles": ["officer"]},
        "<uuid:officer_id>": {"name": "改名"},
        "<uuid:unit_id>": {"name": "改名的单位"},
    }


def _routes(app, scope):
    """(method, path, body, action) of every route taking a clue, officer or unit id,
    with agency A's ids."""
    values = {
        "<uuid:clue_id>": scope["clue"]["id"],
        "<uuid:attachment_id>": scope["attachment"],
        "<uuid:officer_id>": scope["officer"]["id"],
        "<uuid:unit_id>": scope["unit"]["id"],
    }
    bodies = _bodies(scope)
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not any(p in rule.rule for p in ID_PARAMS):
                continue
            path = rule.rule
            for placeholder, value in values.items():
                path = path.replace(placeholder, value)
            assert "<" not in path, f"an id the walk does not know: {rule.rule}"
            last = rule.rule.rsplit("/", 1)[-1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                _declared, action = permission_of(rule.endpoint, method)
                body = bodies.get(last, {}) if method != "GET" else None
                yield method, path, body, action


def _call(client, method, path, body, headers, csrf):
    if path.startswith("/console"):
        form = {"csrf_token": csrf, **(body or {})} if method != "GET" else None
        return client.open(
            path, method=method, data=form, headers={**headers, "Accept": "text/html"}
        )
    return client.open(path, method=method, json=body, headers=headers)


def test_agency_b_finds_none_of_agency_as_clues_officers_or_units_by_id(app, client, scope):
    staff = scope["b_staff"]
    page = client.get("/console/clues/", headers=staff).get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    before = client.get(f"/api/v1/clues/{scope['clue']['id']}", headers=scope["a_officer"]).json
    walked, wrong = set(), []
    for method, path, body, action in _routes(app, scope):
        walked.add((method, re.sub(r"[0-9a-f-]{36}", "<id>", path)))
        r = _call(client, method, path, body, staff, csrf)
        may_call = action is None or bool(PERMISSIONS[action] & set(AGENCY_BOUND))
        if may_call and r.status_code != 404:
            wrong.append(f"{method} {path} → {r.status_code} {r.data[:200]!r}")
        if not may_call and r.status_code != 403:
            wrong.append(f"{method} {path} → {r.status_code} (no agency-bound role may call it)")
    assert wrong == []
    # the walk went where the issue says the holes were
    for route in (
        ("GET", "/api/v1/clues/<id>"),
        ("GET", "/api/v1/clues/<id>/attachments"),
        ("GET", "/api/v1/clues/<id>/attachments/<id>"),
        ("GET", "/api/v1/clues/<id>/duplicates"),
        ("POST", "/api/v1/clues/<id>/merge"),
        ("GET", "/api/v1/officers/<id>"),
        ("GET", "/api/v1/units/<id>"),
        ("PUT", "/api/v1/officers/<id>/roles"),
        ("GET", "/console/clues/<id>"),
    ):
        assert route in walked
    after = client.get(f"/api/v1/clues/{scope['clue']['id']}", headers=scope["a_officer"]).json
    assert (after["status"], after["steps"], after["group_id"]) == (
        before["status"],
        before["steps"],
        before["group_id"],
    )
    officer = client.get(f"/api/v1/officers/{scope['officer']['id']}", headers=scope["admin"]).json
    assert officer == scope["officer"]


def test_an_unknown_id_and_another_agencys_id_answer_the_same(client, scope):
    b = scope["b_officer"]
    for path in ("/api/v1/clues/{}", "/api/v1/officers/{}", "/api/v1/units/{}"):
        theirs = client.get(path.format(scope["clue"]["id"]), headers=b)
        nowhere = client.get(path.format(uuid.uuid4()), headers=b)
        assert theirs.status_code == nowhere.status_code == 404
    theirs = client.get(f"/api/v1/clues/{scope['clue']['id']}", headers=b).json
    nowhere = client.get(f"/api/v1/clues/{uuid.uuid4()}", headers=b).json
    assert (theirs["code"], theirs["detail"]) == (nowhere["code"], nowhere["detail"])


def test_an_officer_cannot_merge_their_clue_into_another_agencys(client, scope):
    r = client.post(
        f"/api/v1/clues/{scope['b_clue']['id']}/merge",
        json={"into_clue_id": scope["clue"]["id"]},
        headers=scope["b_officer"],
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "into_clue_id"
    unknown = client.post(
        f"/api/v1/clues/{scope['b_clue']['id']}/merge",
        json={"into_clue_id": str(uuid.uuid4())},
        headers=scope["b_officer"],
    )
    assert unknown.status_code == 422 and unknown.json["errors"] == r.json["errors"]
    mine = client.get(f"/api/v1/clues/{scope['b_clue']['id']}", headers=scope["b_officer"]).json
    assert mine["status"] == "offered" and mine["group_id"] is None


def test_proposed_duplicates_are_only_the_viewers_agencys(client, scope):
    """The two clues are about the same restaurant; B is not shown A's."""
    found = client.get(
        f"/api/v1/clues/{scope['b_clue']['id']}/duplicates", headers=scope["b_officer"]
    ).json["items"]
    assert scope["clue"]["id"] not in [c["clue"]["id"] for c in found]


def test_agency_a_and_the_district_wide_readers_still_read_the_clue(
    live_server, app, client, scope
):
    clue_id = scope["clue"]["id"]
    readers = [scope["a_officer"], scope["admin"]]
    readers += [
        _agency_client(live_server, app, code, [role], DISTRICT["slug"])
        for code, role in (
            ("sfj", "legal_affairs"),
            ("jcy", "procuratorate"),
            ("jwjw", "discipline"),
        )
    ]
    for headers in readers:
        assert client.get(f"/api/v1/clues/{clue_id}", headers=headers).status_code == 200
        r = client.get(
            f"/api/v1/clues/{clue_id}/attachments/{scope['attachment']}", headers=headers
        )
        assert r.status_code == 200 and r.data.startswith(b"\x89PNG")
    a = scope["a_officer"]
    assert client.get(f"/api/v1/officers/{scope['officer']['id']}", headers=a).status_code == 200
    assert client.get(f"/api/v1/units/{scope['unit']['id']}", headers=a).status_code == 200


def test_a_joint_agency_the_legal_affairs_office_designated_reads_the_clue(
    live_server, app, client, scope
):
    legal = _agency_client(live_server, app, "sfj", ["legal_affairs"], DISTRICT["slug"])
    clue_id, b = scope["clue"]["id"], scope["b_officer"]
    assert client.get(f"/api/v1/clues/{clue_id}", headers=b).status_code == 404
    r = client.post(
        f"/api/v1/clues/{clue_id}/submit",
        json={"reason": "涉及多个部门"},
        headers=scope["a_officer"],
    )
    assert r.status_code == 200, r.json
    r = client.post(
        f"/api/v1/clues/{clue_id}/designate",
        json={
            "handler_agency_id": scope["ids"]["zhzf"],
            "joint_agency_ids": [scope["ids"]["scjg"]],
            "reason": "综合执法局牵头，市场监管局配合",
        },
        headers=legal,
    )
    assert r.status_code == 200, r.json
    assert client.get(f"/api/v1/clues/{clue_id}", headers=b).status_code == 200
    # … but holds nothing: closing it is the lead's
    r = client.post(
        f"/api/v1/clues/{clue_id}/close",
        json={"outcome": "no_violation", "note": "配合部门越权办结"},
        headers=b,
    )
    assert r.status_code == 409 and r.json["code"] == "not-holder"


def test_a_hotline_operator_reads_what_it_entered_and_nothing_else(live_server, app, client, scope):
    """The hotline is a district-wide desk, but an operator reads back only the calls it
    entered — not every clue of the district, nor another operator's calls."""
    operator = _agency_client(live_server, app, "zhzf", ["hotline_operator"], DISTRICT["slug"])
    colleague = _agency_client(live_server, app, "zhzf", ["hotline_operator"], DISTRICT["slug"])
    r = client.post(
        "/api/v1/clues",
        json={
            "source": "hotline",
            "agency_id": scope["ids"]["scjg"],
            "description": "来电反映超市出售过期食品",
            "place": "玄武区中山路18号",
            "complainant_phone": "13900002222",
        },
        headers=operator,
    )
    assert r.status_code == 201, r.json
    entered = r.json["id"]
    assert client.get(f"/api/v1/clues/{entered}", headers=operator).status_code == 200
    listed = client.get("/api/v1/clues?page_size=100", headers=operator).json["items"]
    assert [c["id"] for c in listed] == [entered]
    for clue_id in (scope["clue"]["id"], scope["b_clue"]["id"]):
        assert client.get(f"/api/v1/clues/{clue_id}", headers=operator).status_code == 404
    assert client.get(f"/api/v1/clues/{entered}", headers=colleague).status_code == 404
    assert client.get("/api/v1/clues", headers=colleague).json["total"] == 0
    inbox = client.get("/console/clues/", headers=colleague).get_data(as_text=True)
    assert r.json["receipt_code"] not in inbox


def test_an_officer_who_also_takes_calls_does_not_read_the_whole_district(
    live_server, app, client, scope
):
    both = _agency_client(
        live_server, app, "scjg", ["officer", "hotline_operator"], DISTRICT["slug"]
    )
    assert client.get(f"/api/v1/clues/{scope['clue']['id']}", headers=both).status_code == 404
    assert client.get(f"/api/v1/clues/{scope['b_clue']['id']}", headers=both).status_code == 200
    listed = {
        c["id"] for c in client.get("/api/v1/clues?page_size=100", headers=both).json["items"]
    }
    assert scope["b_clue"]["id"] in listed and scope["clue"]["id"] not in listed


# --- every route over clues, cases, documents, evidence and case events ------------------
#
# One agency-scope mechanism (kernel/db/agency_scope.py) narrows every read and list of
# them to what the caller's agency takes part in. Agency A (a fresh agency, so its lists
# hold only what it takes part in) walks every route of the URL map that takes such an
# id against agency B's (综合执法局 zhzf) records: each answers as for an id that does not
# exist, and the lists do not show them. Then A takes part — a joint agency of the clue,
# designated by the legal-affairs office, and of the case — and reads, lists and acts.

RECORD_PARAMS = (
    "<uuid:clue_id>",
    "<uuid:case_id>",
    "<uuid:doc_id>",
    "<uuid:evidence_id>",
    "<uuid:attachment_id>",
)
OTHER_PARAMS = {"<name>": "approve_filing"}  # the console's one route for every action


def _fresh_agency(tenant_id) -> tuple[uuid.UUID, str]:
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Agency, AgencyKind

    code = f"t{uuid.uuid4().hex[:8]}"
    with tenant_scope(tenant_id), db.new_session() as s:
        agency = Agency(
            code=code,
            name=f"测试区测试执法局{code}",
            credit_code=uuid.uuid4().hex[:18].upper(),
            kind=AgencyKind.COMPREHENSIVE_BUREAU,
            doc_prefix="测测",
        )
        s.add(agency)
        s.commit()
        return agency.id, code


def _take_part(tenant_id, case_id: str, agency_id: uuid.UUID) -> None:
    """What a use case writes when an agency comes to a case (cases/service.take_part)."""
    from yimen.platform.cases.record.model import Case
    from yimen.platform.cases.service import take_part
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.db.agency_scope import ParticipationRole

    with tenant_scope(tenant_id), db.new_session() as s:
        take_part(s, s.get(Case, uuid.UUID(case_id)), agency_id, ParticipationRole.JOINT)
        s.commit()


@pytest.fixture
def records(live_server, app, client, machine_token, case_day):
    """Agency B's (zhzf) clue with a photo, and a filed case with a document and a piece
    of evidence; agency A, a fresh agency, and its staff."""
    from tests.integration import test_case_evidence as ev
    from tests.integration import test_case_lifecycle as lifecycle

    admin = bearer(machine_token(DISTRICT["slug"], ["district_admin"]))
    ids = {
        a["code"]: a["id"]
        for a in client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
    }
    b = {
        "officer": _agency_client(live_server, app, "zhzf", ["officer"], DISTRICT["slug"]),
        "head": _agency_client(
            live_server, app, "zhzf", ["agency_head", "officer"], DISTRICT["slug"]
        ),
    }
    officers = client.get("/api/v1/officers?page_size=100", headers=b["officer"]).json["items"]
    by_name = {o["name"]: o["id"] for o in officers}
    b["officers"] = [by_name["张伟"], by_name["王芳"]]
    r = client.post(
        f"/api/v1/public/{DISTRICT['slug']}/complaints",
        data={
            "matter_code": "CG-0014",
            "agency_id": ids["zhzf"],
            "description": "楼下餐馆油烟直排，拍了照片",
            "place": f"玄武区珠江路{uuid.uuid4().int % 900 + 100}号",
            "anonymous": "true",
            "photos": [(io.BytesIO(tiny_png()), "油烟.png")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
    clue = next(
        c
        for c in client.get("/api/v1/clues?page_size=100", headers=b["officer"]).json["items"]
        if c["receipt_code"] == r.json["receipt_code"]
    )
    photo = client.get(f"/api/v1/clues/{clue['id']}/attachments", headers=b["officer"]).json
    facts = f"当事人在玄武区珠江路88号经营餐馆，未安装油烟净化设施直排油烟。{uuid.uuid4().hex[:8]}"
    case = lifecycle.Case(client, b, facts=facts)
    case.do("approve_filing", who="head")
    evidence = ev.upload(client, case.id, tiny_png(), ev.headers(b)).json
    support.drain_documents()  # the filing's documents rendered (documents after commit)
    documents = client.get(f"/api/v1/cases/{case.id}/documents", headers=b["officer"]).json
    tenant_id = DISTRICT["tenant_id"]
    a_id, a_code = _fresh_agency(tenant_id)
    return {
        "ids": {**ids, "a": str(a_id)},
        "tenant_id": tenant_id,
        "b": b,
        "a": _agency_client(live_server, app, a_code, AGENCY_BOUND, DISTRICT["slug"]),
        "legal": _agency_client(live_server, app, "sfj", ["legal_affairs"], DISTRICT["slug"]),
        "clue": clue,
        "attachment": photo["items"][0]["id"],
        "case": case.json,
        "facts": facts,
        "document": documents["items"][0]["id"],
        "evidence": evidence["id"],
    }


def _record_routes(app, values: dict):
    """(method, path, action) of every route taking a clue, case, document, evidence or
    attachment id, with `values` for the ids."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not any(p in rule.rule for p in RECORD_PARAMS):
                continue
            path = rule.rule
            for placeholder, value in {**values, **OTHER_PARAMS}.items():
                path = path.replace(placeholder, value)
            assert "<" not in path, f"an id the walk does not know: {rule.rule}"
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                _declared, action = permission_of(rule.endpoint, method)
                yield method, path, action


def _b_values(records) -> dict:
    return {
        "<uuid:clue_id>": records["clue"]["id"],
        "<uuid:attachment_id>": records["attachment"],
        "<uuid:case_id>": records["case"]["id"],
        "<uuid:doc_id>": records["document"],
        "<uuid:evidence_id>": records["evidence"],
    }


def _listed(client, headers, records) -> dict[str, bool]:
    """Whether B's clue and case are in A's lists (API and console)."""
    clues = client.get("/api/v1/clues?page_size=100", headers=headers).json["items"]
    cases = client.get(
        "/api/v1/cases", query_string={"q": records["facts"][-8:]}, headers=headers
    ).json["items"]
    html = {"Accept": "text/html"}
    inbox = client.get("/console/clues/", headers={**headers, **html}).get_data(as_text=True)
    console_cases = client.get(
        "/console/cases/",
        query_string={"q": records["case"]["number"]},
        headers={**headers, **html},
    ).get_data(as_text=True)
    return {
        "api clues": records["clue"]["id"] in [c["id"] for c in clues],
        "api cases": records["case"]["id"] in [c["id"] for c in cases],
        "console clues": records["clue"]["receipt_code"] in inbox,
        "console cases": f'data-case="{records["case"]["id"]}"' in console_cases,
    }


def _state(client, records) -> tuple:
    b = records["b"]["officer"]
    clue = client.get(f"/api/v1/clues/{records['clue']['id']}", headers=b).json
    case = client.get(f"/api/v1/cases/{records['case']['id']}", headers=b).json
    events = client.get(f"/api/v1/cases/{records['case']['id']}/events", headers=b).json
    return clue["status"], len(clue["steps"]), case["version"], events["total"]


def test_agency_a_reaches_none_of_bs_records_by_any_route_until_it_takes_part(app, client, records):
    a = records["a"]
    page = client.get("/console/clues/", headers=a).get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    theirs = list(_record_routes(app, _b_values(records)))
    nowhere = list(_record_routes(app, {p: str(uuid.uuid4()) for p in RECORD_PARAMS}))
    assert {m for m, *_ in theirs} >= {"GET", "POST"}
    before = _state(client, records)

    wrong, walked = [], set()
    for (method, path, action), (_m, missing, _a) in zip(theirs, nowhere, strict=True):
        walked.add((method, re.sub(r"[0-9a-f-]{36}", "<id>", path)))
        r = _call(client, method, path, None if method == "GET" else {}, a, csrf)
        may_call = action is None or bool(PERMISSIONS[action] & set(AGENCY_BOUND))
        if not may_call:
            if r.status_code != 403:
                wrong.append(f"{method} {path} → {r.status_code} (no agency-bound role may)")
            continue
        unknown = _call(client, method, missing, None if method == "GET" else {}, a, csrf)
        if r.status_code != unknown.status_code or (method == "GET" and r.status_code != 404):
            wrong.append(f"{method} {path} → {r.status_code}, an unknown id {unknown.status_code}")
        if r.status_code < 400:
            wrong.append(f"{method} {path} → {r.status_code}: acted on another agency's record")
    assert wrong == []
    for route in (
        ("GET", "/api/v1/cases/<id>"),
        ("GET", "/api/v1/cases/<id>/documents/<id>.pdf"),
        ("GET", "/api/v1/cases/<id>/evidence/<id>/content"),
        ("GET", "/api/v1/cases/<id>/events"),
        ("POST", "/api/v1/cases/<id>/actions/approve_filing"),
        ("POST", "/api/v1/cases/<id>/evidence"),
        ("GET", "/console/cases/<id>/evidence/<id>"),
        ("GET", "/api/v1/clues/<id>/attachments/<id>"),
    ):
        assert route in walked
    assert _listed(client, a, records) == dict.fromkeys(
        ("api clues", "api cases", "console clues", "console cases"), False
    )
    assert _state(client, records) == before

    # A takes part: a joint agency of the clue (designated) and of the case.
    b = records["b"]["officer"]
    clue_id = records["clue"]["id"]
    r = client.post(f"/api/v1/clues/{clue_id}/submit", json={"reason": "涉及多个部门"}, headers=b)
    assert r.status_code == 200, r.json
    r = client.post(
        f"/api/v1/clues/{clue_id}/designate",
        json={
            "handler_agency_id": records["ids"]["zhzf"],
            "joint_agency_ids": [records["ids"]["a"]],
            "reason": "综合执法局牵头，测试局配合",
        },
        headers=records["legal"],
    )
    assert r.status_code == 200, r.json
    _take_part(records["tenant_id"], records["case"]["id"], uuid.UUID(records["ids"]["a"]))
    assert _listed(client, a, records) == dict.fromkeys(
        ("api clues", "api cases", "console clues", "console cases"), True
    )
    wrong = []
    for method, path, action in theirs:
        if action is not None and not PERMISSIONS[action] & set(AGENCY_BOUND):
            continue
        r = _call(client, method, path, None if method == "GET" else {}, a, csrf)
        # a page for one state of the record (a draft's form) sends a filed case's
        # participant on to the case's own page: reached, not refused
        onward = r.status_code == 302 and records["case"]["id"] in r.headers.get("Location", "")
        if method == "GET" and r.status_code != 200 and not onward:
            wrong.append(f"{method} {path} → {r.status_code} for a participant")
        if r.status_code == 404 or r.status_code >= 500:
            wrong.append(f"{method} {path} → {r.status_code} for a participant")
    assert wrong == []


def test_a_designated_joint_agency_sees_the_clue_and_its_case(live_server, app, client, records):
    """The legal-affairs office designates a lead and a joint agency (处罚法 第二十五条
    第二款: 对管辖发生争议的，报请共同的上一级行政机关指定管辖); the lead files a case from
    the clue; the joint agency reads both, and lists them."""
    a, b, legal = records["a"], records["b"]["officer"], records["legal"]
    r = client.post(
        "/api/v1/clues",
        json={
            "matter_code": "CG-0014",
            "agency_id": records["ids"]["zhzf"],
            "description": "楼下餐馆油烟直排，多个部门职责交叉",
            "place": "玄武区中山路99号",
        },
        headers=b,
    )
    assert r.status_code == 201, r.json
    clue_id = r.json["id"]
    assert client.get(f"/api/v1/clues/{clue_id}", headers=a).status_code == 404
    client.post(f"/api/v1/clues/{clue_id}/submit", json={"reason": "职责交叉"}, headers=b)
    r = client.post(
        f"/api/v1/clues/{clue_id}/designate",
        json={
            "handler_agency_id": records["ids"]["zhzf"],
            "joint_agency_ids": [records["ids"]["a"]],
            "reason": "综合执法局牵头，测试局配合",
        },
        headers=legal,
    )
    assert r.status_code == 200, r.json
    assert client.get(f"/api/v1/clues/{clue_id}", headers=a).status_code == 200
    listed = client.get("/api/v1/clues?page_size=100", headers=a).json["items"]
    assert clue_id in [c["id"] for c in listed]
    r = client.post(f"/api/v1/clues/{clue_id}/file-case", headers=b)
    assert r.status_code == 201, r.json
    case_id = r.json["id"]
    r = client.get(f"/api/v1/cases/{case_id}", headers=a)
    assert r.status_code == 200 and r.json["agency_id"] == records["ids"]["zhzf"]
    assert client.get(f"/api/v1/cases/{case_id}/events", headers=a).status_code == 200
    listed = client.get("/api/v1/cases?page_size=100", headers=a).json["items"]
    assert [c["id"] for c in listed] == [case_id]
    # another agency that takes no part still reads neither
    other = _agency_client(live_server, app, "scjg", ["officer"], DISTRICT["slug"])
    assert client.get(f"/api/v1/clues/{clue_id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}", headers=other).status_code == 404


def test_the_supervisory_roles_read_every_case_and_act_on_none(live_server, app, client, records):
    """The legal-affairs office, the procuratorate and discipline read every clue and case
    of the district; even with an officer's role too, they act only on what their own
    agency takes part in."""
    case_id = records["case"]["id"]
    for code, role in (("sfj", "legal_affairs"), ("jcy", "procuratorate"), ("jwjw", "discipline")):
        reader = _agency_client(live_server, app, code, [role], DISTRICT["slug"])
        assert client.get(f"/api/v1/cases/{case_id}", headers=reader).status_code == 200
        doc = f"/api/v1/cases/{case_id}/documents/{records['document']}.pdf"
        assert client.get(doc, headers=reader).status_code == 200
        both = _agency_client(
            live_server, app, code, [role, "officer", "agency_head"], DISTRICT["slug"]
        )
        assert client.get(f"/api/v1/cases/{case_id}", headers=both).status_code == 200
        r = client.post(
            f"/api/v1/cases/{case_id}/evidence",
            data=tiny_png(),
            headers={
                **both,
                "Content-Type": "application/octet-stream",
                "X-Evidence-Kind": "audio_visual",
                "X-Evidence-Title": "photo",
            },
        )
        assert r.status_code == 404
