"""The provisioning port: what the platform asks of an identity provider.

Adapters: `builtin.BuiltinProvisioner` (the embedded default's own OIDC provider) and
`keycloak.KeycloakProvisioner`. The composition root (`yimen.platform.app`) picks one.
The port speaks in plain values, never ORM rows, so that adapters stay free of the
database and the background job decides what to read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class ProvisioningError(Exception):
    """The provider refused or could not be reached; the job is retried.

    The message is stored as the job's `last_error` and shown to the district
    administrator: it names the step and the status code, never a person."""


@dataclass(frozen=True)
class DistrictRef:
    slug: str
    name: str


@dataclass(frozen=True)
class AgencyRef:
    code: str
    name: str


@dataclass(frozen=True)
class OfficerRef:
    id: str
    username: str
    name: str
    agency: AgencyRef
    enabled: bool


class IdentityProvisioner(ABC):
    """Makes the identity provider mirror the directory.

    Every method is idempotent (a retried job finds what an earlier attempt created)
    and converges on the state it is given, so jobs that run late or out of order
    still leave the provider as the directory is now."""

    @abstractmethod
    def issuer_for(self, slug: str) -> str:
        """The `iss` of tokens the district's officers get; the API must trust it."""

    def district_created(self, session: Session, district: DistrictRef) -> None:
        """Called by onboarding inside the transaction that creates the district, before
        the job that calls `ensure_district` is sent: what must exist the moment the
        district does. A remote provider needs nothing here (the job makes its realm)."""
        return None

    @abstractmethod
    def ensure_district(self, district: DistrictRef) -> None:
        """An issuer (realm) for the district, with the API and console clients and
        every platform role."""

    @abstractmethod
    def ensure_agency(self, district: DistrictRef, agency: AgencyRef) -> None:
        """The agency as an organization of the district's realm."""

    @abstractmethod
    def ensure_officer(
        self, district: DistrictRef, officer: OfficerRef, roles: Collection[str]
    ) -> str:
        """An account for the officer that must set its own password, a member of
        its agency, holding exactly `roles`, enabled as `officer.enabled` says.
        Returns the subject (`sub`) the issuer puts in the officer's tokens."""

    @abstractmethod
    def set_roles(self, district: DistrictRef, officer: OfficerRef, roles: Collection[str]) -> None:
        """Grant exactly `roles` (revoking the others)."""

    @abstractmethod
    def set_enabled(self, district: DistrictRef, officer: OfficerRef, enabled: bool) -> None:
        """Enable or disable the officer's account at the provider. (The API already
        refuses a deactivated officer's tokens by the directory's status.)"""
