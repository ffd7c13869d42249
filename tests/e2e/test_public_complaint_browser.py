"""A citizen files a complaint with a photo on the public site; officers route it in
the console; the citizen follows it on the progress page. A second citizen is shown the
open complaint nearby and joins it (issue: One door, acceptance)."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from tests.e2e.test_clue_console_browser import SCJG, _transfer
from tests.integration.test_complaint_attachments import tiny_png

pytestmark = pytest.mark.browser
OIL_FUMES = "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"


def _file(page, base: str, place: str, description: str, phone: str, photo=None):
    page.goto(f"{base}/")
    page.get_by_role("link", name="投诉举报").click()
    form = page.locator("#complaint-form")
    form.get_by_label("问题类别", exact=True).select_option(label=OIL_FUMES)
    form.get_by_label("问题描述").fill(description)
    form.get_by_label("发生地点").fill(place)
    form.get_by_label("姓名").fill("王女士")
    form.get_by_label("手机号码").fill(phone)
    if photo is not None:
        form.get_by_label("照片 (可选，最多5张)").set_input_files(photo)
    return form


def _open_clue(page, code: str) -> None:
    page.get_by_role("link", name="线索收件箱").click()
    page.get_by_role("link", name=code).click()
    page.locator("#clue-history").wait_for()


def test_a_citizen_files_a_complaint_with_a_photo_and_sees_the_transfer_and_the_acceptance(
    page, sign_in, live_server, tmp_path, own_district
):
    slug = own_district["slug"]
    photo = tmp_path / "油烟.png"
    photo.write_bytes(tiny_png(8, 8))
    base = f"{live_server.url}/t/{slug}"
    place = f"玄武区珠江路{uuid.uuid4().int % 900 + 100}号"
    form = _file(page, base, place, "楼下饭店油烟直排，家里窗户都不敢开", "13912345678", photo)
    form.get_by_role("button", name="提交").click()
    code = page.locator("#receipt-code").inner_text()  # waits for the receipt page
    assert code.startswith("YM") and "测试区综合行政执法局" in page.content()

    officer = sign_in(f"{slug}.zhangwei")  # 综合执法局
    _open_clue(officer, code)
    link = officer.locator("#clue-attachments a").first
    assert link.inner_text() == "油烟.png"
    download = officer.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert hashlib.sha256(download.body()).digest() == hashlib.sha256(photo.read_bytes()).digest()
    assert "13912345678" not in officer.content()
    _transfer(officer, SCJG, "涉及无照经营，属市场监管职责")

    other = sign_in(f"{slug}.liuyang")  # 市场监督管理局
    _open_clue(other, code)
    other.locator("#accept-form").get_by_role("button", name="受理").click()
    assert other.get_by_role("status").inner_text() == "已受理。"

    page.goto(f"{base}/progress")
    page.get_by_label("回执码").fill(code)
    page.get_by_label("手机尾号后四位 (匿名投诉不填)").fill("5678")
    page.get_by_role("button", name="查询").click()
    page.locator("#progress-steps tbody tr").nth(2).wait_for()
    rows = page.locator("#progress-steps tbody tr").all_inner_texts()
    assert [r.split("\t")[1] for r in rows] == ["已分派至承办部门", "已移送其他部门", "已受理"]
    assert (
        "测试区市场监督管理局" in rows[-1]
        and "13912345678" not in page.content()
        and "王女士" not in page.content()
        and "涉及无照经营" not in page.content()  # officers' reasons stay inside
    )

    # A neighbour about to complain about the same restaurant is shown that complaint.
    form = _file(page, base, place, "同一家饭店油烟很大", "13700001111")
    nearby = page.locator("#nearby")
    nearby.wait_for()
    road = place.split("路")[0] + "路"  # someone else's complaint: the road, not the house
    # Other tests' complaints may stand on the same road: any of them is the same matter
    # at the same place as far as the public can tell, and joins the same way.
    option = nearby.get_by_role("radio", name=f"加入：{OIL_FUMES}，{road}（办理中", exact=False)
    option.first.check()
    assert "楼下饭店油烟直排" not in nearby.inner_text()  # no one's words or data shown
    assert place not in nearby.inner_text()
    form.get_by_role("button", name="提交").click()
    assert "已加入附近同一事项的投诉" in page.locator("#joined").inner_text()


def test_a_wrong_phone_number_on_the_form_is_explained_in_chinese(page, live_server, own_district):
    page.goto(f"{live_server.url}/t/{own_district['slug']}/complaint")
    form = page.locator("#complaint-form")
    form.get_by_label("问题描述").fill("路边违规停车占用人行道")
    form.get_by_label("发生地点").fill("中山路")
    form.get_by_label("手机号码").fill("1234")
    form.get_by_role("button", name="提交").click()
    assert page.get_by_role("alert").first.inner_text() == "请输入正确的11位手机号码。"
