"""The built-in OpenID Connect provider, built on authlib.

One AuthorizationServer serves every district's issuer: the issuer (and so the
tenant, the signing key and the clients) comes from the `/oidc/<slug>` URL, bound by
the blueprint before any query runs. Tokens are shaped like Keycloak's so that the
resource server treats the built-in provider and a Keycloak realm alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin, ClientMixin, TokenMixin
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import current_app, g
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select, update

from yimen.platform.idp import admin
from yimen.platform.idp.keys import active_key
from yimen.platform.idp.model import AuthorizationCode, OAuthClient, RefreshToken
from yimen.platform.kernel.db import db, utcnow
from yimen.platform.kernel.directory import Agency, Officer, OfficerStatus
from yimen.platform.kernel.identity import SERVICE_ACCOUNT_PREFIX, service_account_subject

CODE_LIFETIME = dt.timedelta(minutes=5)
ID_TOKEN_LIFETIME = 300


def settings():
    return current_app.extensions["yimen.settings"]


def issuer() -> str:
    return settings().builtin_issuer(g.idp_tenant.slug)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- adapters between our rows and authlib's mixins ------------------------------


@dataclass
class Client(ClientMixin):
    row: OAuthClient

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return self.row.redirect_uris[0] if self.row.redirect_uris else None

    def get_allowed_scope(self, scope):
        allowed = set(self.row.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.row.redirect_uris

    def check_client_secret(self, client_secret):
        return admin.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        """The token and revocation endpoints (RFC 7009 §2.1) authenticate a client alike."""
        if endpoint not in ("token", "revocation"):
            return True
        if self.row.token_endpoint_auth_method == "none":
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code" and "authorization_code" in self.row.grant_types

    def check_grant_type(self, grant_type):
        return grant_type in self.row.grant_types

    @property
    def is_public(self) -> bool:
        return self.row.token_endpoint_auth_method == "none"


@dataclass
class User:
    officer: Officer
    auth_time: int = 0
    grant_id: str | None = None  # the grant the tokens issued now belong to

    @classmethod
    def of_new_grant(cls, officer: Officer, auth_time: int) -> User:
        return cls(officer, auth_time, str(uuid.uuid4()))

    def get_user_id(self):
        return self.officer.subject


@dataclass
class Code(AuthorizationCodeMixin):
    row: AuthorizationCode

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope

    def get_nonce(self):
        return self.row.nonce

    def get_auth_time(self):
        return self.row.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return ["pwd"]


@dataclass
class Refresh(TokenMixin):
    row: RefreshToken

    def check_client(self, client):
        return self.row.client_id == client.get_client_id()

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return int((self.row.expires_at - self.row.issued_at).total_seconds())

    def is_expired(self):
        return self.row.expires_at <= utcnow()

    def is_revoked(self):
        return self.row.revoked_at is not None


def active_officer(officer_id) -> Officer | None:
    officer = db.session.execute(
        select(Officer).where(Officer.id == officer_id)
    ).scalar_one_or_none()
    return officer if officer is not None and officer.status == OfficerStatus.ACTIVE else None


# --- grants ---------------------------------------------------------------------


class S256Only(CodeChallenge):
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        db.session.add(
            AuthorizationCode(
                code=code,
                client_id=request.client.get_client_id(),
                officer_id=request.user.officer.id,
                redirect_uri=request.payload.redirect_uri or "",
                scope=request.payload.scope or "",
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                auth_time=request.user.auth_time,
                expires_at=utcnow() + CODE_LIFETIME,
            )
        )
        db.session.commit()

    def query_authorization_code(self, code, client):
        """Claims the code atomically: of two concurrent exchanges only one gets it, and
        a failed exchange (wrong verifier) burns it too."""
        claimed = db.session.execute(
            update(AuthorizationCode)
            .where(
                AuthorizationCode.code == code,
                AuthorizationCode.client_id == client.get_client_id(),
                AuthorizationCode.used.is_(False),
                AuthorizationCode.expires_at > utcnow(),
            )
            .values(used=True)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            return None
        db.session.commit()
        row = db.session.execute(
            select(AuthorizationCode).where(AuthorizationCode.code == code)
        ).scalar_one()
        return Code(row)

    def delete_authorization_code(self, authorization_code):
        pass  # claimed (used=True) when it was queried

    def authenticate_user(self, authorization_code):
        officer = active_officer(authorization_code.row.officer_id)
        return User.of_new_grant(officer, authorization_code.row.auth_time) if officer else None


class PkceChallenge(S256Only):
    def get_authorization_code_challenge(self, authorization_code):
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code):
        return authorization_code.row.code_challenge_method


class OpenIDCodeExtension(OpenIDCode):
    def exists_nonce(self, nonce, request):
        return (
            db.session.execute(
                select(AuthorizationCode.id).where(
                    AuthorizationCode.nonce == nonce,
                    AuthorizationCode.client_id == request.payload.client_id,
                )
            ).first()
            is not None
        )

    def resolve_client_private_key(self, client):
        return active_key(db.session).private_jwk

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": active_key(db.session).kid, "typ": "JWT"}

    def get_client_claims(self, client):
        return {
            "iss": issuer(),
            "aud": [client.get_client_id()],
            "exp": int(time.time()) + ID_TOKEN_LIFETIME,
        }

    def generate_user_info(self, user, scope):
        return user_claims(user.officer)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        row = db.session.execute(
            select(RefreshToken).where(RefreshToken.token_hash == _hash(refresh_token))
        ).scalar_one_or_none()
        if row is None:
            return None
        if row.revoked_at is not None:
            # A rotated token used again: someone holds a copy. Revoke the whole family.
            admin.revoke_refresh_tokens(db.session, row.officer_id, row.client_id)
            db.session.commit()
            return None
        token = Refresh(row)
        return None if token.is_expired() else token

    def authenticate_user(self, refresh_token):
        officer = active_officer(refresh_token.row.officer_id)
        if officer is None:
            return None
        # a token issued before grants were recorded starts one now
        return User(officer, grant_id=refresh_token.row.grant_id or str(uuid.uuid4()))

    def revoke_old_credential(self, refresh_token):
        refresh_token.row.revoked_at = utcnow()  # authlib calls this after save_token
        db.session.commit()


# --- tokens ---------------------------------------------------------------------


def user_claims(officer: Officer) -> dict:
    agency = db.session.execute(select(Agency.code).where(Agency.id == officer.agency_id)).scalar()
    return {
        "sub": officer.subject,
        "preferred_username": officer.username,
        "name": officer.name,
        "agency": agency,
    }


def access_claims(client: Client, user: User | None, scope: str, lifetime: int) -> dict:
    now = int(time.time())
    slug = g.idp_tenant.slug
    if user is not None:
        identity = user_claims(user.officer)
        if user.grant_id:
            identity["sid"] = user.grant_id  # revoking the grant revokes this token
        roles = user.officer.roles
    else:
        row = client.row
        identity = {
            "sub": service_account_subject(issuer(), row.client_id),
            "preferred_username": f"{SERVICE_ACCOUNT_PREFIX}{row.client_id}",
            "name": row.name,
            "agency": row.agency_code,
        }
        roles = list(row.service_roles)
    return {
        "iss": issuer(),
        "aud": [settings().audience],
        "azp": client.get_client_id(),
        "client_id": client.get_client_id(),
        "exp": now + lifetime,
        "iat": now,
        "nbf": now,
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "scope": scope or "",
        "realm_access": {"roles": [f"default-roles-{slug}", "offline_access"]},
        "resource_access": {settings().audience: {"roles": roles}},
        **identity,
    }


def generate_tokens(
    grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True
):
    lifetime = settings().token_lifetime_seconds
    key = active_key(db.session)
    claims = access_claims(client, user, scope or "", lifetime)
    access = jwt.encode(
        {"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, RSAKey.import_key(key.private_jwk)
    )
    token = {
        "token_type": "Bearer",
        "access_token": access,
        "expires_in": lifetime,
        "scope": scope or "",
    }
    if include_refresh_token and user is not None and client.check_grant_type("refresh_token"):
        token["refresh_token"] = secrets.token_urlsafe(48)
        token["refresh_expires_in"] = settings().refresh_lifetime_seconds
    return token


def save_token(token, request) -> None:
    refresh = token.get("refresh_token")
    if refresh and request.user is not None:
        now = utcnow()
        db.session.add(
            RefreshToken(
                token_hash=_hash(refresh),
                client_id=request.client.get_client_id(),
                officer_id=request.user.officer.id,
                grant_id=request.user.grant_id,
                scope=token.get("scope", ""),
                issued_at=now,
                expires_at=now + dt.timedelta(seconds=settings().refresh_lifetime_seconds),
            )
        )
    db.session.commit()


def query_client(client_id: str) -> Client | None:
    row = db.session.execute(
        select(OAuthClient).where(OAuthClient.client_id == client_id, OAuthClient.enabled.is_(True))
    ).scalar_one_or_none()
    return Client(row) if row else None


def build_server(app) -> AuthorizationServer:
    server = AuthorizationServer()
    server.init_app(app, query_client=query_client, save_token=save_token)
    server.register_token_generator("default", generate_tokens)
    server.register_grant(
        AuthorizationCodeGrant,
        [OpenIDCodeExtension(require_nonce=False), PkceChallenge(required=True)],
    )
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(RefreshTokenGrant)
    return server
