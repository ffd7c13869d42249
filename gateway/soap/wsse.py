"""WS-Security UsernameToken (Username Token Profile 1.1) checked on the receiving side.

zeep's `UsernameToken(use_digest=True)` sends Password = Base64(SHA-1(nonce + created +
password)) with the nonce and the creation time; the receiver recomputes it from the
password it keeps, refuses a token older than `max_age` (or too far in the future), and
refuses a nonce it has seen within that window, so a captured request cannot be replayed.
Plain-text passwords are refused: an upstream that asks for a digest means it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import threading
from collections.abc import Callable
from typing import Protocol

from lxml import etree

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest"
)
NS = {"wsse": WSSE, "wsu": WSU}


class SecurityError(Exception):
    """The request's UsernameToken is missing, wrong, stale or replayed."""


class NonceStore(Protocol):
    def remember(self, username: str, nonce: str, created: dt.datetime) -> bool:
        """Record the nonce; False when it was already seen (a replay)."""


class MemoryNonces:
    """Nonces seen in the last `keep` seconds, in memory (one process)."""

    def __init__(self, keep: float = 600.0) -> None:
        self.keep = keep
        self._seen: dict[tuple[str, str], dt.datetime] = {}
        self._lock = threading.Lock()

    def remember(self, username: str, nonce: str, created: dt.datetime) -> bool:
        with self._lock:
            horizon = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.keep)
            for key in [k for k, at in self._seen.items() if at < horizon]:
                del self._seen[key]
            if (username, nonce) in self._seen:
                return False
            self._seen[(username, nonce)] = created
            return True


def check_username_token(
    envelope: etree._Element,
    password_of: Callable[[str], str | None],
    nonces: NonceStore,
    *,
    max_age: float = 300.0,
    skew: float = 60.0,
    now: dt.datetime | None = None,
) -> str:
    """The authenticated user name of `envelope`, or `SecurityError` saying why not."""
    token = envelope.find("{*}Header/wsse:Security/wsse:UsernameToken", NS)
    if token is None:
        raise SecurityError("no WS-Security UsernameToken")
    username = (token.findtext("wsse:Username", "", NS) or "").strip()
    password = token.find("wsse:Password", NS)
    nonce_text = (token.findtext("wsse:Nonce", "", NS) or "").strip()
    created_text = (token.findtext("wsu:Created", "", NS) or "").strip()
    if password is None or password.get("Type") != PASSWORD_DIGEST:
        raise SecurityError("a PasswordDigest is required")
    if not (username and nonce_text and created_text):
        raise SecurityError("the token needs a user name, a nonce and a creation time")
    created = _moment(created_text)
    now = now or dt.datetime.now(dt.UTC)
    if not (-skew <= (now - created).total_seconds() <= max_age):
        raise SecurityError("the token is stale or from the future")
    secret = password_of(username)
    try:
        nonce = base64.b64decode(nonce_text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SecurityError("the nonce is not Base64") from exc
    if secret is None or not hmac.compare_digest(
        (password.text or "").strip().encode(), password_digest(nonce, created_text, secret)
    ):
        raise SecurityError("wrong user name or password")
    if not nonces.remember(username, nonce_text, created):
        raise SecurityError("the nonce was used before (replay)")
    return username


def password_digest(nonce: bytes, created: str, password: str) -> bytes:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest())


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SecurityError("the creation time is not a dateTime") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
