"""Rate limits on the public door (Flask-Limiter): per client address, and per phone
number for complaint submissions. Storage: memory for the embedded default, Redis in
production (YIMEN_RATELIMIT_STORAGE)."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address, headers_enabled=True, default_limits=[])


def _phone() -> str:
    if request.mimetype == "multipart/form-data":  # a complaint with photos
        return request.form.get("phone", "").strip()
    body = request.get_json(silent=True)
    return str(body.get("phone", "")) if isinstance(body, dict) else ""


def phone_key() -> str:
    return f"phone:{_phone()}"


def no_phone() -> bool:
    return not _phone()
