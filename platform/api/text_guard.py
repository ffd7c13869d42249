"""Control characters are refused at the edge, before any view or query sees them.

A NUL cannot be stored in a PostgreSQL text value and a lone surrogate cannot be encoded
as UTF-8; both used to surface as a 500 from deep inside a query. No person types either,
nor any other control character but tab and line breaks, so every text a request carries
(path segments, query and form fields, uploaded file names, JSON strings and keys) is
checked once here and a 422 names the field.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from flask import request

from yimen.platform.api.problems import FieldError, Problem

ALLOWED = frozenset("\t\n\r")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_control_character(text: str) -> bool:
    return any(ch not in ALLOWED and unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def _json_texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key)
            yield from _json_texts(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_texts(item, f"{path}[{index}]")


def _request_texts() -> Iterator[tuple[str, str]]:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield name, value
    for name, value in request.args.items(multi=True):
        yield name, name
        yield name, value
    if request.mimetype in FORM_TYPES:
        for name, value in request.form.items(multi=True):
            yield name, name
            yield name, value
        for name, upload in request.files.items(multi=True):
            yield name, upload.filename or ""
    elif request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            yield from _json_texts(body, "")


def refuse_control_characters() -> None:
    """before_request: a 422 naming every field that carries a control character."""
    if request.endpoint is None:
        return
    bad = sorted({name for name, text in _request_texts() if has_control_character(text)})
    if bad:
        raise Problem(
            422,
            "control-character",
            "填写的内容含有不可见的控制字符 (如 NUL)，请删除后重试。",
            "The input contains an invisible control character (such as NUL); remove it and retry.",
            errors=[
                FieldError(
                    name or "body",
                    "含有不允许的控制字符。",
                    "Contains a control character that is not allowed.",
                )
                for name in bad
            ],
        )
