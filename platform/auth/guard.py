"""Authenticate every request and check the endpoint's declared permission."""

from __future__ import annotations

from flask import current_app, g, request, session

from yimen.platform.api.problems import Problem
from yimen.platform.auth.tokens import InvalidToken, TokenValidator
from yimen.platform.kernel.audit.recorder import Actor, set_actor
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.agency_scope import bind_agency_scope, scope_for
from yimen.platform.kernel.db.tenancy import bind_open_transaction, bind_tenant
from yimen.platform.kernel.identity import Identity
from yimen.platform.kernel.permissions import allowed

SESSION_TOKEN_KEY = "console_access_token"


class NotSignedIn(Exception):
    """A console page was asked for without a session; the console redirects."""


def permission_of(endpoint: str | None, method: str) -> tuple[bool, str | None]:
    """(declared, action) for the view behind `endpoint` and `method`."""
    view = current_app.view_functions.get(endpoint or "")
    if view is None:
        return True, None  # 404 / static: nothing to guard
    view_class = getattr(view, "view_class", None)
    target = getattr(view_class, method.lower(), None) if view_class else view
    if target is None and method == "HEAD" and view_class:
        target = getattr(view_class, "get", None)
    if target is None:
        return True, None  # method not allowed: werkzeug answers 405
    if not hasattr(target, "yimen_permission"):
        return False, None
    return True, target.yimen_permission


def validator() -> TokenValidator:
    return current_app.extensions["yimen.token_validator"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def unauthorized(zh: str, en: str, code: str = "unauthorized") -> Problem:
    return Problem(
        401,
        code,
        zh,
        en,
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{en}"'},
    )


def guard_request() -> None:
    """before_request: identify the caller, bind its tenant and the records its agency
    reaches (kernel/db/agency_scope.py), enforce the permission."""
    g.identity = None
    bind_agency_scope(None)
    if request.endpoint is None or request.method == "OPTIONS":
        return
    declared, action = permission_of(request.endpoint, request.method)
    if not declared:
        raise Problem(
            403,
            "undeclared-permission",
            "该接口未声明权限，已拒绝。",
            "This endpoint declares no permission and is refused.",
        )
    if action is None:
        return
    console = (request.blueprint or "").startswith("console")
    token = bearer_token() or (session.get(SESSION_TOKEN_KEY) if console else None)
    if token is None:
        if console:
            raise NotSignedIn()
        raise unauthorized("缺少访问令牌。", "A bearer token is required.")
    try:
        identity: Identity = validator().validate(token)
    except InvalidToken as exc:
        if console:
            session.pop(SESSION_TOKEN_KEY, None)
            raise NotSignedIn() from exc
        if exc.code == "tenant-suspended":
            raise Problem(403, exc.code, exc.zh, exc.en) from exc
        raise unauthorized(exc.zh, exc.en, exc.code) from exc
    g.identity = identity
    bind_tenant(identity.tenant_id)
    if db.session().in_transaction():  # begun by the token's lookups: the request shares it
        bind_open_transaction(db.session())
    bind_agency_scope(scope_for(identity.roles, identity.agency, identity.username, action))
    set_actor(Actor(identity.username or identity.subject, identity.issuer, g.get("request_id")))
    if not allowed(identity.roles, action):
        raise Problem(
            403, "forbidden", "当前角色无权执行此操作。", f"Your roles do not allow '{action}'."
        )


def current_identity() -> Identity:
    identity = g.get("identity")
    if identity is None:
        raise unauthorized("缺少访问令牌。", "A bearer token is required.")
    return identity
