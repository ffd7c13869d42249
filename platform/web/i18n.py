"""Chinese first, English second.

Message ids are the Chinese text itself (what a zh-CN user reads); English lives in
translations/en/LC_MESSAGES/messages.po, compiled to .mo at start-up when the .po is
newer. The language is chosen by `?lang=zh|en` (remembered in a cookie), then the
cookie, then zh-CN — never the browser's Accept-Language: the platform speaks Chinese
unless a person asks otherwise. Dates are shown in Asia/Shanghai (flask-babel's
`datetimeformat` and `dateformat` filters convert to it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel

TRANSLATIONS = Path(__file__).parent / "translations"
LANG_COOKIE = "yimen_lang"
LANG_COOKIE_MAX_AGE = 365 * 86400
LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}
TIMEZONE = "Asia/Shanghai"


def compile_catalogs(source: Path, target: Path) -> None:
    for po_path in source.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po, mo_path.open("wb") as mo:
            write_mo(mo, read_po(po, locale=po_path.parts[-3]))


def chosen_lang() -> str | None:
    """The language asked for in this request's query string, if it is one we speak."""
    chosen = request.args.get("lang")
    return chosen if chosen in LANGUAGES else None


def current_lang() -> str:
    chosen = chosen_lang()
    if chosen:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LANGUAGES else "zh"


def kept_query() -> str:
    """The rest of this request's query string as `&k=v…` (or nothing), for the language
    switch `?lang=<other>` to keep a filter, a page number or a deep link as it is."""
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return "&" + urlencode(rest) if rest else ""


def _select_locale() -> str:
    return LANGUAGES[current_lang()]


def _remember_choice(response):
    """Set the cookie when a person picks a language that differs from the one remembered
    (not on every request that carries ?lang=), and tell caches the page depends on it."""
    chosen = chosen_lang()
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    compiled = app.extensions["yimen.settings"].var_dir / "i18n"
    compile_catalogs(TRANSLATIONS, compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES["zh"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=_select_locale)

    @app.context_processor
    def _lang():
        lang = current_lang()
        other = "en" if lang == "zh" else "zh"
        return {
            "lang": lang,
            "html_lang": HTML_LANG[lang],
            "other_lang": other,
            "other_html_lang": HTML_LANG[other],
            "lang_keep": kept_query(),
            "now": g.setdefault("now", dt.datetime.now(dt.UTC)),
        }

    app.after_request(_remember_choice)
