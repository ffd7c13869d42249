"""HTML error pages for people (the API answers problem+json instead)."""

from __future__ import annotations

from flask import g, render_template
from werkzeug.exceptions import HTTPException

MESSAGES = {
    404: (
        "页面不存在",
        "Page not found",
        "请检查网址，或返回首页。",
        "Check the address, or go back to the home page.",
    ),
    405: ("不支持该操作", "Method not allowed", "请返回上一页重试。", "Go back and try again."),
    413: (
        "提交的内容过大",
        "Request too large",
        "请缩小文件后重试。",
        "Make the file smaller and try again.",
    ),
}
DEFAULT = (
    "请求未能完成",
    "The request could not be completed",
    "请稍后重试；如仍有问题，请提供下方的请求编号。",
    "Try again later; if it persists, quote the request id below.",
)


def error_page(error: HTTPException):
    code = error.code or 500
    title, title_en, hint, hint_en = MESSAGES.get(code, DEFAULT)
    return render_template(
        "error.html",
        code=code,
        title=title,
        title_en=title_en,
        hint=hint,
        hint_en=hint_en,
        request_id=g.get("request_id"),
    ), code


def problem_page(problem) -> tuple[str, int]:
    """A Problem raised under a page (not the API) shown to a person."""
    return render_template(
        "error.html",
        code=problem.status,
        title=problem.detail,
        title_en=problem.detail_en,
        hint="",
        hint_en="",
        request_id=g.get("request_id"),
    ), problem.status
