"""The hotline desk (issue 13, item 9) and a police officer's clue (item 11).

A 12345 work order is one clue whether an operator types it or the 12345 platform pushes
it, in either order; the call's time is not in the future; the matters are chosen by name,
grouped by domain. A citizen chooses the agency or "not sure" (the holder of the matter);
the progress check carries the phone digits in a body, never in a URL. A police officer
registers the clues it finds and reads back only its own."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import bearer
from tests.integration.conftest import _agency_client

HOTLINE = "/console/clues/hotline"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OIL_FUMES = "CG-0014"  # held by the comprehensive bureau (zhzf) on the demo's power list


@pytest.fixture
def people(live_server, app, desks, machine_token):
    return {
        **desks,
        "hotline": _agency_client(live_server, app, "zhzf", ["hotline_operator"], desks["slug"]),
        "police": _agency_client(live_server, app, "gafj", ["police"], desks["slug"]),
        "platform": bearer(machine_token(desks["slug"], ["gateway_client"])),
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def _token(client, path: str, headers=None) -> str:
    page = _text(client.get(path, headers=headers or {}))
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _call(client, headers, **form):
    body = {
        "csrf_token": _token(client, HOTLINE, headers),
        "source": "hotline_12345",
        "description": "小区门口餐馆油烟直排，影响居民",
        "place": f"玄武区中山路{uuid.uuid4().hex[:6]}号",
        "complainant_name": "李先生",
        "complainant_phone": "13912345678",
        **form,
    }
    return client.post(HOTLINE, data=body, headers={**headers, "Accept": "text/html"})


def _push(client, people, order: str):
    """The 12345 platform pushes the work order through the gateway."""
    body = {
        "source": "hotline_12345",
        "source_ref": order,
        "description": "市民来电反映餐馆油烟直排",
        "place": "玄武区中山路1号",
        "matter_code": OIL_FUMES,
    }
    return client.post("/api/v1/clues/inbound", json=body, headers=people["platform"])


def _clues_of(people, order: str) -> list:
    from yimen.platform.intake.model import Clue
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(people["tenant_id"]), db.new_session() as s:
        return list(
            s.execute(
                select(Clue.id, Clue.source, Clue.received_at).where(Clue.source_ref == order)
            ).all()
        )


def _order() -> str:
    return "GD" + dt.date.today().strftime("%Y%m%d") + uuid.uuid4().hex[:6].upper()


def _minutes_ago(minutes: int) -> str:
    at = dt.datetime.now(SHANGHAI) - dt.timedelta(minutes=minutes)
    return at.strftime("%Y-%m-%dT%H:%M")


# --- item 9: the hotline desk ------------------------------------------------------------


def test_a_typed_12345_order_is_the_same_clue_when_the_platform_pushes_it_later(client, people):
    order = _order()
    typed = _call(client, people["hotline"], source_ref=order.lower(), received_at=_minutes_ago(30))
    assert typed.status_code == 302 and "known" not in typed.headers["Location"]
    page = _text(client.get(typed.headers["Location"], headers=people["hotline"]))
    code = re.search(r'id="receipt-code">([A-Z0-9]+)<', page).group(1)

    pushed = _push(client, people, order)
    assert pushed.status_code == 200 and pushed.json["receipt_code"] == code
    assert pushed.json["source"] == "hotline_12345" and pushed.json["source_ref"] == order
    ((_, source, received_at),) = _clues_of(people, order)
    assert source == "hotline_12345" and received_at is not None


def test_a_pushed_12345_order_is_not_entered_again_when_an_operator_types_it(client, people):
    order = _order()
    pushed = _push(client, people, order)
    assert pushed.status_code == 201
    typed = _call(client, people["hotline"], source_ref=f" {order[:6]} {order[6:]} ")
    assert typed.status_code == 302 and "known=1" in typed.headers["Location"]
    page = _text(client.get(typed.headers["Location"], headers=people["hotline"]))
    assert "该工单已登记为线索，未重复登记。" in page
    assert pushed.json["receipt_code"] not in page  # another's clue: no receipt read back
    assert len(_clues_of(people, order)) == 1


def test_the_same_order_by_the_api_twice_is_one_clue(client, people):
    order = _order()
    body = {
        "source": "hotline_12345",
        "source_ref": order,
        "description": "工地夜间施工噪声扰民",
        "place": "玄武区龙蟠路",
        "received_at": (dt.datetime.now(SHANGHAI) - dt.timedelta(hours=1)).isoformat(),
    }
    first = client.post("/api/v1/clues", json=body, headers=people["hotline"])
    again = client.post("/api/v1/clues", json=body, headers=people["hotline"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"] and first.json["received_at"]


def test_a_12345_call_needs_its_order_and_a_call_time_that_is_not_in_the_future(client, people):
    tomorrow = (dt.datetime.now(SHANGHAI) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = _call(client, people["hotline"], received_at=tomorrow)
    page = _text(r)
    assert r.status_code == 422
    assert 'id="h-e-source_ref"' in page and "12345热线来电请填写工单号" in page
    assert 'id="h-e-received_at"' in page and "不能晚于现在" in page

    api = client.post(
        "/api/v1/clues",
        json={
            "source": "hotline",
            "description": "工地夜间施工噪声扰民",
            "place": "玄武区龙蟠路",
            "received_at": (dt.datetime.now(SHANGHAI) + dt.timedelta(hours=2)).isoformat(),
        },
        headers=people["hotline"],
    )
    assert api.status_code == 422 and api.content_type == "application/problem+json"
    (problem,) = api.json["errors"]
    assert problem["field"] == "received_at" and "来电时间" in problem["message"]
    assert "call" in problem["message_en"]


def test_the_hotline_form_offers_both_hotlines_and_matters_by_domain_by_name(client, people):
    page = _text(client.get(HOTLINE, headers=people["hotline"]))
    assert 'value="hotline"' in page and 'value="hotline_12345"' in page
    assert 'name="source_ref"' in page and 'type="datetime-local"' in page
    select_box = page.split('id="h-matter_code"')[1].split("</select>")[0]
    assert '<optgroup label="城市管理"' in select_box
    assert f'<option value="{OIL_FUMES}">餐饮服务业经营者未安装油烟净化设施' in select_box
    shown = re.sub(r'value="[^"]*"', "", select_box)
    assert not re.search(r"[A-Z]{2}-\d{4}", shown)  # no raw code on the screen
    assert 'id="h-matter-filter"' in page and "matter-filter.js" in page


def test_a_12319_call_keeps_its_id_and_time(client, people):
    call_id = "12319-" + uuid.uuid4().hex[:8]
    at = _minutes_ago(45)
    r = _call(client, people["hotline"], source="hotline", source_ref=call_id, received_at=at)
    assert r.status_code == 302
    ((_, source, received_at),) = _clues_of(people, call_id.upper())
    local = received_at.replace(tzinfo=received_at.tzinfo or dt.UTC).astimezone(SHANGHAI)
    assert source == "hotline" and local.strftime("%Y-%m-%dT%H:%M") == at


# --- item 9: the citizen chooses the agency, or not sure -------------------------------


def _complain(client, slug, **form):
    body = {
        "csrf_token": _token(client, f"/t/{slug}/complaint"),
        "description": "楼下烧烤店油烟很大",
        "place": f"玄武区珠江路{uuid.uuid4().hex[:6]}号",
        "anonymous": "on",
        **form,
    }
    r = client.post(f"/t/{slug}/complaint", data=body)
    return r.status_code, _text(r)


def test_a_citizen_chooses_the_agency_or_not_sure_which_goes_to_the_matters_holder(client, people):
    form = _text(client.get(f"/t/{people['slug']}/complaint"))
    agencies = form.split('id="f-agency_id"')[1].split("</select>")[0]
    assert "不确定，按问题类别交有权部门" in agencies and "测试区市场监督管理局" in agencies
    assert "人民检察院" not in agencies and '<optgroup label="城市管理"' in form

    status, done = _complain(client, people["slug"], matter_code=OIL_FUMES)
    assert status == 201 and "测试区综合行政执法局" in done  # not sure: the holder
    status, done = _complain(
        client, people["slug"], matter_code=OIL_FUMES, agency_id=people["ids"]["scjg"]
    )
    assert status == 201 and "测试区市场监督管理局" in done  # the agency chosen
    status, done = _complain(client, people["slug"])
    assert status == 201 and "综合行政执法局" not in done  # neither: the legal-affairs office


def test_a_citizen_cannot_send_a_complaint_to_an_agency_that_does_not_take_them(client, people):
    r = client.post(
        f"/api/v1/public/{people['slug']}/complaints",
        json={
            "description": "楼下烧烤店油烟很大",
            "place": "玄武区珠江路",
            "anonymous": True,
            "agency_id": people["ids"]["jcy"],
        },
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "agency_id"
    assert r.json["errors"][0]["message_en"]


# --- item 9: the progress check keeps the phone digits out of the URL ------------------


def test_the_progress_check_posts_the_phone_digits_and_a_url_with_them_is_refused(
    client, own_district
):
    slug = own_district["slug"]
    phone = "139" + uuid.uuid4().int.__str__()[:8]
    receipt = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={"description": "占道经营影响通行", "place": "新街口", "phone": phone},
    ).json
    code = receipt["receipt_code"]

    form = _text(client.get(f"/t/{slug}/progress"))
    assert re.search(r'<form method="post" id="progress-form"', form)
    asked = {"csrf_token": _token(client, f"/t/{slug}/progress"), "code": code}
    shown = client.post(f"/t/{slug}/progress", data={**asked, "phone4": phone[-4:]})
    assert shown.status_code == 200 and 'id="progress-steps"' in _text(shown)

    in_url = client.get(f"/t/{slug}/progress?code={code}&phone4={phone[-4:]}")
    assert in_url.status_code == 303 and phone[-4:] not in in_url.headers["Location"]
    again = _text(client.get(in_url.headers["Location"]))
    assert "请在下方输入手机尾号后四位再查询" in again and code in again

    api = client.post(f"/api/v1/public/{slug}/progress", json={"code": code, "phone4": phone[-4:]})
    assert api.status_code == 200 and api.json["receipt_code"] == code
    refused = client.get(f"/api/v1/public/{slug}/progress?code={code}&phone4={phone[-4:]}")
    assert refused.status_code == 422 and refused.json["errors"][0]["field"].endswith("phone4")


# --- item 11: a police officer registers the clue it found ------------------------------


def test_a_police_officer_registers_a_clue_it_found_and_reads_only_its_own(client, people):
    police = people["police"]
    found = {
        "description": "巡逻发现某加油站夜间违规储存散装汽油",
        "place": "玄武区龙蟠中路",
        "matter_code": OIL_FUMES,
    }
    r = client.post("/api/v1/clues", json=found, headers=police)
    assert r.status_code == 201 and r.json["source"] == "police"
    mine = r.json
    assert client.get(f"/api/v1/clues/{mine['id']}", headers=police).status_code == 200

    other = client.post(
        "/api/v1/clues", json={**found, "source": "patrol"}, headers=people["zhzf"]
    ).json
    assert client.get(f"/api/v1/clues/{other['id']}", headers=police).status_code == 404
    listed = client.get("/api/v1/clues?page_size=100", headers=police).json["items"]
    assert mine["id"] in [c["id"] for c in listed] and other["id"] not in [c["id"] for c in listed]

    as_patrol = client.post("/api/v1/clues", json={**found, "source": "patrol"}, headers=police)
    assert as_patrol.status_code == 422 and as_patrol.json["errors"][0]["field"] == "source"
    accept = client.post(f"/api/v1/clues/{mine['id']}/accept", headers=police)
    assert accept.status_code == 403  # registers and reads back; routes nothing


def test_a_police_officer_registers_a_clue_in_the_console(client, people):
    police = people["police"]
    page = _text(client.get(HOTLINE, headers=police))
    assert "登记线索" in page and 'name="source_ref"' not in page
    r = client.post(
        HOTLINE,
        data={
            "csrf_token": _token(client, HOTLINE, police),
            "description": "民警巡查发现流动摊贩占道经营",
            "place": "玄武区新街口",
        },
        headers={**police, "Accept": "text/html"},
    )
    assert r.status_code == 302
    done = _text(client.get(r.headers["Location"], headers=police))
    code = re.search(r'id="receipt-code">([A-Z0-9]+)<', done).group(1)
    inbox = _text(client.get("/console/clues/?source=police", headers=police))
    assert code in inbox
