"""Chinese first, English second.

Message ids are the Chinese text itself (what a zh-CN user reads); English lives in
translations/en/LC_MESSAGES/messages.po, compiled to .mo at start-up when the .po is
newer. The language is chosen by `?lang=zh|en` (remembered in a cookie), then the
cookie, then zh-CN. Dates are shown in Asia/Shanghai.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel

TRANSLATIONS = Path(__file__).parent / "translations"
LANG_COOKIE = "yimen_lang"
LANGUAGES = {"zh": "zh_Hans_CN", "en": "en"}


def compile_catalogs(source: Path, target: Path) -> None:
    for po_path in source.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po, mo_path.open("wb") as mo:
            write_mo(mo, read_po(po, locale=po_path.parts[-3]))


def current_lang() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LANGUAGES else "zh"


def _select_locale() -> str:
    return LANGUAGES[current_lang()]


def init_app(app: Flask) -> None:
    compiled = app.extensions["yimen.settings"].var_dir / "i18n"
    compile_catalogs(TRANSLATIONS, compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=_select_locale)

    @app.context_processor
    def _lang():
        lang = current_lang()
        return {
            "lang": lang,
            "html_lang": "zh-CN" if lang == "zh" else "en",
            "other_lang": "en" if lang == "zh" else "zh",
        }

    @app.after_request
    def _remember(response):
        chosen = request.args.get("lang")
        if chosen in LANGUAGES and g.get("lang_cookie_set") is None:
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Lax")
        return response
