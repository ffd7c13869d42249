"""The built-in provider's endpoints, one issuer per district at /oidc/<slug>."""

from __future__ import annotations

import time
import uuid

from authlib.oauth2 import OAuth2Error
from authlib.oidc.discovery import OpenIDProviderMetadata
from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from yimen.platform.auth.tokens import InvalidToken
from yimen.platform.idp import admin, throttle
from yimen.platform.idp.keys import published_keys
from yimen.platform.idp.model import OAuthClient
from yimen.platform.idp.provider import Client, User, active_officer, issuer, user_claims
from yimen.platform.idp.web.bearer import BearerError, bearer_token
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import bind_tenant
from yimen.platform.kernel.directory import Officer, Tenant, TenantStatus
from yimen.platform.kernel.permissions import public
from yimen.tenants.identity import required_actions
from yimen.tenants.identity.model import UPDATE_PASSWORD

bp = Blueprint("oidc", __name__, url_prefix="/oidc/<slug>")
SSO_KEY = "idp_sso"
CHANGE_KEY = "idp_password_change"  # signed in with a one-time password, per district
CHANGE_WINDOW_SECONDS = 600


@bp.url_value_preprocessor
def _bind_issuer(_endpoint, values) -> None:
    slug = values.pop("slug", None)
    with db.new_session() as s:
        tenant = s.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        raise NotFound()
    g.idp_tenant = tenant
    bind_tenant(tenant.id)


@bp.url_defaults
def _slug(endpoint, values) -> None:
    if "slug" not in values and g.get("idp_tenant") is not None:
        values["slug"] = g.idp_tenant.slug


def server():
    return current_app.extensions["yimen.authorization_server"]


def suspended() -> bool:
    return g.idp_tenant.status != TenantStatus.ACTIVE


def oauth_error(error: str, description: str, status: int = 400):
    response = jsonify(error=error, error_description=description)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/.well-known/openid-configuration")
@public
def discovery():
    base = issuer()
    metadata = OpenIDProviderMetadata(
        issuer=base,
        authorization_endpoint=f"{base}/authorize",
        token_endpoint=f"{base}/token",
        userinfo_endpoint=f"{base}/userinfo",
        jwks_uri=f"{base}/jwks",
        end_session_endpoint=f"{base}/logout",
        revocation_endpoint=f"{base}/revoke",
        revocation_endpoint_auth_methods_supported=[
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=["authorization_code", "client_credentials", "refresh_token"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post", "none"],
        scopes_supported=["openid", "profile", "offline_access"],
        claims_supported=[
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "name",
            "preferred_username",
            "agency",
            "realm_access",
            "resource_access",
        ],
        code_challenge_methods_supported=["S256"],
    )
    metadata.validate()
    return jsonify(dict(metadata))


@bp.get("/jwks")
@public
def jwks():
    response = jsonify(keys=[k.public_jwk for k in published_keys(db.session)])
    db.session.commit()
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _sso_user() -> User | None:
    entry = session.get(SSO_KEY, {}).get(g.idp_tenant.slug)
    if not entry:
        return None
    officer = active_officer(uuid.UUID(entry["officer_id"]))
    if officer is None or UPDATE_PASSWORD in required_actions.pending(db.session, officer.id):
        return None  # a new initial password was issued since: sign in with it and change it
    return User(officer, entry["auth_time"])


def _login_page(error: str | None = None, status: int = 200):
    return render_template(
        "idp/login.html",
        tenant=g.idp_tenant,
        error=error,
        query=request.args.to_dict(),
        username=request.form.get("username", ""),
    ), status


def _message(title: str, detail: str, status: int):
    return render_template(
        "idp/message.html", tenant=g.idp_tenant, title=title, detail=detail
    ), status


@bp.route("/authorize", methods=["GET", "POST"])
@public
def authorize():
    """Sign-in: validate the client's request, authenticate (or reuse the SSO session), issue a code."""
    if suspended():
        return _message(
            "该区已暂停使用平台",
            g.idp_tenant.suspended_reason or "This district is suspended.",
            403,
        )
    try:
        grant = server().get_consent_grant(end_user=None)
    except OAuth2Error as error:
        return _message(
            "登录请求无效 / Invalid sign-in request",
            error.get_error_description() or error.error,
            400,
        )
    except ValueError:
        # authlib refuses to quote a value with `"` or `\` (a redirect_uri, a response_type)
        # in its error description (RFC 6749 §5.2 allows neither) and raises instead: such
        # a value is never registered, so the request is simply invalid — never redirected.
        return _message(
            "登录请求无效 / Invalid sign-in request",
            "请求参数 (如 redirect_uri) 含有不允许的字符，且未登记于该客户端。"
            " A parameter of the request (such as redirect_uri) contains characters"
            " that are not allowed and is not registered for this client.",
            400,
        )
    client: Client = grant.client
    if client.is_public and not grant.request.payload.data.get("code_challenge"):
        return _message(
            "登录请求无效 / Invalid sign-in request",
            "PKCE (S256) is required for this client.",
            400,
        )
    if request.method == "GET":
        user = _sso_user() if request.args.get("prompt") != "login" else None
        if user is None:
            return _login_page()
        return server().create_authorization_response(grant=grant, grant_user=user)
    if "new_password" in request.form:
        return _update_password(grant)
    username = request.form.get("username", "").strip()
    address = request.remote_addr or ""
    refused = throttle.refusal(db.session, username, address)
    if refused is not None:
        return _refused_page(refused)
    officer = db.session.execute(
        select(Officer).where(Officer.username == username)
    ).scalar_one_or_none()
    # The same answer, and the same hashing work, for an unknown user, a wrong password
    # and a deactivated account.
    password_ok = admin.check_password(db.session, officer, request.form.get("password", ""))
    if officer is None or not password_ok or active_officer(officer.id) is None:
        throttle.record_failure(db.session, username, address)
        return _login_page(error="bad-credentials", status=401)
    throttle.record_success(db.session, username)
    db.session.commit()
    if UPDATE_PASSWORD in required_actions.pending(db.session, officer.id):
        # A one-time initial password (someone else has seen it) is only good for choosing
        # one's own: no code is issued until the new password is set.
        changes = dict(session.get(CHANGE_KEY, {}))
        changes[g.idp_tenant.slug] = {"officer_id": str(officer.id), "at": int(time.time())}
        session[CHANGE_KEY] = changes
        return _password_page(officer)
    return _signed_in(grant, officer)


def _signed_in(grant, officer: Officer):
    auth_time = int(time.time())
    sso = dict(session.get(SSO_KEY, {}))
    sso[g.idp_tenant.slug] = {"officer_id": str(officer.id), "auth_time": auth_time}
    session[SSO_KEY] = sso
    return server().create_authorization_response(grant=grant, grant_user=User(officer, auth_time))


def _refused_page(refused: throttle.Refusal):
    response = make_response(
        render_template(
            "idp/login.html",
            tenant=g.idp_tenant,
            error="locked" if refused.locked else "wait",
            retry_after=refused.retry_after,
            query=request.args.to_dict(),
            username=request.form.get("username", ""),
        ),
        423 if refused.locked else 429,
    )
    if not refused.locked:
        response.headers["Retry-After"] = str(refused.retry_after)
    return response


def _password_page(officer: Officer, problems: list[str] | None = None, status: int = 200):
    return render_template(
        "idp/update_password.html",
        tenant=g.idp_tenant,
        officer=officer,
        problems=problems or [],
        min_length=admin.MIN_PASSWORD_LENGTH,
        query=request.args.to_dict(),
    ), status


def _update_password(grant):
    """The second step after a one-time initial password: the officer's own password,
    typed twice; then the initial one no longer works and the code is issued."""
    entry = session.get(CHANGE_KEY, {}).get(g.idp_tenant.slug)
    officer = None
    if entry and time.time() - entry["at"] <= CHANGE_WINDOW_SECONDS:
        officer = active_officer(uuid.UUID(entry["officer_id"]))
    if officer is None or UPDATE_PASSWORD not in required_actions.pending(db.session, officer.id):
        return _login_page(error="change-expired", status=400)
    new = request.form.get("new_password", "")
    problems = admin.password_problems(
        db.session, officer, new, request.form.get("new_password_again", "")
    )
    if problems:
        return _password_page(officer, problems, 422)
    admin.set_password(db.session, officer, new)
    required_actions.complete(db.session, officer.id)
    db.session.commit()
    changes = dict(session.get(CHANGE_KEY, {}))
    changes.pop(g.idp_tenant.slug, None)
    session[CHANGE_KEY] = changes
    return _signed_in(grant, officer)


@bp.post("/token")
@public
def token():
    if suspended():
        return oauth_error("unauthorized_client", "This district is suspended.", 400)
    return server().create_token_response()


@bp.route("/userinfo", methods=["GET", "POST"])
@public
def userinfo():
    """OIDC Core §5.3: the token in the header, or in a form-encoded POST body (§5.3.1)."""
    try:
        token = bearer_token(request)
        try:
            identity = current_app.extensions["yimen.token_validator"].validate(token)
        except InvalidToken as exc:
            raise BearerError("invalid_token", exc.en, 401) from exc
        if identity.issuer != issuer():
            raise BearerError("invalid_token", "The token was issued by another district.", 401)
    except BearerError as error:
        return error.response()
    officer = db.session.execute(
        select(Officer).where(Officer.subject == identity.subject)
    ).scalar_one_or_none()
    if officer is None:
        return jsonify(
            sub=identity.subject, preferred_username=identity.username, name=identity.name
        )
    return jsonify({**user_claims(officer), "roles": officer.roles})


def _hinted_officer_and_client(hint: str) -> tuple[str | None, str | None]:
    """Subject and client of an ID token this issuer signed (expired ones too)."""
    try:
        keys = KeySet.import_key_set({"keys": [k.public_jwk for k in published_keys(db.session)]})
        claims = jwt.decode(hint, keys, algorithms=["RS256"]).claims
    except (JoseError, ValueError):
        return None, None
    if claims.get("iss") != issuer():
        return None, None
    aud = claims.get("aud")
    return claims.get("sub"), aud[0] if isinstance(aud, list) and aud else aud


@bp.post("/revoke")
@public
def revoke():
    """RFC 7009 token revocation, by authlib's RevocationEndpoint (yimen.platform.idp.revocation)."""
    if suspended():
        return oauth_error("unauthorized_client", "This district is suspended.", 400)
    return server().create_endpoint_response("revocation")


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    """End-session: forget the SSO session of this issuer, revoke the client's refresh tokens."""
    sso = dict(session.get(SSO_KEY, {}))
    sso.pop(g.idp_tenant.slug, None)
    session[SSO_KEY] = sso
    subject, client_id = _hinted_officer_and_client(request.values.get("id_token_hint", ""))
    client_id = client_id or request.values.get("client_id")
    if subject and client_id:
        officer = db.session.execute(
            select(Officer).where(Officer.subject == subject)
        ).scalar_one_or_none()
        if officer:
            admin.revoke_refresh_tokens(db.session, officer.id, client_id)
            db.session.commit()
    target = request.values.get("post_logout_redirect_uri")
    if target and client_id:
        client = db.session.execute(
            select(OAuthClient).where(OAuthClient.client_id == client_id)
        ).scalar_one_or_none()
        if client and target in client.post_logout_redirect_uris:
            return redirect(target)
    return _message("已退出登录 / Signed out", "您已安全退出。You have signed out.", 200)
