"""A citizen files a complaint at the public door and follows it with the receipt code."""

from __future__ import annotations

import random

import pytest

from tests.conftest import bearer


@pytest.fixture
def slug(own_district) -> str:
    """The module's own district: the complaints are filed there."""
    return own_district["slug"]


def _phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def test_a_citizen_files_and_follows_a_complaint_without_seeing_anyones_personal_data(
    client, live_server, machine_token, slug
):
    phone = _phone()
    r = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={
            "matter_code": "CG-0014",
            "description": "小区楼下餐馆油烟直排，窗户都不敢开",
            "place": "玄武区珠江路88号",
            "name": "王女士",
            "phone": phone,
        },
    )
    assert r.status_code == 201, r.json
    receipt = r.json
    assert receipt["receipt_code"].startswith("YM") and receipt["agency"] == "测试区综合行政执法局"
    progress = client.post(
        f"/api/v1/public/{slug}/progress",
        json={"code": receipt["receipt_code"], "phone4": phone[-4:]},
    ).json
    assert [s["step"] for s in progress["steps"]] == ["已分派至承办部门"]
    assert progress["steps"][0]["agency"] == "测试区综合行政执法局"
    assert phone not in str(progress) and "王女士" not in str(progress)


def test_the_wrong_phone_digits_get_the_same_answer_as_an_unknown_code(client, slug):
    phone = _phone()
    code = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={"description": "工地夜间施工噪声扰民", "place": "玄武区北京东路", "phone": phone},
    ).json["receipt_code"]
    wrong = client.post(
        f"/api/v1/public/{slug}/progress",
        json={"code": code, "phone4": "0000" if phone[-4:] != "0000" else "1111"},
    )
    unknown = client.post(
        f"/api/v1/public/{slug}/progress", json={"code": "YMAAAAAAAAAA", "phone4": "1234"}
    )
    assert (
        wrong.status_code == unknown.status_code == 404
        and wrong.json["detail"] == unknown.json["detail"]
    )


def test_an_anonymous_complaint_is_followed_with_the_code_alone(client, slug):
    r = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={"description": "有人在绿地内焚烧垃圾", "place": "玄武湖公园东门", "anonymous": True},
    )
    assert r.status_code == 201
    assert (
        client.get(f"/api/v1/public/{slug}/progress?code={r.json['receipt_code']}").status_code
        == 200
    )


def test_a_named_complaint_needs_a_valid_mobile_number(client, slug):
    r = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={"description": "占道经营影响通行", "place": "新街口", "phone": "010-1234"},
    )
    assert r.status_code == 422 and r.json["errors"][0]["message"] == "请输入正确的11位手机号码。"
    r = client.post(
        f"/api/v1/public/{slug}/complaints",
        json={"description": "占道经营影响通行", "place": "新街口"},
    )
    assert r.status_code == 422 and "匿名" in r.json["errors"][0]["message"]


def test_one_phone_number_may_file_five_complaints_an_hour(client, slug):
    phone = _phone()
    body = {"description": "占道经营影响通行", "place": "新街口", "phone": phone}
    codes = [
        client.post(f"/api/v1/public/{slug}/complaints", json=body).status_code for _ in range(6)
    ]
    assert codes == [201] * 5 + [429]
    refused = client.post(f"/api/v1/public/{slug}/complaints", json=body)
    assert (
        refused.content_type == "application/problem+json"
        and refused.json["detail"] == "提交过于频繁，请稍后再试。"
    )


def test_the_complaint_reaches_the_agencys_queue(client, machine_token, slug):
    client.post(
        f"/api/v1/public/{slug}/complaints",
        json={
            "matter_code": "CG-0014",
            "description": "餐馆油烟扰民 (队列测试)",
            "place": "玄武区",
            "anonymous": True,
        },
    )
    legal = bearer(machine_token(slug, ["legal_affairs"]))
    items = client.get("/api/v1/clues?page_size=100", headers=legal).json["items"]
    assert any(
        c["description"] == "餐馆油烟扰民 (队列测试)" and c["source"] == "public_web" for c in items
    )


def test_a_body_that_is_not_an_object_is_a_clear_error_not_a_crash(client, slug):
    """Found by schemathesis: the per-phone rate limit read a JSON array as an object."""
    r = client.post(f"/api/v1/public/{slug}/complaints", json=[None, None])
    assert r.status_code == 422 and r.content_type == "application/problem+json"
