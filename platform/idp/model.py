"""State of the built-in identity provider. Every row belongs to one district (realm)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow


class SigningKey(Base, TenantOwned):
    """An RSA key of the district's issuer. Retired keys stay in the JWKS until every
    token they signed has expired, so rotation never breaks a live session."""

    __tablename__ = "idp_signing_key"
    __table_args__ = (UniqueConstraint("tenant_id", "kid"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kid: Mapped[str] = mapped_column(String(64))
    private_jwk: Mapped[dict] = mapped_column(JSON)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[dt.datetime | None]


class Credential(Base, TenantOwned):
    """An officer's password at the built-in provider (Keycloak keeps its own)."""

    __tablename__ = "idp_credential"
    __table_args__ = (
        UniqueConstraint("tenant_id", "officer_id"),
        tenant_fk("officer_id", "officer"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    officer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OAuthClient(Base, TenantOwned):
    """A client of the district's issuer: the console (public, PKCE) or a machine
    client (confidential, client credentials) with the roles of its service account."""

    __tablename__ = "idp_client"
    __table_args__ = (UniqueConstraint("tenant_id", "client_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64))
    client_secret_hash: Mapped[str | None] = mapped_column(String(255))
    # the secret itself, sealed (kernel/sealing.py), for a client allowed on a SOAP
    # connector: a WS-Security digest is checked against the password, not a hash
    client_secret_sealed: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(100))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    grant_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    scope: Mapped[str] = mapped_column(String(255), default="openid profile")
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(40))
    service_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    agency_code: Mapped[str | None] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuthorizationCode(Base, TenantOwned):
    __tablename__ = "idp_authorization_code"
    __table_args__ = (UniqueConstraint("tenant_id", "code"), tenant_fk("officer_id", "officer"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(120))
    client_id: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[uuid.UUID]
    redirect_uri: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(255), default="")
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    auth_time: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[dt.datetime]
    used: Mapped[bool] = mapped_column(default=False)


class RefreshToken(Base, TenantOwned):
    """Refresh tokens are stored hashed and rotate on every use. The tokens of one grant
    (a sign-in at one client, and every rotation since) share `grant_id`, which the
    access tokens issued with them carry as `sid`: revoking the grant revokes both."""

    __tablename__ = "idp_refresh_token"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        tenant_fk("officer_id", "officer"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[uuid.UUID]
    grant_id: Mapped[str | None] = mapped_column(String(36), index=True)
    scope: Mapped[str] = mapped_column(String(255), default="")
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class RevokedToken(Base, TenantOwned):
    """An access token revoked before it expired (RFC 7009): one token by its `jti`, or
    every access token of a grant by its `sid`. Access tokens are self-contained JWTs, so
    the API refuses these through the token validator's cache (a new row bumps
    auth_epoch); a row is of no use once `expires_at`, the end of the last access token
    it covers, has passed."""

    __tablename__ = "idp_revoked_token"
    __table_args__ = (UniqueConstraint("tenant_id", "claim", "value"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    claim: Mapped[str] = mapped_column(String(3))  # jti / sid
    value: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class SignInThrottle(Base, TenantOwned):
    """Failed sign-ins at the district's issuer, counted per submitted user name (known
    or not) and per client address. Kept in the database so that every process serving
    the issuer sees the same counters; see yimen.platform.idp.throttle for the rule."""

    __tablename__ = "idp_sign_in_throttle"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))  # user / address
    key: Mapped[str] = mapped_column(String(255))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[dt.datetime | None]
    locked_at: Mapped[dt.datetime | None]
