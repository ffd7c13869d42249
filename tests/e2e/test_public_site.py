"""The public site: the region's districts and each district's page, Chinese first."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from lxml import html

from yimen.platform.kernel.directory import TenantStatus
from yimen.platform.web.public import ENTRY_POINTS

SHANGHAI = ZoneInfo("Asia/Shanghai")
HTML = {"Accept": "text/html,application/xhtml+xml"}


def _doc(response):
    return html.fromstring(response.get_data(as_text=True))


def _tile(doc, key: str):
    return doc.xpath(f'//*[@id="services"]//li[@data-service="{key}"]')[0]


def _texts(elements) -> list[str]:
    return [e.text_content().strip() for e in elements]


def _suspended_district(new_district, name: str):
    from yimen.platform.kernel.db import db
    from yimen.tenants.directory.onboarding import set_tenant_status

    tenant = new_district(name)
    with db.new_session() as s:
        set_tenant_status(s, tenant.id, TenantStatus.SUSPENDED, "测试")
    return tenant


# --- the region home ------------------------------------------------------------


def test_the_region_home_lists_the_districts_in_chinese(client):
    r = client.get("/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert '<html lang="zh-CN">' in page
    links = {a.text_content(): a.get("href") for a in _doc(r).xpath('//*[@id="districts"]//a')}
    assert links["南京市玄武区"] == "/t/xuanwu/" and links["南京市秦淮区"] == "/t/qinhuai/"
    assert "一门平台运营" not in page  # the operator's realm is not a district


def test_english_is_one_click_away_and_remembered(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Xuanwu District, Nanjing" in page and '<html lang="en">' in page
    again = client.get("/").get_data(as_text=True)
    assert "Qinhuai District, Nanjing" in again and '<html lang="en">' in again
    assert '<html lang="zh-CN">' in client.get("/?lang=zh").get_data(as_text=True)
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_the_language_switch_links_to_the_other_language_and_keeps_the_query(client):
    doc = _doc(client.get("/t/xuanwu/powers?domain=environment"))
    switch = doc.xpath('//header//a[@class="lang"]')[0]
    assert switch.text_content() == "English" and switch.get("lang") == "en"
    assert switch.get("href") == "?lang=en&domain=environment"
    assert _texts(_doc(client.get("/?lang=en")).xpath('//header//a[@class="lang"]')) == ["中文"]


def test_a_suspended_district_is_listed_with_a_notice(client, new_district):
    tenant = _suspended_district(new_district, "暂停列表区")
    item = next(
        li
        for li in _doc(client.get("/")).xpath('//*[@id="districts"]/li')
        if "暂停列表区" in li.text_content()
    )
    assert item.xpath(".//a")[0].get("href") == f"/t/{tenant.slug}/"
    assert "暂停办理" in item.text_content()


def test_the_footer_shows_todays_date_in_beijing_time(client):
    before = dt.datetime.now(SHANGHAI).date()
    stamp = _doc(client.get("/")).xpath("//footer//time")[0].get("datetime")
    assert stamp in {before.isoformat(), dt.datetime.now(SHANGHAI).date().isoformat()}


# --- a district page ------------------------------------------------------------


def test_a_district_page_lists_its_agencies_and_not_the_other_districts(client):
    r = client.get("/t/xuanwu/")
    page = r.get_data(as_text=True)
    assert "玄武区综合行政执法局" in page and "玄综执罚" in page and "320102" in page
    assert "秦淮区" not in page
    rows = {
        row.xpath("./th")[0].text_content(): _texts(row.xpath("./td"))
        for row in _doc(r).xpath('//*[@id="enforcing-agencies"]/tbody/tr')
    }
    assert rows["玄武区综合行政执法局"][0] == "综合行政执法局"
    assert "城市管理" in rows["玄武区综合行政执法局"][1]
    assert rows["玄武区综合行政执法局"][2] == "玄综执罚"
    oversight = _texts(_doc(r).xpath('//*[@id="oversight-agencies"]/tbody/tr/th'))
    assert "玄武区司法局" in oversight and "玄武区司法局" not in rows


def test_a_district_page_in_english_names_the_district_and_the_kinds_in_english(client):
    page = client.get("/t/qinhuai/?lang=en").get_data(as_text=True)
    assert "Qinhuai District, Nanjing" in page and "Comprehensive enforcement bureau" in page
    assert "Urban management" in page and "Power list" in page
    assert "玄武" not in page


def test_every_entry_point_links_to_its_page_or_says_it_is_coming_soon(client, app):
    doc = _doc(client.get("/t/xuanwu/"))
    assert {li.get("data-service") for li in doc.xpath('//*[@id="services"]/li')} == {
        e.key for e in ENTRY_POINTS
    }
    for entry in ENTRY_POINTS:
        tile = _tile(doc, entry.key)
        links = tile.xpath(".//a")
        if entry.endpoint in app.view_functions:
            assert links and client.get(links[0].get("href"), headers=HTML).status_code == 200
        else:
            assert not links and "即将开放" in tile.text_content()
    assert _tile(doc, "powers").xpath(".//a")[0].get("href") == "/t/xuanwu/powers"


def test_disclosure_is_announced_as_coming_soon_in_both_languages(client, app):
    if "disclosure_public.penalties" in app.view_functions:
        pytest.skip("disclosures are published now")
    assert "即将开放" in _tile(_doc(client.get("/t/xuanwu/")), "disclosure").text_content()
    assert (
        "Coming soon" in _tile(_doc(client.get("/t/xuanwu/?lang=en")), "disclosure").text_content()
    )


def test_an_unknown_district_is_a_chinese_404_page_with_the_request_id(client):
    r = client.get("/t/atlantis/", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html"
    doc = _doc(r)
    assert _texts(doc.xpath("//h1")) == ["页面不存在"]
    assert _texts(doc.xpath('//*[@id="request-id"]')) == [r.headers["X-Request-Id"]]
    assert doc.xpath('//main//a[contains(@class, "button")]')[0].get("href") == "/"
    english = _doc(client.get("/t/atlantis/?lang=en", headers=HTML))
    assert _texts(english.xpath("//h1")) == ["Page not found"]


def test_a_suspended_districts_page_stays_readable(client, app, new_district):
    tenant = _suspended_district(new_district, "暂停测试区")
    r = client.get(f"/t/{tenant.slug}/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "暂停测试区" in page and "暂停在线办理" in page
    complaint = _tile(_doc(r), "complaint")
    if "public_pages.complaint_form" in app.view_functions:
        assert not complaint.xpath(".//a") and "暂停受理" in complaint.text_content()
    assert _tile(_doc(r), "powers").xpath(".//a")  # what is published stays readable


# --- errors, headers and small files -------------------------------------------


def test_a_wrong_method_is_an_html_page_that_says_what_is_allowed(client):
    r = client.post("/", headers=HTML)
    assert r.status_code == 405 and r.mimetype == "text/html"
    assert "GET" in r.headers["Allow"] and "不支持该操作" in r.get_data(as_text=True)


def test_any_error_can_be_shown_as_a_page_without_its_internals(app):
    from werkzeug.exceptions import TooManyRequests

    from yimen.platform.web.pages import error_page

    with app.test_request_context("/", headers=HTML):
        crash = error_page(RuntimeError("database password wrong"))
        throttled = error_page(TooManyRequests(retry_after=60))
    assert crash.status_code == 500 and "系统暂时出现问题" in crash.get_data(as_text=True)
    assert "password" not in crash.get_data(as_text=True)
    assert crash.headers["Cache-Control"] == "no-store"
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "60"


def test_api_paths_keep_answering_problem_json_to_a_browser(client):
    r = client.get("/api/v1/no-such-thing", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


def test_public_pages_are_sent_with_security_headers(client):
    for path in ("/", "/t/xuanwu/", "/t/atlantis/"):
        r = client.get(path, headers=HTML)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_the_stylesheet_icon_and_robots_file_are_served(client):
    assert client.get("/static/yimen.css").status_code == 200
    assert client.get("/favicon.ico").headers["Location"].endswith("/static/favicon.svg")
    assert client.get("/static/favicon.svg").mimetype == "image/svg+xml"
    robots = client.get("/robots.txt")
    assert robots.mimetype == "text/plain" and "Disallow: /console/" in robots.get_data(
        as_text=True
    )


# --- in a browser ---------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_district_page_fits_a_phone_and_a_desktop(page, live_server, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="南京市玄武区").click()
    page.wait_for_url(f"{live_server.url}/t/xuanwu/")
    assert page.get_by_role("heading", level=1).inner_text() == "南京市玄武区"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(tmp_path / f"district-{width}.png"), full_page=True)
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Xuanwu District, Nanjing"
    page.get_by_role("link", name="Power list").click()
    page.wait_for_url(f"{live_server.url}/t/xuanwu/powers")
    assert page.locator("html").get_attribute("lang") == "en"


def test_an_unexpected_error_on_a_page_is_a_readable_chinese_page(client, monkeypatch):
    from yimen.platform.web import public as public_module

    def explode(*args, **kwargs):
        raise RuntimeError("postgres://secret@db")

    monkeypatch.setattr(public_module, "district_or_404", explode)
    r = client.get("/t/xuanwu/", headers={"Accept": "text/html"})
    assert r.status_code == 500 and r.content_type.startswith("text/html")
    assert "secret" not in r.get_data(as_text=True)
