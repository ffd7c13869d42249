"""Keycloak adapter (python-keycloak): a realm per district from realm_template.json,
agencies as organizations, officers as users with a required password change, roles
as client roles of `yimen-api`."""

from __future__ import annotations

import json
from pathlib import Path

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection
from keycloak.exceptions import KeycloakError

from yimen.platform.auth.permissions import ROLES
from yimen.tenants.identity.ports import IdentityProvisioner, ProvisioningError

API_CLIENT = "yimen-api"
TEMPLATE = Path(__file__).with_name("realm_template.json")


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
        self.public_url, self.timeout = public_url, timeout

    def _admin(self, realm: str) -> KeycloakAdmin:
        connection = KeycloakOpenIDConnection(
            server_url=self.server_url,
            realm_name=realm,
            user_realm_name="master",
            client_id=self.client_id,
            client_secret_key=self.client_secret,
            timeout=self.timeout,
        )
        return KeycloakAdmin(connection=connection)

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (KeycloakError, OSError) as exc:
            code = getattr(exc, "response_code", None)
            raise ProvisioningError(
                f"keycloak {what} failed ({code or type(exc).__name__})"
            ) from exc

    def realm_payload(self, slug: str, name: str) -> dict:
        text = (
            TEMPLATE.read_text()
            .replace("{slug}", slug)
            .replace("{name}", name)
            .replace("{public_url}", self.public_url)
        )
        return json.loads(text)

    def ensure_district(self, slug: str, name: str) -> None:
        master = self._admin("master")
        self._call(
            "create realm", master.create_realm, self.realm_payload(slug, name), skip_exists=True
        )
        admin = self._admin(slug)
        client = self._call("find api client", admin.get_client_id, API_CLIENT)
        for role in ROLES:
            self._call(
                "create client role",
                admin.create_client_role,
                client,
                {"name": role},
                skip_exists=True,
            )

    def _organization(self, admin: KeycloakAdmin, code: str) -> dict | None:
        orgs = self._call(
            "list organizations",
            admin.get_organizations,
            {"search": code, "exact": True, "first": 0, "max": 10},
        )
        return next((o for o in orgs if o.get("alias") == code), None)

    def ensure_agency(self, slug: str, code: str, name: str) -> None:
        admin = self._admin(slug)
        if self._organization(admin, code) is None:
            self._call(
                "create organization",
                admin.create_organization,
                {
                    "name": name,
                    "alias": code,
                    "enabled": True,
                    "attributes": {"agency_code": [code]},
                },
            )

    def ensure_officer(self, slug: str, officer: dict) -> str:
        admin = self._admin(slug)
        payload = {
            "username": officer["username"],
            "firstName": officer["name"],
            "enabled": officer.get("enabled", True),
            "requiredActions": ["UPDATE_PASSWORD"],
            "attributes": {"agency": [officer["agency"]]},
        }
        user_id = self._call("create user", admin.create_user, payload, exist_ok=True)
        org = self._organization(admin, officer["agency"])
        if org is not None:
            try:
                admin.organization_user_add(user_id, org["id"])
            except KeycloakError as exc:
                if getattr(exc, "response_code", None) != 409:  # already a member
                    raise ProvisioningError(
                        f"keycloak add member failed ({exc.response_code})"
                    ) from exc
        client = self._call("find api client", admin.get_client_id, API_CLIENT)
        roles = [
            self._call("read client role", admin.get_client_role, client, r)
            for r in officer["roles"]
        ]
        if roles:
            self._call("assign client roles", admin.assign_client_role, user_id, client, roles)
        return user_id

    def set_enabled(self, slug: str, subject: str, enabled: bool) -> None:
        self._call("update user", self._admin(slug).update_user, subject, {"enabled": enabled})
