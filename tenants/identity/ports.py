"""The provisioning port. Adapters: builtin.BuiltinProvisioner, keycloak.KeycloakProvisioner."""

from __future__ import annotations

from abc import ABC, abstractmethod


class ProvisioningError(Exception):
    """The provider refused or could not be reached; the job is retried."""


class IdentityProvisioner(ABC):
    """Makes the identity provider mirror the directory. Every method is idempotent:
    a retried job finds what an earlier attempt already created."""

    @abstractmethod
    def ensure_district(self, slug: str, name: str) -> None:
        """A realm (issuer) for the district, with the API and console clients."""

    @abstractmethod
    def ensure_agency(self, slug: str, code: str, name: str) -> None:
        """The agency as an organization of the district's realm."""

    @abstractmethod
    def ensure_officer(self, slug: str, officer: dict) -> str:
        """A user for the officer with their roles; returns the subject (`sub`) the
        issuer puts in their tokens. `officer`: username, name, agency, roles, enabled."""

    @abstractmethod
    def set_enabled(self, slug: str, subject: str, enabled: bool) -> None:
        """Enable or disable the officer's account."""
