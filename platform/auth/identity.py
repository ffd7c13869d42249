"""The caller of a request, derived from a validated access token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


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
