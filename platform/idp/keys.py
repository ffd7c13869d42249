"""Signing keys of the built-in issuers: creation, rotation, the published JWKS."""

from __future__ import annotations

import datetime as dt
import uuid

from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yimen.platform.idp.model import SigningKey
from yimen.platform.kernel.db import db, tenant_scope, utcnow
from yimen.platform.kernel.directory import Tenant

KEY_BITS = 2048
# A retired key stays published this long: longer than any access token lives.
RETIRED_KEY_GRACE = dt.timedelta(hours=1)


def new_signing_key() -> SigningKey:
    kid = uuid.uuid4().hex[:16]
    key = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
    return SigningKey(
        kid=kid, private_jwk=key.as_dict(private=True), public_jwk=key.as_dict(private=False)
    )


def active_key(session: Session) -> SigningKey:
    """The current tenant's signing key, created on first use."""
    key = (
        session.execute(
            select(SigningKey)
            .where(SigningKey.retired_at.is_(None))
            .order_by(SigningKey.created_at.desc())
        )
        .scalars()
        .first()
    )
    if key is None:
        key = new_signing_key()
        session.add(key)
        session.flush()
    return key


def rotate(session: Session) -> SigningKey:
    """Retire the current key (still published for the grace period) and start a new one."""
    now = utcnow()
    for key in session.execute(select(SigningKey).where(SigningKey.retired_at.is_(None))).scalars():
        key.retired_at = now
    key = new_signing_key()
    session.add(key)
    session.flush()
    return key


def published_keys(session: Session) -> list[SigningKey]:
    cutoff = utcnow() - RETIRED_KEY_GRACE
    return list(
        session.execute(
            select(SigningKey)
            .where(or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > cutoff))
            .order_by(SigningKey.created_at.desc())
        ).scalars()
    )


def builtin_key_set(slug: str) -> KeySet:
    """Public keys the built-in issuer of `slug` publishes (what its JWKS serves)."""
    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one_or_none()
    return key_set_of(tenant_id) if tenant_id else KeySet([])


def key_set_of(tenant_id) -> KeySet:
    """Public keys of the built-in issuer of the district `tenant_id`."""
    with tenant_scope(tenant_id), db.new_session() as s:
        return KeySet.import_key_set({"keys": [k.public_jwk for k in published_keys(s)]})
