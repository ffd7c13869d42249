"""Officer console: sign-in through the district's issuer (authorization code + PKCE).

The console is an OIDC client like any other: it sends the browser to the issuer,
exchanges the code over HTTP at the token endpoint, checks the ID token, and keeps the
access token in the signed session cookie. Every console page then passes the same
token validation and permission table as the API.
"""

from __future__ import annotations

import secrets

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error
from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy import select

from yimen.platform.auth.guard import SESSION_TOKEN_KEY, current_identity
from yimen.platform.auth.tokens import InvalidToken
from yimen.platform.idp.admin import CONSOLE_CLIENT_ID
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Agency, Tenant, TenantKind, TenantStatus
from yimen.platform.kernel.permissions import ROLES, public, requires

bp = Blueprint("console", __name__, url_prefix="/console")
LOGIN_KEY = "console_login"
ID_TOKEN_KEY = "console_id_token"
DISTRICT_KEY = "console_district"


def _settings():
    return current_app.extensions["yimen.settings"]


def _validator():
    return current_app.extensions["yimen.token_validator"]


def _oauth() -> OAuth2Session:
    return OAuth2Session(
        CONSOLE_CLIENT_ID,
        scope="openid profile offline_access",
        redirect_uri=f"{_settings().public_url}/console/callback",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )


def redirect_to_login():
    """Where the app sends a console request that has no valid session."""
    district = request.args.get("district") or session.get(DISTRICT_KEY)
    return redirect(url_for("console.login", district=district, next=request.path))


def _safe_next(target: str | None) -> str:
    return (
        target
        if target and target.startswith("/console") and not target.startswith("//")
        else url_for("console.home")
    )


@bp.get("/login")
@public
def login():
    """Pick a district (if none given), then go to its issuer to sign in."""
    slug = request.args.get("district")
    with db.new_session() as s:
        tenants = (
            s.execute(select(Tenant).order_by(Tenant.kind, Tenant.division_code)).scalars().all()
        )
    tenant = next((t for t in tenants if t.slug == slug), None)
    if tenant is None:
        choices = [t for t in tenants if t.status == TenantStatus.ACTIVE]
        return render_template(
            "console/pick_district.html", tenants=choices, next=request.args.get("next")
        )
    issuer = _settings().builtin_issuer(tenant.slug)
    verifier, state, nonce = (
        generate_token(64),
        secrets.token_urlsafe(24),
        secrets.token_urlsafe(24),
    )
    url, _ = _oauth().create_authorization_url(
        f"{issuer}/authorize", state=state, code_verifier=verifier, nonce=nonce
    )
    session[LOGIN_KEY] = {
        "slug": tenant.slug,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": _safe_next(request.args.get("next")),
    }
    return redirect(url)


@bp.get("/callback")
@public
def callback():
    pending = session.pop(LOGIN_KEY, None)
    if not pending or request.args.get("state") != pending["state"]:
        return _failed(
            "登录状态已失效，请重新登录。", "The sign-in has expired; please sign in again."
        )
    if "error" in request.args:
        return _failed(
            "身份认证未完成。", request.args.get("error_description") or request.args["error"]
        )
    issuer = _settings().builtin_issuer(pending["slug"])
    try:
        token = _oauth().fetch_token(
            f"{issuer}/token",
            code=request.args.get("code"),
            code_verifier=pending["verifier"],
            state=pending["state"],
            timeout=10,
        )
        _check_id_token(token.get("id_token", ""), pending["slug"], issuer, pending["nonce"])
        _validator().validate(token["access_token"])
    except (OAuth2Error, requests.RequestException, InvalidToken, JoseError, ValueError) as exc:
        current_app.logger.warning("console sign-in failed: %s", type(exc).__name__)
        return _failed("登录失败，请重试。", "Sign-in failed; please try again.")
    session.clear()
    session[SESSION_TOKEN_KEY] = token["access_token"]
    session[ID_TOKEN_KEY] = token.get("id_token")
    session[DISTRICT_KEY] = pending["slug"]
    return redirect(pending["next"])


def _check_id_token(id_token: str, slug: str, issuer: str, nonce: str) -> None:
    from yimen.platform.idp.keys import builtin_key_set

    claims = jwt.decode(id_token, builtin_key_set(slug), algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        leeway=30,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": CONSOLE_CLIENT_ID},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(claims)


def _failed(zh: str, en: str):
    return render_template("console/message.html", title=zh, detail=en), 400


@bp.get("/logout")
@public
def logout():
    """Forget the console session and end the SSO session at the issuer."""
    slug, id_token = session.get(DISTRICT_KEY), session.get(ID_TOKEN_KEY)
    session.clear()
    if not slug:
        return redirect(url_for("console.login"))
    issuer = _settings().builtin_issuer(slug)
    params = {
        "client_id": CONSOLE_CLIENT_ID,
        "post_logout_redirect_uri": f"{_settings().public_url}/console/",
    }
    if id_token:
        params["id_token_hint"] = id_token
    return redirect(f"{issuer}/logout?{requests.compat.urlencode(params)}")


@bp.get("/")
@requires("self.read")
def home():
    """The workbench: the signed-in person's to-do list (a district's staff), then who
    is signed in: name, district, agency, roles."""
    identity = current_identity()
    with db.new_session() as s:
        tenant = s.execute(select(Tenant).where(Tenant.id == identity.tenant_id)).scalar_one()
    with tenant_scope(identity.tenant_id), db.new_session() as s:
        agency = s.execute(
            select(Agency).where(Agency.code == identity.agency)
        ).scalar_one_or_none()
    roles = [(r, *ROLES.get(r, (r, r))) for r in sorted(identity.roles)]
    is_region = tenant.kind == TenantKind.REGION
    board = None if is_region else current_app.extensions["yimen.workbench"](db.session, identity)
    return render_template(
        "console/home.html",
        identity=identity,
        tenant=tenant,
        agency=agency,
        roles=roles,
        is_region=is_region,
        board=board,
    )


@bp.app_context_processor
def _console_user():
    identity = g.get("identity")
    return {
        "console_identity": identity
        if request.blueprint and request.blueprint.startswith("console")
        else None
    }
