"""Secrets the platform must read back, sealed at rest with a key kept outside the database.

A WS-Security UsernameToken digest is SHA-1(nonce + created + password): to check one,
the receiver needs the password itself, not a hash of it. A machine client allowed on a
SOAP connector therefore keeps its secret sealed (Fernet: AES-128-CBC + HMAC-SHA256)
besides the hash the token endpoint checks. The sealing key is derived from the
deployment's secret key (YIMEN_SECRET_KEY, or var/secret_key in the embedded default),
never stored in the database: a copy of the database alone opens nothing. The app
factory configures it once; earlier keys may follow the first so that a rotated secret
key still opens what the one before sealed (MultiFernet: the first seals).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_ring: MultiFernet | None = None


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"yimen.sealing\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def configure(secret_keys: Sequence[str]) -> None:
    """The composition root: the current secret key first, earlier ones after it."""
    global _ring
    if not secret_keys:
        raise ValueError("at least one secret key is needed")
    _ring = MultiFernet([_fernet(k) for k in secret_keys])


def _configured() -> MultiFernet:
    if _ring is None:
        raise RuntimeError("sealing is not configured (the app factory does it)")
    return _ring


def seal(text: str) -> str:
    return _configured().encrypt(text.encode()).decode()


def unseal(token: str) -> str | None:
    """The sealed text; None when no configured key opens it (a key dropped too soon)."""
    try:
        return _configured().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
