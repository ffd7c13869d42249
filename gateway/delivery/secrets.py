"""Subscription credentials, encrypted at rest with keys kept outside the database.

`YIMEN_GATEWAY_KEYS` holds comma-separated Fernet keys (or `YIMEN_GATEWAY_KEYS_FILE` a
file with one key a line): the first encrypts, every one decrypts, so a new key is put
first, `yimen gateway rotate-keys` re-encrypts every district's credentials with it, and
the old key is then dropped. When neither is set (tests, `make run`) a development key is
generated once into `<var>/gateway.keys` and a warning says so: never use it in production.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)
DEV_KEY_FILE = "gateway.keys"


class KeysMissing(Exception):
    """No key can read a stored credential (the key was dropped before rotation)."""


def load_keys(var_dir: Path, environ: Mapping[str, str] = os.environ) -> list[bytes]:
    listed = environ.get("YIMEN_GATEWAY_KEYS", "").strip()
    if not listed and (path := environ.get("YIMEN_GATEWAY_KEYS_FILE", "").strip()):
        listed = Path(path).read_text(encoding="ascii")
    if listed:
        return [k.strip().encode() for k in listed.replace("\n", ",").split(",") if k.strip()]
    dev = var_dir / DEV_KEY_FILE
    if not dev.exists():
        dev.parent.mkdir(parents=True, exist_ok=True)
        dev.write_text(Fernet.generate_key().decode() + "\n", encoding="ascii")
        dev.chmod(0o600)
    log.warning("gateway credentials use the development key in %s (set YIMEN_GATEWAY_KEYS)", dev)
    return [k.strip().encode() for k in dev.read_text(encoding="ascii").split() if k.strip()]


class KeyRing:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one gateway key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, credentials: Mapping[str, str]) -> str:
        if not credentials:
            return ""
        return self._fernet.encrypt(json.dumps(dict(credentials)).encode()).decode()

    def open(self, token: str) -> dict[str, str]:
        if not token:
            return {}
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise KeysMissing("no gateway key opens these credentials") from exc

    def rotate(self, token: str) -> str:
        """The same credentials under the first key."""
        if not token:
            return ""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise KeysMissing("no gateway key opens these credentials") from exc


_ring: KeyRing | None = None


def configure(var_dir: Path, environ: Mapping[str, str] = os.environ) -> KeyRing:
    """The composition root calls this once (app, worker, CLI)."""
    global _ring
    _ring = KeyRing(load_keys(var_dir, environ))
    return _ring


def keyring() -> KeyRing:
    if _ring is None:
        raise RuntimeError("gateway keys not configured")
    return _ring
