"""Resource-server side of OIDC: validate a bearer token and derive the caller.

The tenant comes from the token's issuer and nothing else: the issuer must match one
of the configured templates (`YIMEN_TRUSTED_ISSUERS`, `{slug}` standing for a district),
the district must exist and be active, and the signature must verify against *that*
issuer's JWKS. RS256 only; issuer, audience, expiry and not-before are checked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.auth.cache import AuthCache, CachedTenant
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.db.tenancy import bind_open_transaction
from yimen.platform.kernel.directory import Officer, OfficerStatus, Tenant, TenantStatus
from yimen.platform.kernel.identity import Identity, service_account_subject

T = TypeVar("T")
ALGORITHM = "RS256"
LEEWAY_SECONDS = 30


class InvalidToken(Exception):
    """Why a token was refused, in both languages (never echoes the token)."""

    def __init__(self, zh: str, en: str, code: str = "invalid-token") -> None:
        super().__init__(en)
        self.zh, self.en, self.code = zh, en, code


@dataclass(frozen=True)
class IssuerMatch:
    issuer: str
    slug: str
    builtin: bool


class IssuerTemplates:
    """Maps an issuer URL to a district slug through templates like `…/realms/{slug}`."""

    def __init__(self, templates: tuple[str, ...], builtin_prefix: str) -> None:
        self._patterns = []
        self._templates = templates
        self._builtin_prefix = builtin_prefix
        for template in templates:
            head, _, tail = template.partition("{slug}")
            regex = re.compile(
                "^" + re.escape(head) + r"([a-z0-9][a-z0-9-]{0,39})" + re.escape(tail) + "$"
            )
            self._patterns.append((regex, template.startswith(builtin_prefix)))

    def outside_templates(self) -> list[str]:
        return [t for t in self._templates if not t.startswith(self._builtin_prefix)]

    def match(self, issuer: str) -> IssuerMatch | None:
        for regex, builtin in self._patterns:
            m = regex.match(issuer)
            if m:
                return IssuerMatch(issuer, m.group(1), builtin)
        return None


class RemoteJwks:
    """JWKS of an outside issuer (Keycloak), fetched over HTTP via its discovery
    document and cached; an unknown `kid` refetches at most once every 30 s."""

    TTL = 300
    MIN_REFETCH = 30

    def __init__(self, http_get: Callable[..., requests.Response] = requests.get) -> None:
        self._get = http_get
        self._cache: dict[str, tuple[float, KeySet]] = {}
        self._lock = threading.Lock()

    def key_set(self, issuer: str, kid: str | None) -> KeySet:
        with self._lock:
            cached = self._cache.get(issuer)
        now = time.monotonic()
        if cached:
            fetched_at, keys = cached
            fresh = now - fetched_at < self.TTL
            known = kid is None or any(k.kid == kid for k in keys.keys)
            if fresh and (known or now - fetched_at < self.MIN_REFETCH):
                return keys
        keys = self._fetch(issuer)
        with self._lock:
            self._cache[issuer] = (now, keys)
        return keys

    def _fetch(self, issuer: str) -> KeySet:
        try:
            meta = self._get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
            if meta.get("issuer") != issuer:
                raise InvalidToken("签发方元数据不一致。", "Issuer metadata does not match.")
            return KeySet.import_key_set(self._get(meta["jwks_uri"], timeout=5).json())
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise InvalidToken(
                "无法获取签发方公钥。", "Could not fetch the issuer's keys.", "issuer-unreachable"
            ) from exc


class TokenValidator:
    """Validates in the caller's session (the request's: one pool checkout and one
    transaction per request), through the process's AuthCache: a request whose district,
    keys and officer are kept sends no statement for its token."""

    def __init__(
        self,
        templates: IssuerTemplates,
        audience: str,
        builtin_keys: Callable[[Session], tuple[KeySet, dt.datetime | None]],
        remote: RemoteJwks | None = None,
        cache: AuthCache | None = None,
        session: Callable[[], Session] = lambda: db.session(),
        builtin_revoked: Callable[[Session], tuple[frozenset[str], dt.datetime | None]]
        | None = None,
    ) -> None:
        self.templates = templates
        self.audience = audience
        self.builtin_keys = builtin_keys
        self.builtin_revoked = builtin_revoked
        self.remote = remote or RemoteJwks()
        self.cache = cache or AuthCache()
        self.session = session

    def validate(self, token: str) -> Identity:
        header, unverified = self._peek(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("令牌签名算法不被接受。", "Token algorithm is not accepted.")
        issuer = unverified.get("iss")
        match = self.templates.match(issuer) if isinstance(issuer, str) else None
        if match is None:
            raise InvalidToken(
                "令牌签发方不受信任。", "Token issuer is not trusted.", "untrusted-issuer"
            )
        session = self.session()
        self.cache.refresh(session)
        tenant = self._tenant(session, match.slug)
        keys = (
            self.cache.keys(tenant.id, lambda: self._as(session, tenant.id, self.builtin_keys))
            if match.builtin
            else self.remote.key_set(match.issuer, header.get("kid"))
        )
        try:
            verified = jwt.decode(token, keys, algorithms=[ALGORITHM])
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": match.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(verified.claims)
        except JoseError as exc:
            raise InvalidToken(*_jose_reason(exc)) from exc
        if match.builtin:
            self._refuse_revoked(session, tenant, verified.claims)
        return self._identity(session, tenant, match, verified.claims)

    def _refuse_revoked(self, session: Session, tenant: CachedTenant, claims: dict) -> None:
        """A built-in issuer's access token revoked before it expired (RFC 7009): by its
        own `jti` or by its grant's `sid`. Keycloak's tokens are not looked up: the API
        validates them offline, as it always has."""
        load = self.builtin_revoked
        if load is None:
            return
        revoked = self.cache.revoked(tenant.id, lambda: self._as(session, tenant.id, load))
        if f"jti:{claims.get('jti')}" in revoked or f"sid:{claims.get('sid')}" in revoked:
            raise InvalidToken("令牌已被撤销。", "Token has been revoked.", "token-revoked")

    @staticmethod
    def _peek(token: str) -> tuple[dict, dict]:
        try:
            compact = extract_compact(token.encode("ascii"))
            return dict(compact.protected), json.loads(compact.payload)
        except (JoseError, ValueError, UnicodeError, TypeError) as exc:
            raise InvalidToken("令牌格式无效。", "Token is malformed.") from exc

    @staticmethod
    def _as(session: Session, tenant_id: uuid.UUID, load: Callable[[Session], T]) -> T:
        """`load` in the caller's transaction bound to the district `tenant_id` (RLS),
        then bound back to the caller's tenant (none before the guard has bound it)."""
        with tenant_scope(tenant_id):
            if session.in_transaction():
                bind_open_transaction(session)
            value = load(session)
        bind_open_transaction(session)
        return value

    def _tenant(self, session: Session, slug: str) -> CachedTenant:
        def load() -> CachedTenant | None:
            row = session.execute(
                select(Tenant.id, Tenant.slug, Tenant.status, Tenant.suspended_reason).where(
                    Tenant.slug == slug
                )
            ).one_or_none()
            return None if row is None else CachedTenant(*row)

        tenant = self.cache.tenant(slug, load)
        if tenant is None:
            raise InvalidToken(
                "令牌签发方不受信任。", "Token issuer is not trusted.", "untrusted-issuer"
            )
        if tenant.status != TenantStatus.ACTIVE:
            reason = f"原因：{tenant.suspended_reason}" if tenant.suspended_reason else ""
            raise InvalidToken(
                f"该区已暂停使用平台。{reason}", "This district is suspended.", "tenant-suspended"
            )
        return tenant

    def _identity(
        self, session: Session, tenant: CachedTenant, match: IssuerMatch, claims: dict
    ) -> Identity:
        client_roles = claims.get("resource_access", {}).get(self.audience, {}).get("roles", [])
        client_id = claims.get("azp") or claims.get("client_id")
        service = self._machine_client(session, tenant, match, claims)
        return Identity(
            tenant_id=tenant.id,
            tenant_slug=tenant.slug,
            issuer=match.issuer,
            subject=claims["sub"],
            username=claims.get("preferred_username", ""),
            name=claims.get("name", ""),
            roles=frozenset(r for r in client_roles if isinstance(r, str)),
            agency=claims.get("agency"),
            client_id=client_id,
            is_service_account=service,
            claims=claims,
        )

    def _machine_client(
        self, session: Session, tenant: CachedTenant, match: IssuerMatch, claims: dict
    ) -> bool:
        """Whether the token is a machine client's own (client credentials), decided by
        the token's client and never by a user name: a subject that is an officer of the
        district is that officer, who must be active. Otherwise the token must be its
        client's own: at the built-in provider its subject is the client's service
        account (`service_account_subject`); from Keycloak it names the client in
        `client_id`, which Keycloak puts in service-account tokens only. Anything else
        is an unknown account and refused."""
        subject = claims["sub"]

        def load(s: Session) -> str | None:
            return s.execute(
                select(Officer.status).where(Officer.subject == subject)
            ).scalar_one_or_none()

        status = self.cache.officer_status(
            tenant.id, subject, lambda: self._as(session, tenant.id, load)
        )
        if status is not None:
            if status != OfficerStatus.ACTIVE:
                raise InvalidToken(
                    "该账号已停用。", "This account is deactivated.", "account-inactive"
                )
            return False
        client = claims.get("azp")
        if isinstance(client, str) and client:
            if match.builtin and subject == service_account_subject(match.issuer, client):
                return True
            if not match.builtin and claims.get("client_id") == client:
                return True
        raise InvalidToken(
            "该账号不存在或已停用。", "This account is unknown or deactivated.", "account-inactive"
        )


def _jose_reason(exc: JoseError) -> tuple[str, str]:
    name = type(exc).__name__
    if name == "ExpiredTokenError":
        return "令牌已过期。", "Token has expired."
    if name == "InvalidTokenError":
        return "令牌尚未生效。", "Token is not yet valid."
    if name == "InvalidClaimError" or name == "MissingClaimError":
        return (
            "令牌声明不符合要求 (签发方、受众或主体)。",
            f"Token claim rejected: {exc.description}.",
        )
    return "令牌签名无效。", "Token signature is invalid."
