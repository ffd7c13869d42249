"""Keycloak adapter (python-keycloak; Keycloak 26.4 or later, where organizations need
no internet domain). It signs in to the master realm with client credentials.

- A district is a realm made from realm_template.json in one request: the bearer-only
  `yimen-api` client whose client roles are the platform's roles (ROLES), and the
  public `yimen-console` client (PKCE S256) whose tokens carry `aud: yimen-api` and
  the officer's `agency`. The `agency` user attribute is declared in the realm's user
  profile, editable by administrators only: an officer who could edit it could move
  themselves into another agency's data.
- An agency is an organization (alias = agency code), found again by its
  `yimen_agency` attribute: the `search` parameter matches names and domains only.
- An officer is a user with the required action UPDATE_PASSWORD, the `agency`
  attribute, membership of the agency's organization and exactly their client roles.
- What the directory asks while its caller waits: deactivation logs the user out of
  every session, an unlock clears Keycloak's brute-force detection for the user (the
  realm's attack detection), and an initial password is a temporary one (Keycloak
  then asks for a new one at the first sign-in).

Every step tolerates what an earlier attempt left behind (409 means "already there").
Keycloak's PUT on a user replaces it (fields left out are cleared since version 24),
so an update reads the user and sends it back whole.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError, KeycloakPostError

from yimen.platform.kernel.permissions import ROLES
from yimen.tenants.identity.model import UPDATE_PASSWORD
from yimen.tenants.identity.ports import (
    AgencyRef,
    DistrictRef,
    IdentityProvisioner,
    LiftedLockout,
    OfficerRef,
    ProvisioningError,
)

API_CLIENT = "yimen-api"
AGENCY_ATTRIBUTE = "agency"  # user attribute, and the token claim the console's mapper adds
ORGANIZATION_KEY = "yimen_agency"  # organization attribute holding the agency code
TEMPLATE = Path(__file__).with_name("realm_template.json")
AGENCY_DECLARATION = {
    "name": AGENCY_ATTRIBUTE,
    "displayName": "执法部门 / Agency",
    "permissions": {"view": ["admin", "user"], "edit": ["admin"]},
    "multivalued": False,
}


def _fill(value: Any, values: dict[str, str]) -> Any:
    """Placeholders are filled inside parsed strings, so a name with quotes or braces
    can never change the JSON's structure."""
    if isinstance(value, str):
        for key, text in values.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def realm_representation(district: DistrictRef, public_url: str) -> dict:
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    realm = _fill(
        template, {"slug": district.slug, "name": district.name, "public_url": public_url}
    )
    realm["roles"] = {"client": {API_CLIENT: [_role(name) for name in ROLES]}}
    return realm


def _role(name: str) -> dict:
    zh, en = ROLES[name]
    return {"name": name, "description": f"{zh} / {en}", "clientRole": True}


def role_changes(current: Collection[str], wanted: Collection[str]) -> tuple[set, set]:
    """(to grant, to revoke). Only the platform's roles are ever granted."""
    target = set(wanted) & set(ROLES)
    return target - set(current), set(current) - target


def new_user(officer: OfficerRef) -> dict:
    return {
        "username": officer.username,
        "firstName": officer.name,
        "enabled": officer.enabled,
        "requiredActions": [UPDATE_PASSWORD],
        "attributes": {AGENCY_ATTRIBUTE: [officer.agency.code]},
    }


def updated_user(current: dict, officer: OfficerRef) -> dict:
    """The whole representation with the directory's name, agency and status; all
    else (last name, e-mail, required actions, other attributes) kept as it is."""
    attributes = dict(current.get("attributes") or {})
    attributes[AGENCY_ATTRIBUTE] = [officer.agency.code]
    return {
        **current,
        "firstName": officer.name,
        "enabled": officer.enabled,
        "attributes": attributes,
    }


def _locked_at(status: dict) -> str | None:
    """When a user Keycloak disabled for brute force was locked: its last failure
    (epoch milliseconds), as ISO 8601."""
    if not status.get("disabled"):
        return None
    last = status.get("lastFailure")
    if not last:
        return dt.datetime.now(dt.UTC).isoformat()
    return dt.datetime.fromtimestamp(int(last) / 1000, dt.UTC).isoformat()


class KeycloakProvisioner(IdentityProvisioner):
    def __init__(
        self,
        server_url: str,
        client_id: str,
        client_secret: str,
        public_url: str,
        timeout: int = 10,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.public_url, self.timeout = public_url.rstrip("/"), timeout

    def issuer_for(self, slug: str) -> str:
        return f"{self.server_url}/realms/{slug}"

    # --- districts ------------------------------------------------------------

    def ensure_district(self, district: DistrictRef) -> None:
        with self._step("create realm"):
            try:
                self._admin("master").create_realm(realm_representation(district, self.public_url))
            except KeycloakPostError as exc:
                if exc.response_code != 409:
                    raise
        admin = self._admin(district.slug)
        self._client_roles(admin, self._api_client(admin))
        with self._step("declare the agency attribute"):
            profile = admin.get_realm_users_profile()
            attributes = profile.setdefault("attributes", [])
            if not any(a.get("name") == AGENCY_ATTRIBUTE for a in attributes):
                attributes.append(AGENCY_DECLARATION)
                admin.update_realm_users_profile(profile)

    def _api_client(self, admin: KeycloakAdmin) -> str:
        with self._step("find the api client"):
            client = admin.get_client_id(API_CLIENT)
        if client is None:
            raise ProvisioningError(f"keycloak realm has no {API_CLIENT} client")
        return client

    def _client_roles(self, admin: KeycloakAdmin, client: str) -> dict[str, dict]:
        """The API client's roles by name, creating any platform role it lacks (a
        realm made before a role was added to the platform)."""
        with self._step("read client roles"):
            roles = {r["name"]: r for r in admin.get_client_roles(client)}
        missing = [name for name in ROLES if name not in roles]
        with self._step("create client role"):
            for name in missing:
                try:
                    admin.create_client_role(client, _role(name))
                except KeycloakPostError as exc:
                    if exc.response_code != 409:
                        raise
            if missing:
                roles = {r["name"]: r for r in admin.get_client_roles(client)}
        return roles

    # --- agencies -------------------------------------------------------------

    def ensure_agency(self, district: DistrictRef, agency: AgencyRef) -> None:
        self._organization(self._admin(district.slug), agency)

    def _organization(self, admin: KeycloakAdmin, agency: AgencyRef) -> str:
        found = self._find_organization(admin, agency)
        if found is not None:
            return found
        with self._step("create organization"):
            try:
                created = admin.create_organization(
                    {
                        "name": agency.name,
                        "alias": agency.code,
                        "enabled": True,
                        "attributes": {ORGANIZATION_KEY: [agency.code]},
                    }
                )
            except KeycloakPostError as exc:
                if exc.response_code != 409:
                    raise
                created = None  # made meanwhile by another job, or the name is taken
        found = created or self._find_organization(admin, agency)
        if found is None:
            raise ProvisioningError("keycloak create organization failed (409)")
        return found

    def _find_organization(self, admin: KeycloakAdmin, agency: AgencyRef) -> str | None:
        with self._step("find organization"):
            found = admin.get_organizations(
                {"q": f"{ORGANIZATION_KEY}:{agency.code}", "first": 0, "max": 1}
            )
        return found[0]["id"] if found else None

    # --- officers -------------------------------------------------------------

    def ensure_officer(
        self, district: DistrictRef, officer: OfficerRef, roles: Collection[str]
    ) -> str:
        admin = self._admin(district.slug)
        user_id = self._find_user(admin, officer)
        if user_id is None:
            user_id = self._create_user(admin, officer)
        else:
            self._update_user(admin, user_id, lambda current: updated_user(current, officer))
        organization = self._organization(admin, officer.agency)
        with self._step("add organization member"):
            try:
                admin.organization_user_add(user_id, organization)
            except KeycloakPostError as exc:
                if exc.response_code != 409:  # already a member
                    raise
        self._sync_roles(admin, user_id, roles)
        return user_id

    def set_roles(self, district: DistrictRef, officer: OfficerRef, roles: Collection[str]) -> None:
        admin = self._admin(district.slug)
        user_id = self._find_user(admin, officer)
        if user_id is None:
            raise ProvisioningError("keycloak user not provisioned yet")
        self._sync_roles(admin, user_id, roles)

    def set_enabled(self, district: DistrictRef, officer: OfficerRef, enabled: bool) -> None:
        admin = self._admin(district.slug)
        user_id = self._find_user(admin, officer)
        if user_id is None:
            if not enabled:
                return  # nothing to disable; the officer's own job creates it disabled
            raise ProvisioningError("keycloak user not provisioned yet")
        self._update_user(admin, user_id, lambda current: {**current, "enabled": enabled})

    # --- asked by the directory's use cases (the session is the built-in's) --------

    def revoke_sessions(self, session, district: DistrictRef, officer: OfficerRef) -> None:
        admin = self._admin(district.slug)
        user_id = self._find_user(admin, officer)
        if user_id is None:
            return  # never provisioned: no session to end
        with self._step("log out user"):
            admin.user_logout(user_id)

    def unlock_sign_in(
        self, session, district: DistrictRef, officer: OfficerRef
    ) -> LiftedLockout | None:
        admin = self._admin(district.slug)
        user_id = self._find_user(admin, officer)
        if user_id is None:
            return None
        with self._step("read brute-force status"):
            status = admin.get_bruteforce_detection_status(user_id)
        failures = int(status.get("numFailures") or 0)
        if not failures and not status.get("disabled"):
            return None
        with self._step("clear brute-force status"):
            admin.clear_bruteforce_attempts_for_user(user_id)
        return LiftedLockout(failures, _locked_at(status))

    def locked_user_names(
        self, session, district: DistrictRef, usernames: Collection[str]
    ) -> set[str]:
        """One status read per user name (the console asks for one page of officers):
        Keycloak lists no locked users."""
        admin = self._admin(district.slug)
        locked = set()
        for username in usernames:
            with self._step("find user"):
                user_id = admin.get_user_id(username)
            if user_id is None:
                continue
            with self._step("read brute-force status"):
                if admin.get_bruteforce_detection_status(user_id).get("disabled"):
                    locked.add(username)
        return locked

    def set_initial_password(
        self, session, district: DistrictRef, officer: OfficerRef, password: str
    ) -> None:
        admin = self._admin(district.slug)
        user_id = self._find_user(admin, officer)
        if user_id is None:
            raise ProvisioningError("keycloak user not provisioned yet")
        with self._step("set temporary password"):
            admin.set_user_password(user_id, password, temporary=True)

    def _find_user(self, admin: KeycloakAdmin, officer: OfficerRef) -> str | None:
        with self._step("find user"):
            return admin.get_user_id(officer.username)

    def _create_user(self, admin: KeycloakAdmin, officer: OfficerRef) -> str:
        with self._step("create user"):
            try:
                return admin.create_user(new_user(officer))
            except KeycloakPostError as exc:
                if exc.response_code != 409:
                    raise
        user_id = self._find_user(admin, officer)  # created meanwhile by another job
        if user_id is None:
            raise ProvisioningError("keycloak create user failed (409)")
        return user_id

    def _update_user(self, admin: KeycloakAdmin, user_id: str, change) -> None:
        with self._step("update user"):
            current = admin.get_user(user_id)
            wanted = change(current)
            if wanted != current:
                admin.update_user(user_id, wanted)

    def _sync_roles(self, admin: KeycloakAdmin, user_id: str, roles: Collection[str]) -> None:
        client = self._api_client(admin)
        with self._step("read role mappings"):
            held = {r["name"]: r for r in admin.get_client_roles_of_user(user_id, client)}
        grant, revoke = role_changes(held, roles)
        if grant:
            available = self._client_roles(admin, client)
            with self._step("assign client roles"):
                admin.assign_client_role(user_id, client, [available[r] for r in sorted(grant)])
        if revoke:
            with self._step("revoke client roles"):
                admin.delete_client_roles_of_user(
                    user_id, client, [held[r] for r in sorted(revoke)]
                )

    # --- plumbing -------------------------------------------------------------

    def _admin(self, realm: str) -> KeycloakAdmin:
        """An admin client for `realm`; its token comes from the master realm, lazily."""
        connection = KeycloakOpenIDConnection(
            server_url=self.server_url,
            realm_name=realm,
            user_realm_name="master",
            client_id=self.client_id,
            client_secret_key=self.client_secret,
            timeout=self.timeout,
        )
        return KeycloakAdmin(connection=connection)

    @contextmanager
    def _step(self, what: str) -> Iterator[None]:
        """Turns Keycloak's and the network's errors into a ProvisioningError naming
        the step and the status: Keycloak's own message may name the user."""
        try:
            yield
        except KeycloakError as exc:
            reason = exc.response_code or type(exc).__name__
            raise ProvisioningError(f"keycloak {what} failed ({reason})") from exc
        except (requests.RequestException, OSError) as exc:
            raise ProvisioningError(f"keycloak {what} failed ({type(exc).__name__})") from exc
