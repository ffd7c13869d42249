"""The interactive API documentation at /api/docs, served without any CDN."""

from __future__ import annotations

import re

import pytest
from lxml import html


def _local_assets(page: str) -> list[str]:
    doc = html.fromstring(page)
    return doc.xpath("//script/@src") + doc.xpath('//link[@rel="stylesheet" or @rel="icon"]/@href')


def test_the_docs_page_is_chinese_first(client):
    r = client.get("/api/docs")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert '<html lang="zh-CN">' in page
    title = html.fromstring(page).findtext(".//title")
    assert title.startswith("接口文档 · 一门")
    english = html.fromstring(client.get("/api/docs?lang=en").get_data(as_text=True))
    assert english.findtext(".//title").startswith("API documentation")


def test_every_script_and_stylesheet_of_the_page_is_served_here(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assets = _local_assets(page)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert any("swagger-ui.css" in a for a in assets)
    for url in assets:
        assert url.startswith("/"), url
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.mimetype in {
            "text/css",
            "text/javascript",
            "application/javascript",
            "image/svg+xml",
        }
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)  # no CDN, no protocol-relative URL


def test_the_scripts_fetch_nothing_from_elsewhere(client):
    starter = client.get("/static/docs.js").get_data(as_text=True)
    assert "http" not in starter and "validatorUrl: null" in starter
    css = client.get("/api/docs/assets/swagger-ui.css").get_data(as_text=True)
    assert "@import" not in css


def test_the_page_reads_the_generated_openapi_document(client):
    doc = html.fromstring(client.get("/api/docs").get_data(as_text=True))
    spec_url = doc.get_element_by_id("swagger-ui").get("data-spec")
    assert spec_url == "/api/openapi.json"
    spec = client.get(spec_url).get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/agencies" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_only_the_assets_the_page_needs_are_exposed(client):
    assert client.get("/api/docs/assets/index.html").status_code == 404
    assert client.get("/api/docs/assets/../../app.py").status_code == 404
    assert client.get("/api/docs/assets/swagger-ui-bundle.js.map").status_code == 200


def test_the_docs_page_is_sent_with_security_headers(client):
    r = client.get("/api/docs")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.browser
def test_swagger_ui_renders_the_operations_without_leaving_the_origin(page, live_server):
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/api/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/agencies").first.wait_for()
    assert page.get_by_role("heading", level=1).first.inner_text().startswith("接口文档")
    assert page.locator(".opblock").count() > 20
    assert [u for u in requests if not u.startswith(live_server.url)] == []
    assert problems == []
