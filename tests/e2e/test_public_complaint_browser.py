"""A citizen files a complaint with a photo on the public site and follows it while
agencies route it. (The officers act through the API here.)"""

from __future__ import annotations

import hashlib

import pytest

from tests.integration.test_clue_routing_api import _agency_client
from tests.integration.test_complaint_attachments import tiny_png

pytestmark = pytest.mark.browser


def test_a_citizen_files_a_complaint_and_sees_the_transfer_and_the_acceptance(
    page, live_server, app, client, tmp_path
):
    photo = tmp_path / "油烟.png"
    photo.write_bytes(tiny_png(8, 8))
    base = f"{live_server.url}/t/xuanwu"
    page.goto(f"{base}/")
    page.get_by_role("link", name="投诉举报").click()
    form = page.locator("#complaint-form")
    form.get_by_label("问题类别").select_option(
        label="餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"
    )
    form.get_by_label("问题描述").fill("楼下饭店油烟直排，家里窗户都不敢开")
    form.get_by_label("发生地点").fill("玄武区珠江路88号")
    form.get_by_label("姓名").fill("王女士")
    form.get_by_label("手机号码").fill("13912345678")
    form.get_by_label("照片 (可选，最多5张)").set_input_files(photo)
    form.get_by_role("button", name="提交").click()
    code = page.locator("#receipt-code").inner_text()  # waits for the receipt page
    assert code.startswith("YM") and "玄武区综合行政执法局" in page.content()

    legal = _agency_client(live_server, app, "sfj", ["legal_affairs"])
    clue = next(
        c
        for c in client.get("/api/v1/clues?page_size=100", headers=legal).json["items"]
        if c["receipt_code"] == code
    )
    zhzf, scjg = (
        _agency_client(live_server, app, "zhzf", ["officer"]),
        _agency_client(live_server, app, "scjg", ["officer"]),
    )
    attached = client.get(f"/api/v1/clues/{clue['id']}/attachments", headers=zhzf).json
    assert [(a["filename"], a["media_type"]) for a in attached["items"]] == [
        ("油烟.png", "image/png")
    ]
    download = client.get(
        f"/api/v1/clues/{clue['id']}/attachments/{attached['items'][0]['id']}", headers=zhzf
    )
    assert hashlib.sha256(download.data).digest() == hashlib.sha256(photo.read_bytes()).digest()
    scjg_id = client.get("/api/v1/agencies?q=scjg", headers=legal).json["items"][0]["id"]
    assert (
        client.post(
            f"/api/v1/clues/{clue['id']}/transfer",
            json={"to_agency_id": scjg_id, "reason": "涉及无照经营"},
            headers=zhzf,
        ).status_code
        == 200
    )
    assert client.post(f"/api/v1/clues/{clue['id']}/accept", headers=scjg).status_code == 200

    page.goto(f"{base}/progress")
    page.get_by_label("回执码").fill(code)
    page.get_by_label("手机尾号后四位 (匿名投诉不填)").fill("5678")
    page.get_by_role("button", name="查询").click()
    page.locator("#progress-steps tbody tr").nth(2).wait_for()
    rows = page.locator("#progress-steps tbody tr").all_inner_texts()
    assert [r.split("\t")[1] for r in rows] == ["已分派至承办部门", "已移送其他部门", "已受理"]
    assert (
        "玄武区市场监督管理局" in rows[-1]
        and "13912345678" not in page.content()
        and "王女士" not in page.content()
    )


def test_a_wrong_phone_number_on_the_form_is_explained_in_chinese(page, live_server):
    page.goto(f"{live_server.url}/t/xuanwu/complaint")
    form = page.locator("#complaint-form")
    form.get_by_label("问题描述").fill("路边违规停车占用人行道")
    form.get_by_label("发生地点").fill("中山路")
    form.get_by_label("手机号码").fill("1234")
    form.get_by_role("button", name="提交").click()
    assert page.get_by_role("alert").first.inner_text() == "请输入正确的11位手机号码。"
