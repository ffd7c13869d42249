"""HTML error pages for people (the API answers problem+json instead), and the security
headers of the pages this package serves."""

from __future__ import annotations

from flask import g, make_response, render_template
from werkzeug.exceptions import HTTPException

# Same origin only, no inline script or style (Swagger UI styles through the CSSOM, which
# the policy allows); no page of ours is meant to be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def harden(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# status → (title, title_en, what to do, what to do in English)
MESSAGES: dict[int, tuple[str, str, str, str]] = {
    400: (
        "请求有误",
        "Bad request",
        "请检查填写的内容或网址后重试。",
        "Check what you entered, or the address, and try again.",
    ),
    401: (
        "请先登录",
        "Please sign in",
        "该页面需要登录后访问，请通过工作人员入口登录。",
        "This page needs you to sign in; use the staff sign-in.",
    ),
    403: (
        "无权访问",
        "Access denied",
        "您的账号没有访问该页面的权限；如有疑问，请联系本单位管理员。",
        "Your account may not open this page; ask your administrator if you think it should.",
    ),
    404: (
        "页面不存在",
        "Page not found",
        "您访问的页面不存在或已被移除。请检查网址，或从首页重新进入。",
        "The page does not exist or has been removed. Check the address, or start again from the home page.",
    ),
    405: (
        "不支持该操作",
        "Method not allowed",
        "该页面不支持此操作，请返回上一页重试。",
        "This page does not support that action; go back and try again.",
    ),
    413: (
        "提交的内容过大",
        "Request too large",
        "请缩小附件或减少内容后重新提交。",
        "Make the attachment smaller, or send less, and try again.",
    ),
    429: (
        "操作过于频繁",
        "Too many requests",
        "请稍等几分钟后再试。",
        "Wait a few minutes and try again.",
    ),
    500: (
        "系统暂时出现问题",
        "Something went wrong on our side",
        "请稍后重试；如问题持续存在，请联系运维人员并提供下方的请求编号。",
        "Try again later; if it persists, contact support and quote the request id below.",
    ),
    503: (
        "服务暂不可用",
        "Service unavailable",
        "系统正在维护或繁忙，请稍后再试。",
        "The service is under maintenance or busy; try again later.",
    ),
}
DEFAULT = (
    "请求未能完成",
    "The request could not be completed",
    "请稍后重试；如仍有问题，请提供下方的请求编号。",
    "Try again later; if it persists, quote the request id below.",
)
# Headers of the error a browser should still see (the page's own Content-Type wins).
_PASSED_ON = frozenset({"allow", "retry-after", "www-authenticate"})


def _messages(code: int) -> tuple[str, str, str, str]:
    return MESSAGES.get(code, MESSAGES[500] if code >= 500 else DEFAULT)


def error_page(error: BaseException):
    """The page for an HTTP error; any other exception is shown as a 500."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    headers = error.get_headers() if isinstance(error, HTTPException) else []
    return _render(code, *_messages(code), headers)


def problem_page(problem):
    """A Problem raised under a page (not the API) shown to a person: its own detail as
    the heading, the status's advice below it."""
    title, title_en, hint, hint_en = _messages(problem.status)
    return _render(
        problem.status,
        problem.detail or title,
        problem.detail_en or title_en,
        hint,
        hint_en,
        problem.headers.items(),
    )


def _render(code, title, title_en, hint, hint_en, headers):
    html = render_template(
        "error.html",
        code=code,
        title=title,
        title_en=title_en,
        hint=hint,
        hint_en=hint_en,
        request_id=g.get("request_id"),
    )
    response = make_response(html, code)
    for name, value in headers:
        if name.lower() in _PASSED_ON:
            response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return harden(response)
