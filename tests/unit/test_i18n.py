"""Chinese first, English second: every message of every template has its English, and
the language a person picks is the one they keep."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, render_template_string

from yimen.platform.web import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "platform" / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# Every template folder of the project, including those feature packages add later.
TEMPLATE_DIRS = sorted(
    folder
    for top in ("platform", "tenants", "gateway", "connectors")
    for folder in (ROOT / top).rglob("templates")
    if folder.is_dir()
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _template_messages() -> dict[str, str]:
    """msgid → the first template using it, extracted the way pybabel would."""
    found: dict[str, str] = {}
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            for _line, message, _comments, _context in extract_from_file(
                "jinja2.ext:babel_extract", str(path)
            ):
                for msgid in message if isinstance(message, tuple) else (message,):
                    if msgid:
                        found.setdefault(msgid, str(path.relative_to(ROOT)))
    return found


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def test_the_web_templates_are_among_the_folders_checked():
    assert ROOT / "platform" / "web" / "templates" in TEMPLATE_DIRS
    assert len(_template_messages()) > 50


def test_every_template_message_has_an_english_translation():
    translated = {m.id for m in _catalog() if m.id and m.string}
    missing = {
        msgid: where for msgid, where in _template_messages().items() if msgid not in translated
    }
    assert missing == {}, "add these to messages.po: " + repr(missing)


def test_the_catalog_has_no_duplicate_entries():
    ids = re.findall(r'^msgid "(.+)"$', PO.read_text(), re.M)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_translations_keep_every_placeholder():
    for message in _catalog():
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(message.id)) == set(
                PLACEHOLDER.findall(message.string)
            ), message.id


def test_the_catalog_compiles_and_translates(tmp_path):
    i18n.compile_catalogs(i18n.TRANSLATIONS, tmp_path)
    translations = Translations.load(str(tmp_path), ["en"])
    assert translations.gettext("首页") == "Home"
    assert translations.gettext("目录里没有的话") == "目录里没有的话"  # falls back to Chinese


# --- choosing the language ------------------------------------------------------


@pytest.fixture
def web(tmp_path):
    """A bare Flask app with only the i18n part of the platform."""
    app = Flask(__name__)
    app.extensions["yimen.settings"] = SimpleNamespace(var_dir=tmp_path)
    i18n.init_app(app)
    page = (
        '<html lang="{{ html_lang }}"><a href="?lang={{ other_lang }}{{ lang_keep }}">x</a>'
        '{{ _("首页") }} {{ now|dateformat("yyyy") }}</html>'
    )
    app.add_url_rule("/", "page", lambda: render_template_string(page))
    return app.test_client()


def test_chinese_is_the_default_whatever_the_browser_prefers(web):
    r = web.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="zh-CN">' in r.text and "首页" in r.text
    assert "Set-Cookie" not in r.headers


def test_a_chosen_language_is_remembered_in_a_cookie(web):
    r = web.get("/?lang=en")
    assert '<html lang="en">' in r.text and "Home" in r.text
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith(f"{i18n.LANG_COOKIE}=en;") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert '<html lang="en">' in web.get("/").text


def test_the_cookie_is_written_only_when_the_choice_changes(web):
    web.get("/?lang=en")
    assert "Set-Cookie" not in web.get("/?lang=en").headers
    assert web.get("/?lang=zh").headers["Set-Cookie"].startswith(f"{i18n.LANG_COOKIE}=zh;")
    assert '<html lang="zh-CN">' in web.get("/").text


def test_an_unknown_language_is_ignored(web):
    r = web.get("/?lang=fr")
    assert '<html lang="zh-CN">' in r.text and "Set-Cookie" not in r.headers


def test_pages_say_they_vary_by_the_language_cookie(web):
    assert "Cookie" in web.get("/").headers["Vary"]


def test_the_language_switch_keeps_the_rest_of_the_query(web):
    r = web.get("/?domain=environment&lang=zh&page=2")
    assert 'href="?lang=en&amp;domain=environment&amp;page=2"' in r.text
    assert 'href="?lang=zh"' in web.get("/?lang=en").text
