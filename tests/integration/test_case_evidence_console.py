"""Evidence with the day it was collected, through the API and the console (issue 13,
item 6): the date is recorded as an ISO day in the case and its chain and read back;
a day after today, or before the act it is evidence of, is refused naming the field in
Chinese and English (处罚法 第五十四条、第五十五条); the console uploads the file itself
(multipart), the server computes its SHA-256 and binds it into the record."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.integration.conftest import _agency_client
from tests.integration.test_case_evidence import tiny_pdf
from tests.integration.test_case_lifecycle import Case

pytestmark = pytest.mark.usefixtures("case_day")  # today is 2026-11-24 in Shanghai


@pytest.fixture
def desk(live_server, app, client, own_district):
    slug = own_district["slug"]
    officer = _agency_client(live_server, app, "zhzf", ["officer"], slug)
    head = _agency_client(live_server, app, "zhzf", ["agency_head", "officer"], slug)
    officers = client.get("/api/v1/officers?page_size=100", headers=officer).json["items"]
    by_name = {o["name"]: o["id"] for o in officers}
    return {"officer": officer, "head": head, "officers": [by_name["张伟"], by_name["王芳"]]}


def filed(client, desk) -> Case:
    case = Case(client, desk)  # the act began on 2026-10-01
    case.do("approve_filing", who="head")
    return case


def _text(response) -> str:
    return response.get_data(as_text=True)


def _csrf(client, headers) -> str:
    page = _text(client.get("/console/cases/", headers=headers))
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _evidence(client, desk, case_id) -> list[dict]:
    case = client.get(f"/api/v1/cases/{case_id}", headers=desk["officer"]).json
    return case["details"]["investigation"]["evidence"]


def _chained(client, desk, case_id) -> list[dict]:
    items = client.get(
        f"/api/v1/cases/{case_id}/events?page_size=100", headers=desk["officer"]
    ).json["items"]
    return [e["payload"] for e in items if e["kind"] == "add_evidence"]


def test_evidence_posted_with_its_collection_day_is_recorded_and_read_back(client, desk):
    case = filed(client, desk)
    answer = case.do(
        "add_evidence", kind="documentary", title="营业执照复印件", collected_on="2026-11-20"
    )
    assert answer["details"]["investigation"]["evidence"][0]["collected_on"] == "2026-11-20"
    assert _evidence(client, desk, case.id)[0]["collected_on"] == "2026-11-20"
    assert _chained(client, desk, case.id)[0]["collected_on"] == "2026-11-20"
    chain = client.get(f"/api/v1/cases/{case.id}/chain", headers=desk["officer"]).json
    assert chain["ok"] is True


def test_a_collection_day_after_today_or_before_the_act_is_refused_on_the_field(client, desk):
    case = filed(client, desk)
    future = case.do(
        "add_evidence", expect=422, kind="documentary", title="询问笔录", collected_on="2026-11-25"
    )
    field = {f["field"]: f for f in future["errors"]}["collected_on"]
    assert "不能晚于今天(2026-11-24)" in field["message"]
    assert "after today (2026-11-24)" in field["message_en"]
    early = case.do(
        "add_evidence", expect=422, kind="documentary", title="询问笔录", collected_on="2026-09-30"
    )
    field = {f["field"]: f for f in early["errors"]}["collected_on"]
    assert "不能早于违法行为开始之日(2026-10-01)" in field["message"]
    assert "before the start of the act (2026-10-01)" in field["message_en"]
    assert "第五十四条" in field["message"]
    assert _chained(client, desk, case.id) == []  # nothing written


def test_the_console_records_evidence_with_its_collection_day(client, desk):
    case = filed(client, desk)
    r = client.post(
        f"/console/cases/{case.id}/actions/add_evidence",
        data={
            "csrf_token": _csrf(client, desk["officer"]),
            "version": case.json["version"],
            "kind": "physical",
            "title": "油烟管道照片",
            "collected_on": "2026-11-21",
        },
        headers={**desk["officer"], "Accept": "text/html"},
    )
    assert r.status_code == 302, _text(r)[:2000]
    assert _evidence(client, desk, case.id)[0]["collected_on"] == "2026-11-21"
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["officer"]))
    row = re.search(r'<table class="table" id="evidence">.*?</table>', page, re.S).group(0)
    assert "油烟管道照片" in row and "2026-11-21" in row and "物证" in row


def _upload(client, desk, case, content: bytes, **fields):
    form = {
        "csrf_token": _csrf(client, desk["officer"]),
        "version": str(case.json["version"]),
        "kind": "documentary",
        "title": "营业执照复印件",
        **fields,
    }
    if content:
        form["file"] = (__import__("io").BytesIO(content), "执照.pdf")
    return client.post(
        f"/console/cases/{case.id}/evidence",
        data=form,
        content_type="multipart/form-data",
        headers={**desk["officer"], "Accept": "text/html"},
    )


def test_the_console_uploads_the_file_and_the_server_hashes_it(client, desk):
    case = filed(client, desk)
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["officer"]))
    form = re.search(r'<form[^>]*id="action-add_evidence".*?</form>', page, re.S).group(0)
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    assert "2048 MB" in form or "2 GB" in form  # the size limit is shown
    assert "SHA-256" not in form  # the server computes the hash
    pdf = tiny_pdf()
    r = _upload(client, desk, case, pdf, collected_on="2026-11-22")
    assert r.status_code == 302, _text(r)[:2000]
    files = client.get(f"/api/v1/cases/{case.id}/evidence", headers=desk["officer"]).json
    assert files["total"] == 1
    stored = files["items"][0]
    assert stored["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert stored["media_type"] == "application/pdf" and stored["title"] == "营业执照复印件"
    chained = _chained(client, desk, case.id)
    assert chained == [
        {
            "kind": "documentary",
            "title": "营业执照复印件",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "collected_on": "2026-11-22",
            **{k: v for k, v in chained[0].items() if k in ("id", "by")},
        }
    ]
    got = client.get(f"/console/cases/{case.id}/evidence/{stored['id']}", headers=desk["officer"])
    assert got.data == pdf
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["officer"]))
    row = re.search(r'<table class="table" id="evidence">.*?</table>', page, re.S).group(0)
    assert "营业执照复印件" in row and "2026-11-22" in row and "书证" in row


def test_a_console_upload_with_a_future_day_is_refused_on_the_field_and_keeps_nothing(client, desk):
    case = filed(client, desk)
    r = _upload(client, desk, case, tiny_pdf(), collected_on="2026-12-01")
    assert r.status_code == 422
    page = _text(r)
    error = re.search(r'id="a-add_evidence-e-collected_on"[^>]*>([^<]+)<', page).group(1)
    assert "不能晚于今天" in error
    files = client.get(f"/api/v1/cases/{case.id}/evidence", headers=desk["officer"]).json
    assert files["total"] == 0 and _chained(client, desk, case.id) == []
    r = _upload(client, desk, case, b"not a known format at all")
    assert r.status_code == 422
    error = re.search(r'id="a-add_evidence-e-file"[^>]*>([^<]+)<', _text(r)).group(1)
    assert "不是可接受的证据格式" in error


# --- item 7: labels, not codes; the next lawful step first, the rest folded ----------


def _visible(html: str) -> str:
    """The page's text as a reader sees it (no tags, attributes, scripts or styles)."""
    import html as entities

    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return entities.unescape(re.sub(r"<[^>]+>", " ", html))


def _declared_codes() -> set[str]:
    """Every code of every declared choice, and every field name of the action bodies
    that reads as code (snake_case)."""
    import marshmallow as ma

    from yimen.platform.cases.registry import SPECS

    codes: set[str] = set()
    for spec in SPECS.values():
        for name, f in (spec.body or {}).items():
            if "_" in name:
                codes.add(name)
            inner = f.inner if isinstance(f, ma.fields.List) else f
            for v in inner.validators:
                if isinstance(v, ma.validate.OneOf):
                    codes.update(v.choices)
    return codes


def _raw_codes(html: str, english: bool = False) -> list[str]:
    """Declared codes seen as words in the page; on an English page only the snake_case
    ones (a label may say "notice" or "serious" in plain English)."""
    text = _visible(html)
    codes = {c for c in _declared_codes() if "_" in c or not english}
    return sorted(c for c in codes if re.search(rf"(?<![\w-]){c}(?![\w-])", text))


def test_no_raw_code_of_a_declared_choice_shows_on_the_case_page(client, desk):
    case = filed(client, desk)
    case.do(
        "add_evidence", kind="audio_visual", title="现场油烟直排视频", collected_on="2026-11-20"
    )
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["head"]))
    assert "视听资料" in page
    assert _raw_codes(page) == []
    spot = Case(client, desk, matter_code="CG-0018")  # a draft that may be decided on the spot
    page = _text(client.get(f"/console/cases/{spot.id}", headers=desk["head"]))
    assert 'id="action-decide_on_spot"' in page and "罚款专用票据号" in page
    assert _raw_codes(page) == []
    english = _text(client.get(f"/console/cases/{spot.id}?lang=en", headers=desk["head"]))
    assert "Fine receipt number" in english
    assert _raw_codes(english, english=True) == []


def _unfolded(page: str) -> list[str]:
    """The action forms not inside a folded <details>, in page order."""
    folded = re.sub(r"<details\b.*?</details>", "", page, flags=re.S)
    return re.findall(r'<form [^>]*id="action-(\w+)"', folded)


def _folded(page: str) -> list[str]:
    return re.findall(r'<details class="action-fold" data-action="(\w+)"', page)


def test_the_next_lawful_step_is_shown_first_and_the_rest_folded(client, desk):
    case = filed(client, desk)
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["head"]))
    # 处罚法 第五十五条: the investigation's records first (the stage lacks 现场检查笔录)
    assert _unfolded(page) == ["add_record"]
    folded = _folded(page)
    assert "add_evidence" in folded and "recuse_officer" in folded and "add_record" not in folded
    summary = re.search(r'data-action="add_evidence">\s*<summary>([^<]+)</summary>', page)
    assert summary.group(1).strip() == "添加证据"
    case.do("add_record", kind="现场检查笔录", content="现场检查发现未安装油烟净化设施。")
    case.do("add_record", kind="询问笔录", content="当事人承认未安装净化设施。")
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["head"]))
    assert _unfolded(page) == ["add_evidence"]  # 第四十六条: no evidence yet
    case.do("add_evidence", kind="documentary", title="营业执照复印件")
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["head"]))
    assert _unfolded(page) == ["advance"]  # the stage is complete: go on
    assert "add_evidence" in _folded(page)
