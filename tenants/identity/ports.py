"""The provisioning port: what the platform asks of an identity provider.

Adapters: `builtin.BuiltinProvisioner` (the embedded default's own OIDC provider) and
`keycloak.KeycloakProvisioner`. The composition root (`yimen.platform.app`) picks one.
The port speaks in plain values, never ORM rows, so that adapters stay free of the
database and the background job decides what to read.

Two kinds of method: those the provisioning job calls (`ensure_…`, `set_roles`,
`set_enabled`: retried until the provider mirrors the directory), and those a use case
of the directory calls inside its own transaction because the caller waits for the
answer (`revoke_sessions`, `unlock_sign_in`, `locked_user_names`,
`set_initial_password`). These take the caller's session: the built-in provider writes
its store in that transaction; a remote one ignores it and raises ProvisioningError when
it cannot be reached (the directory answers that as unavailable, nothing written).
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
class LiftedLockout:
    """What an unlock lifted: the wrong passwords counted, and when the name was locked
    (ISO 8601; None when it was only made to wait)."""

    failures: int
    locked_at: str | None


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

    # --- asked by the directory's use cases, in their transaction ----------------

    @abstractmethod
    def revoke_sessions(self, session: Session, district: DistrictRef, officer: OfficerRef) -> None:
        """End the officer's sessions at the provider now (deactivation): no refresh
        token or session they hold gets them a new access token."""

    @abstractmethod
    def unlock_sign_in(
        self, session: Session, district: DistrictRef, officer: OfficerRef
    ) -> LiftedLockout | None:
        """Lift the lockout (and any wait) that wrong passwords put on the officer's
        sign-in; what was lifted, or None when nothing was counted against them."""

    @abstractmethod
    def locked_user_names(
        self, session: Session, district: DistrictRef, usernames: Collection[str]
    ) -> set[str]:
        """Which of `usernames` are locked out after too many wrong passwords."""

    @abstractmethod
    def set_initial_password(
        self, session: Session, district: DistrictRef, officer: OfficerRef, password: str
    ) -> None:
        """Give the officer a one-time password: the first sign-in with it asks for a
        password of their own."""
