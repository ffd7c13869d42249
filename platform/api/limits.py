"""Rate limits on the public door (Flask-Limiter): per client address, and per phone
number for complaint submissions. Storage: memory for the embedded default, Redis in
production (YIMEN_RATELIMIT_STORAGE)."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address, headers_enabled=True, default_limits=[])


def phone_key() -> str:
    body = request.get_json(silent=True) or {}
    return f"phone:{body.get('phone', '')}"


def no_phone() -> bool:
    body = request.get_json(silent=True) or {}
    return not body.get("phone")
