"""RFC 7807 problem+json errors with Chinese first and English beside it.

Every error the API returns goes through `problem_response`: a `type` URI naming the
problem, `title`/`detail` in Chinese, `title_en`/`detail_en` in English, the request id,
and for validation errors one entry per field with a message in both languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import g, jsonify
from werkzeug.exceptions import HTTPException

from yimen.platform.kernel import errors
from yimen.platform.kernel.errors import (
    Bilingual as Bilingual,  # re-exported: the views take it from here
)

PROBLEM_BASE = "https://yimen.gov.cn/problems/"
MEDIA_TYPE = "application/problem+json"

# Titles by HTTP status: (Chinese, English).
TITLES: dict[int, tuple[str, str]] = {
    400: ("请求格式有误", "Bad request"),
    401: ("未认证或凭据无效", "Unauthorized"),
    403: ("无权执行此操作", "Forbidden"),
    404: ("资源不存在", "Not found"),
    405: ("不支持该请求方法", "Method not allowed"),
    409: ("资源状态冲突", "Conflict"),
    413: ("请求体过大", "Request body too large"),
    415: ("不支持的内容类型", "Unsupported media type"),
    422: ("请求参数校验未通过", "Validation failed"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("服务器内部错误", "Internal server error"),
    503: ("服务暂不可用", "Service unavailable"),
}

SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


@dataclass
class FieldError:
    field: str
    message: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "message_en": self.message_en}


@dataclass
class Problem(Exception):
    """An error a caller can act on. Raise it anywhere below a view."""

    status: int
    code: str
    detail: str = ""
    detail_en: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail_en or self.detail}"


def problem_response(problem: Problem):
    title, title_en = TITLES.get(
        problem.status, TITLES[500] if problem.status >= 500 else TITLES[400]
    )
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + problem.code,
        "title": title,
        "title_en": title_en,
        "status": problem.status,
        "detail": problem.detail or title,
        "detail_en": problem.detail_en or title_en,
        "code": problem.code,
    }
    if problem.errors:
        body["errors"] = [e.as_dict() for e in problem.errors]
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update(problem.extra)
    response = jsonify(body)
    response.status_code = problem.status
    response.mimetype = MEDIA_TYPE
    for key, value in problem.headers.items():
        response.headers[key] = value
    return response


# marshmallow's English messages → Chinese. Parametrised ones are patterns.
_EXACT_ZH = {
    "Missing data for required field.": "此字段为必填项。",
    "Field may not be null.": "此字段不能为空值。",
    "Unknown field.": "不允许的未知字段。",
    "Not a valid string.": "应为字符串。",
    "Not a valid integer.": "应为整数。",
    "Not a valid number.": "应为数字。",
    "Not a valid boolean.": "应为布尔值。",
    "Not a valid list.": "应为列表。",
    "Not a valid mapping type.": "应为对象。",
    "Not a valid date.": "应为日期 (YYYY-MM-DD)。",
    "Not a valid datetime.": "应为日期时间 (ISO 8601)。",
    "Not a valid UUID.": "应为 UUID。",
    "Not a valid email address.": "应为有效的电子邮箱地址。",
    "Invalid value.": "取值无效。",
    "Invalid input type.": "输入类型无效。",
    "Invalid JSON body.": "请求体不是有效的 JSON。",
    "Shorter than minimum length 1.": "不能为空。",
    "String does not match expected pattern.": "格式不正确。",
}
_PATTERN_ZH = [
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "长度不能超过 {0}。"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "长度不能少于 {0}。"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "长度应在 {0} 到 {1} 之间。"),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        "应在 {0} 到 {1} 之间。",
    ),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "不能小于 {0}。"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), "不能大于 {0}。"),
    (re.compile(r"^Must be one of: (.+)\.$"), "应为以下取值之一：{0}。"),
]


def translate(message: str) -> tuple[str, str]:
    """(Chinese, English) for one marshmallow message."""
    if isinstance(message, Bilingual):
        return str(message), message.en
    if message in _EXACT_ZH:
        return _EXACT_ZH[message], message
    for pattern, template in _PATTERN_ZH:
        m = pattern.match(message)
        if m:
            return template.format(*m.groups()), message
    return message, message


def field_errors(messages: Any, prefix: str = "") -> list[FieldError]:
    """Flatten marshmallow's nested error dict into one entry per field path."""
    out: list[FieldError] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(field_errors(value, path))
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, dict | list):
                out.extend(field_errors(item, prefix))
            else:
                zh, en = translate(str(item) if not isinstance(item, Bilingual) else item)
                out.append(FieldError(prefix or "_schema", zh, en))
    else:
        zh, en = translate(messages if isinstance(messages, Bilingual) else str(messages))
        out.append(FieldError(prefix or "_schema", zh, en))
    return out


def from_http_exception(error: HTTPException) -> Problem:
    """Turn werkzeug/webargs errors into a Problem."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if messages:
        # webargs nests by location ("json", "query"); the location is not a field name.
        if isinstance(messages, dict) and set(messages) <= {
            "json",
            "query",
            "form",
            "files",
            "headers",
            "view_args",
        }:
            merged: list[FieldError] = []
            for location, inner in messages.items():
                merged.extend(field_errors(inner, "" if location == "json" else location))
            errors = merged
        else:
            errors = field_errors(messages)
        if any(e.message_en == "Invalid JSON body." for e in errors):
            return Problem(
                400,
                "malformed-json",
                "请求体不是有效的 JSON。",
                "The request body is not valid JSON.",
            )
        return Problem(
            status,
            SLUGS.get(status, "validation-failed"),
            "请求参数校验未通过，请按字段修正。",
            "Some fields are invalid; see errors.",
            errors=errors,
            headers=data.get("headers") or {},
        )
    if status == 429:
        return Problem(
            429,
            "rate-limited",
            "提交过于频繁，请稍后再试。",
            "Too many requests; try again later.",
            headers={"Retry-After": "60"},
        )
    if status == 413:
        return Problem(
            413,
            "payload-too-large",
            "请求体超过允许的大小。",
            "The request body exceeds the allowed size.",
        )
    if status == 405:
        allowed = ", ".join(sorted(getattr(error, "valid_methods", None) or []))
        return Problem(
            405,
            "method-not-allowed",
            "该地址不支持此请求方法。",
            "This method is not allowed here.",
            headers={"Allow": allowed} if allowed else {},
        )
    title, title_en = TITLES.get(status, TITLES[500])
    return Problem(status, SLUGS.get(status, "error"), title, title_en)


# The one translation of the kernel's domain errors into HTTP (the pages and the API both
# come through here; the gateway has its own for SOAP faults and dead letters).
_STATUS: dict[type[errors.DomainError], int] = {
    errors.Invalid: 422,
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.Conflict: 409,
    errors.Refused: 409,
    errors.Unavailable: 503,
    errors.TooLarge: 413,
}


def problem_of(error: errors.DomainError) -> Problem:
    """problem+json for a domain error: same code, same two languages, fields one by one."""
    status = next((s for cls, s in _STATUS.items() if isinstance(error, cls)), 400)
    zh, en = error.zh, error.en
    extra = dict(error.extra)
    if isinstance(error, errors.Refused):
        if error.on_input:
            status = 422
        if error.article:
            zh, en = f"{zh} ({error.article})", f"{en} ({error.article})"
        extra = {"rule": error.code, "article": error.article, **extra}
    return Problem(
        status,
        error.code,
        zh,
        en,
        errors=[FieldError(f.field, f.zh, f.en) for f in error.fields],
        extra=extra,
    )
