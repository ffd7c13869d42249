"""Administration of the built-in provider: clients and officers' passwords."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from yimen.gateway.contracts import connector_scope
from yimen.platform.idp.model import Credential, OAuthClient
from yimen.platform.kernel import sealing
from yimen.platform.kernel.directory import Officer

CONSOLE_CLIENT_ID = "yimen-console"


def hash_secret(secret: str) -> str:
    """Client secrets are random and long: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(client: OAuthClient, secret: str) -> bool:
    return bool(client.client_secret_hash) and hmac.compare_digest(
        client.client_secret_hash, hash_secret(secret)
    )


def create_machine_client(
    session: Session,
    client_id: str,
    name: str,
    roles: list[str],
    secret: str | None = None,
    connectors: Sequence[str] = (),
) -> tuple[OAuthClient, str]:
    """A confidential client for the client-credentials grant; returns the secret once.
    `connectors`: the inbound connectors it may send on (its scope `gateway:<name>`);
    such a client's secret is also kept sealed, for the WS-Security digest."""
    secret = secret or secrets.token_urlsafe(32)
    client = OAuthClient(
        client_id=client_id,
        name=name,
        client_secret_hash=hash_secret(secret),
        client_secret_sealed=sealing.seal(secret) if connectors else None,
        grant_types=["client_credentials"],
        scope=" ".join(["openid", *(connector_scope(c) for c in connectors)]),
        token_endpoint_auth_method="client_secret_basic",
        service_roles=list(roles),
    )
    session.add(client)
    session.flush()
    return client, secret


def ensure_console_client(session: Session, public_url: str) -> OAuthClient:
    """The officer console: a public client with PKCE, redirecting back to /console."""
    client = session.execute(
        select(OAuthClient).where(OAuthClient.client_id == CONSOLE_CLIENT_ID)
    ).scalar_one_or_none()
    if client is None:
        client = OAuthClient(client_id=CONSOLE_CLIENT_ID, name="执法工作台 / Officer console")
        session.add(client)
    client.redirect_uris = [f"{public_url}/console/callback"]
    client.post_logout_redirect_uris = [f"{public_url}/console/", f"{public_url}/"]
    client.grant_types = ["authorization_code", "refresh_token"]
    client.scope = "openid profile offline_access"
    client.token_endpoint_auth_method = "none"
    session.flush()
    return client


def set_password(session: Session, officer: Officer, password: str) -> None:
    credential = session.execute(
        select(Credential).where(Credential.officer_id == officer.id)
    ).scalar_one_or_none()
    if credential is None:
        credential = Credential(officer_id=officer.id)
        session.add(credential)
    credential.password_hash = generate_password_hash(password)
    session.flush()


@functools.cache
def _dummy_hash() -> str:
    """A hash made like every officer's (same method and cost), of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(24))


def check_password(session: Session, officer: Officer | None, password: str) -> bool:
    """The same work for an unknown user name, an officer without a password and a
    wrong password: a dummy hash is checked, so the time taken tells no names apart."""
    credential = None
    if officer is not None:
        credential = session.execute(
            select(Credential).where(Credential.officer_id == officer.id)
        ).scalar_one_or_none()
    stored = credential.password_hash if credential is not None else _dummy_hash()
    matches = check_password_hash(stored, password)
    return credential is not None and matches


MIN_PASSWORD_LENGTH = 10


def password_problems(
    session: Session, officer: Officer, password: str, repeated: str
) -> list[str]:
    """What is wrong with a new password, as keys the sign-in page explains: at least
    10 characters of at least three kinds (lower case, upper case, digits, symbols),
    not containing the user name, typed twice alike, and not the password it replaces."""
    problems = []
    if password != repeated:
        problems.append("mismatch")
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if len(password) < MIN_PASSWORD_LENGTH or kinds < 3:
        problems.append("too-weak")
    if officer.username.lower() in password.lower():
        problems.append("contains-username")
    if not problems and check_password(session, officer, password):
        problems.append("same-as-old")
    return problems


def revoke_refresh_tokens(session: Session, officer_id, client_id: str | None = None) -> int:
    """Revoke every live refresh token of an officer (deactivation), or of one client
    (sign-out, reuse of a rotated token)."""
    from yimen.platform.idp.model import RefreshToken
    from yimen.platform.kernel.db import utcnow

    query = select(RefreshToken).where(
        RefreshToken.officer_id == officer_id, RefreshToken.revoked_at.is_(None)
    )
    if client_id is not None:
        query = query.where(RefreshToken.client_id == client_id)
    tokens = session.execute(query).scalars().all()
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)
