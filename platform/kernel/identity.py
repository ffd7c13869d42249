"""The caller of a request, derived from a validated access token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

SERVICE_ACCOUNT_PREFIX = "service-account-"
"""Keycloak names a client's service account `service-account-<client id>`, and so does
the built-in provider: an officer's user name may not start with it (the directory
refuses it), and a caller is never taken for a machine client because of its name."""


def service_account_subject(issuer: str, client_id: str) -> str:
    """The subject of a client's own tokens at the built-in provider (client credentials)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer}/clients/{client_id}"))


@dataclass(frozen=True)
class Identity:
    tenant_id: uuid.UUID
    tenant_slug: str
    issuer: str
    subject: str
    username: str
    name: str
    roles: frozenset[str]
    agency: str | None = None
    client_id: str | None = None
    is_service_account: bool = False
    claims: dict = field(default_factory=dict, compare=False, repr=False)
