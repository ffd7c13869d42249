"""Token revocation (RFC 7009) at the district's issuer, on authlib's RevocationEndpoint.

A client authenticates as at the token endpoint (client_secret_basic or _post; a public
client by its client_id) and revokes a token issued to it:

- a refresh token revokes its grant: every refresh token of the grant (the sign-in and
  its rotations) and every access token issued with them (`sid`, RFC 7009 §2.1 "MAY
  also invalidate ... access tokens based on the same authorization grant");
- an access token revokes that token alone (`jti`); the grant's refresh token lives on.

Access tokens are self-contained JWTs checked by the API itself: a revoked one is listed
in `idp_revoked_token` until it expires, which the token validator reads (cached,
refreshed on every revocation through auth_epoch). An unknown, expired or already
revoked token is answered 200 like a revoked one (RFC 7009 §2.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from authlib.oauth2.rfc6749.models import TokenMixin
from authlib.oauth2.rfc7009 import RevocationEndpoint as _RevocationEndpoint
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from yimen.platform.idp.keys import published_keys
from yimen.platform.idp.model import RefreshToken, RevokedToken
from yimen.platform.idp.provider import Refresh, _hash, issuer, settings
from yimen.platform.kernel.db import db, utcnow


def revoke_access(session: Session, claim: str, value: str, expires_at: dt.datetime) -> None:
    """List an access token (`jti`) or a grant's (`sid`) as revoked until `expires_at`;
    entries whose tokens have all expired are dropped on the way."""
    now = utcnow()
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= now))
    listed = session.execute(
        select(RevokedToken).where(RevokedToken.claim == claim, RevokedToken.value == value)
    ).scalar_one_or_none()
    if listed is None:
        session.add(RevokedToken(claim=claim, value=value, expires_at=expires_at))
    else:
        listed.expires_at = max(_aware(listed.expires_at), expires_at)
    session.flush()


def revoked_access(session: Session) -> tuple[frozenset[str], dt.datetime | None]:
    """What the API refuses of the current district's access tokens ("jti:…", "sid:…"),
    and when that list next changes by itself (its first entry expiring)."""
    rows = session.execute(
        select(RevokedToken.claim, RevokedToken.value, RevokedToken.expires_at).where(
            RevokedToken.expires_at > utcnow()
        )
    ).all()
    return (
        frozenset(f"{claim}:{value}" for claim, value, _ in rows),
        min((_aware(at) for _, _, at in rows), default=None),
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class RevocableRefresh(Refresh):
    def revoke(self, session: Session) -> None:
        row = self.row
        now = utcnow()
        if row.grant_id is None:  # issued before grants were recorded
            row.revoked_at = row.revoked_at or now
            return
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.grant_id == row.grant_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        lifetime = dt.timedelta(seconds=settings().token_lifetime_seconds)
        revoke_access(session, "sid", row.grant_id, now + lifetime)


@dataclass
class Access(TokenMixin):
    """An unexpired access token this issuer signed."""

    claims: dict

    def check_client(self, client):
        return self.claims.get("azp") == client.get_client_id()

    def revoke(self, session: Session) -> None:
        expires_at = dt.datetime.fromtimestamp(self.claims["exp"], dt.UTC)
        revoke_access(session, "jti", self.claims["jti"], expires_at)


def find_refresh(token: str) -> RevocableRefresh | None:
    row = db.session.execute(
        select(RefreshToken).where(RefreshToken.token_hash == _hash(token))
    ).scalar_one_or_none()
    if row is None:
        return None
    found = RevocableRefresh(row)
    return None if found.is_expired() else found


def find_access(token: str) -> Access | None:
    keys = KeySet.import_key_set({"keys": [k.public_jwk for k in published_keys(db.session)]})
    try:
        claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer()},
            exp={"essential": True},
            jti={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError):
        return None
    return Access(claims)


class RevocationEndpoint(_RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string, token_type_hint):
        """The hinted type first; then the other (RFC 7009 §2.1)."""
        finders = [find_refresh, find_access]
        if token_type_hint == "access_token":
            finders.reverse()
        for find in finders:
            found = find(token_string)
            if found is not None:
                return found
        return None

    def revoke_token(self, token, request):
        token.revoke(db.session)
        db.session.commit()
