"""The built-in provider's adapter: its state lives in our own database, so a district
needs its signing key and console client, and an officer needs nothing more than the
directory row (the subject is the officer's id; a password is issued separately)."""

from __future__ import annotations

from yimen.tenants.identity.ports import IdentityProvisioner


class BuiltinProvisioner(IdentityProvisioner):
    def __init__(self, public_url: str) -> None:
        self.public_url = public_url

    def ensure_district(self, slug: str, name: str) -> None:
        from yimen.platform.db import db
        from yimen.platform.idp.admin import ensure_console_client
        from yimen.platform.idp.keys import active_key

        session = db.session
        active_key(session)
        ensure_console_client(session, self.public_url)

    def ensure_agency(self, slug: str, code: str, name: str) -> None:
        return None  # agencies are directory rows; the built-in provider reads them directly

    def ensure_officer(self, slug: str, officer: dict) -> str:
        return officer["id"]

    def set_enabled(self, slug: str, subject: str, enabled: bool) -> None:
        return None  # the token validator and the sign-in form read the officer's status
