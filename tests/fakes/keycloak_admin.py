"""FAKE — stands in for Keycloak's admin REST API, which cannot run here; implements only
the endpoints the adapter calls, with bodies as in Keycloak's Admin REST API
documentation (version 26).

No Keycloak server can run on this machine (not on PyPI, Debian or npm; no Docker, no
Java 21), so yimen.tenants.identity.keycloak is tested against this. It keeps its state
in memory and copies the behaviour the adapter depends on:

- the master realm's token endpoint, client credentials only; a wrong secret is 401;
- POST /admin/realms imports clients and `roles.client`; a second one is 409
  `{"errorMessage": "Conflict detected. See logs for details"}`;
- clients by `clientId`, their roles (list, create: 201 + Location, 409 if present);
- the realm's user profile (GET/PUT /users/profile): an attribute the profile does not
  declare is dropped from users, as Keycloak does while unmanaged attributes are off;
- organizations: 404 unless the realm has `organizationsEnabled`; list with `search`
  (name or domain, `exact`) and `q=key:value` (attributes), `first`/`max`; create
  (201 + Location, 409 on a taken name or alias); members: the body is the user id,
  quoted or not, 400 for an unknown user, 409 for a member;
- users: search by `username` (`exact`), create (lower-cased username, 201 + Location,
  409 on a taken username), read, and PUT, which *replaces* first and last name, e-mail
  and attributes (left out = cleared, Keycloak 24 and later);
- client-role mappings of a user: list, add, remove (204);
- a user's sessions: POST …/users/<id>/logout ends them all (204; `sessions` counts
  the user's live ones, which a test sets);
- a temporary password: PUT …/users/<id>/reset-password (204), which adds the
  required action UPDATE_PASSWORD as Keycloak does;
- brute-force detection per user: GET /attack-detection/brute-force/users/<id>
  (`numFailures`, `disabled`, `lastFailure` in epoch milliseconds, …; all zero for a
  user never counted) and DELETE to clear it (204);
- for the token-trust test: each realm's discovery document and JWKS.

`state.down = True` answers 503 to every admin call (an outage).
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

ADMIN_TOKEN = "fake-admin-token"
ROOT_ATTRIBUTES = ("username", "email", "firstName", "lastName")
DEFAULT_PROFILE = {
    "attributes": [
        {"name": name, "permissions": {"view": ["admin", "user"], "edit": ["admin", "user"]}}
        for name in ROOT_ATTRIBUTES
    ],
    "groups": [{"name": "user-metadata", "displayHeader": "User metadata"}],
}


@dataclass
class Realm:
    representation: dict
    clients: dict[str, dict] = field(default_factory=dict)  # id → client (with "roles")
    organizations: dict[str, dict] = field(default_factory=dict)  # id → org (with "members")
    users: dict[str, dict] = field(default_factory=dict)  # id → user (with "clientRoles")
    profile: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_PROFILE))
    sessions: dict[str, int] = field(default_factory=dict)  # user id → live sessions
    passwords: dict[str, dict] = field(default_factory=dict)  # user id → credential
    brute_force: dict[str, dict] = field(default_factory=dict)  # user id → status

    def client(self, client_id: str) -> dict:
        return next(c for c in self.clients.values() if c["clientId"] == client_id)


@dataclass
class KeycloakState:
    client_id: str
    client_secret: str
    realms: dict[str, Realm] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    down: bool = False


def _error(status: int, message: str):
    return jsonify(errorMessage=message), status


def create_fake(
    base_url: Callable[[], str],
    client_id: str = "yimen-provisioner",
    client_secret: str = "secret",
    jwks_for: Callable[[str], dict] = lambda realm: {"keys": []},
) -> Flask:
    app = Flask("keycloak-fake")
    state = KeycloakState(client_id, client_secret)
    app.config["state"] = state

    def created(path: str):
        response = app.response_class(status=201)
        response.headers["Location"] = f"{base_url()}{path}"
        return response

    def no_content():
        return app.response_class(status=204)

    @app.before_request
    def admin_only():
        if not request.path.startswith("/admin/"):
            return None
        state.calls.append(f"{request.method} {request.path}")
        if request.headers.get("Authorization") != f"Bearer {ADMIN_TOKEN}":
            return jsonify(error="HTTP 401 Unauthorized"), 401
        if state.down:
            return _error(503, "Service Unavailable")
        name = (request.view_args or {}).get("name")
        if name is not None and name not in state.realms:
            return _error(404, "Realm not found.")
        return None

    @app.post("/realms/master/protocol/openid-connect/token")
    def token():
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return jsonify(error="unsupported_grant_type"), 400
        if (form.get("client_id"), form.get("client_secret")) != (client_id, client_secret):
            return jsonify(error="unauthorized_client", error_description="Invalid client"), 401
        return jsonify(
            access_token=ADMIN_TOKEN,
            expires_in=60,
            refresh_expires_in=0,
            token_type="Bearer",
            scope="profile email",
        )

    @app.get("/realms/<realm_name>/.well-known/openid-configuration")
    def discovery(realm_name):
        if realm_name not in state.realms:
            return _error(404, "Realm does not exist")
        issuer = f"{base_url()}/realms/{realm_name}"
        return jsonify(
            issuer=issuer,
            jwks_uri=f"{issuer}/protocol/openid-connect/certs",
            token_endpoint=f"{issuer}/protocol/openid-connect/token",
            authorization_endpoint=f"{issuer}/protocol/openid-connect/auth",
            id_token_signing_alg_values_supported=["RS256"],
        )

    @app.get("/realms/<realm_name>/protocol/openid-connect/certs")
    def certs(realm_name):
        if realm_name not in state.realms:
            return _error(404, "Realm does not exist")
        return jsonify(jwks_for(realm_name))

    _realm_routes(app, state, created)
    _organization_routes(app, state, created)
    _user_routes(app, state, created, no_content)
    return app


def _realm_routes(app: Flask, state: KeycloakState, created) -> None:
    @app.post("/admin/realms")
    def create_realm():
        body = request.get_json()
        if body["realm"] in state.realms:
            return _error(409, "Conflict detected. See logs for details")
        realm = Realm(representation=body)
        client_roles = (body.get("roles") or {}).get("client") or {}
        for client in body.get("clients", []):
            cid = str(uuid.uuid4())
            roles = {
                r["name"]: {**r, "id": str(uuid.uuid4()), "clientRole": True, "containerId": cid}
                for r in client_roles.get(client["clientId"], [])
            }
            realm.clients[cid] = {**client, "id": cid, "roles": roles}
        state.realms[body["realm"]] = realm
        return created(f"/admin/realms/{body['realm']}")

    @app.get("/admin/realms/<name>/clients")
    def clients(name):
        wanted = request.args.get("clientId")
        return jsonify(
            [
                {k: v for k, v in c.items() if k != "roles"}
                for c in state.realms[name].clients.values()
                if wanted is None or c["clientId"] == wanted
            ]
        )

    @app.get("/admin/realms/<name>/clients/<cid>/roles")
    def client_roles(name, cid):
        client = state.realms[name].clients.get(cid)
        if client is None:
            return _error(404, "Could not find client")
        return jsonify(list(client["roles"].values()))

    @app.post("/admin/realms/<name>/clients/<cid>/roles")
    def create_client_role(name, cid):
        client = state.realms[name].clients.get(cid)
        if client is None:
            return _error(404, "Could not find client")
        body = request.get_json()
        if body["name"] in client["roles"]:
            return _error(409, f"Role with name {body['name']} already exists")
        client["roles"][body["name"]] = {
            **body,
            "id": str(uuid.uuid4()),
            "clientRole": True,
            "containerId": cid,
        }
        return created(f"/admin/realms/{name}/clients/{cid}/roles/{body['name']}")

    @app.get("/admin/realms/<name>/users/profile")
    def get_profile(name):
        return jsonify(state.realms[name].profile)

    @app.put("/admin/realms/<name>/users/profile")
    def put_profile(name):
        state.realms[name].profile = request.get_json()
        return jsonify(state.realms[name].profile)


def _attribute_query(q: str) -> dict[str, str]:
    pairs = (part.split(":", 1) for part in q.split() if ":" in part)
    return {key: value.strip('"') for key, value in pairs}


def _organization_routes(app: Flask, state: KeycloakState, created) -> None:
    @app.before_request
    def organizations_enabled():
        name = (request.view_args or {}).get("name")
        if "/organizations" in request.path and name in state.realms:
            if not state.realms[name].representation.get("organizationsEnabled"):
                return _error(404, "Organizations not enabled for this realm.")
        return None

    @app.get("/admin/realms/<name>/organizations")
    def organizations(name):
        orgs = list(state.realms[name].organizations.values())
        if q := request.args.get("q"):
            wanted = _attribute_query(q)
            orgs = [
                o
                for o in orgs
                if all(v in (o.get("attributes") or {}).get(k, []) for k, v in wanted.items())
            ]
        elif search := request.args.get("search"):
            exact = request.args.get("exact", "false").lower() == "true"
            orgs = [
                o
                for o in orgs
                if any(
                    (s == search) if exact else (search.lower() in s.lower())
                    for s in [o["name"], *(d["name"] for d in o.get("domains", []))]
                )
            ]
        first, size = int(request.args.get("first", 0)), int(request.args.get("max", 10))
        brief = request.args.get("briefRepresentation", "true").lower() == "true"
        hidden = {"members", "attributes"} if brief else {"members"}
        return jsonify(
            [{k: v for k, v in o.items() if k not in hidden} for o in orgs[first : first + size]]
        )

    @app.post("/admin/realms/<name>/organizations")
    def create_organization(name):
        body = request.get_json()
        orgs = state.realms[name].organizations.values()
        alias = body.get("alias") or body["name"]
        if any(o["name"] == body["name"] for o in orgs):
            return _error(409, "A organization with the same name already exists.")
        if any(o["alias"] == alias for o in orgs):
            return _error(409, "A organization with the same alias already exists.")
        oid = str(uuid.uuid4())
        state.realms[name].organizations[oid] = {
            "domains": [],
            **body,
            "alias": alias,
            "id": oid,
            "members": [],
        }
        return created(f"/admin/realms/{name}/organizations/{oid}")

    @app.post("/admin/realms/<name>/organizations/<oid>/members")
    def add_member(name, oid):
        org = state.realms[name].organizations.get(oid)
        if org is None:
            return _error(404, "Organization not found.")
        user_id = request.get_data(as_text=True).strip().strip('"')
        if user_id not in state.realms[name].users:
            return _error(400, "User does not exist")
        if user_id in org["members"]:
            return _error(409, "User is already a member of the organization.")
        org["members"].append(user_id)
        return created(f"/admin/realms/{name}/organizations/{oid}/members/{user_id}")


def _user_routes(app: Flask, state: KeycloakState, created, no_content) -> None:
    def managed(realm: Realm, attributes: dict | None) -> dict:
        if realm.profile.get("unmanagedAttributePolicy"):
            return dict(attributes or {})
        declared = {a["name"] for a in realm.profile.get("attributes", [])}
        return {k: v for k, v in (attributes or {}).items() if k in declared}

    @app.get("/admin/realms/<name>/users")
    def users(name):
        username = (request.args.get("username") or "").lower()
        exact = request.args.get("exact", "false").lower() == "true"
        found = [
            {k: v for k, v in u.items() if k != "clientRoles"}
            for u in state.realms[name].users.values()
            if not username or (u["username"] == username if exact else username in u["username"])
        ]
        first, size = int(request.args.get("first", 0)), int(request.args.get("max", 100))
        return jsonify(found[first : first + size])

    @app.post("/admin/realms/<name>/users")
    def create_user(name):
        realm = state.realms[name]
        body = request.get_json()
        username = body["username"].lower()
        if any(u["username"] == username for u in realm.users.values()):
            return _error(409, "User exists with same username")
        uid = str(uuid.uuid4())
        realm.users[uid] = {
            "id": uid,
            "username": username,
            "firstName": body.get("firstName"),
            "lastName": body.get("lastName"),
            "email": body.get("email"),
            "enabled": bool(body.get("enabled", False)),
            "emailVerified": bool(body.get("emailVerified", False)),
            "createdTimestamp": int(time.time() * 1000),
            "requiredActions": list(body.get("requiredActions") or []),
            "attributes": managed(realm, body.get("attributes")),
            "clientRoles": {},
        }
        return created(f"/admin/realms/{name}/users/{uid}")

    @app.get("/admin/realms/<name>/users/<uid>")
    def get_user(name, uid):
        user = state.realms[name].users.get(uid)
        if user is None:
            return _error(404, "User not found")
        return jsonify({k: v for k, v in user.items() if k != "clientRoles"})

    @app.put("/admin/realms/<name>/users/<uid>")
    def update_user(name, uid):
        realm = state.realms[name]
        user = realm.users.get(uid)
        if user is None:
            return _error(404, "User not found")
        body = request.get_json()
        for key in ("firstName", "lastName", "email"):
            user[key] = body.get(key)  # replaced: left out means cleared
        user["attributes"] = managed(realm, body.get("attributes"))
        for key in ("enabled", "emailVerified", "requiredActions"):
            if key in body:
                user[key] = body[key]
        return no_content()

    def mapping(name, uid, cid):
        realm = state.realms[name]
        user, client = realm.users.get(uid), realm.clients.get(cid)
        if user is None or client is None:
            return None, None
        return user["clientRoles"].setdefault(client["clientId"], {}), client

    @app.get("/admin/realms/<name>/users/<uid>/role-mappings/clients/<cid>")
    def user_client_roles(name, uid, cid):
        held, _ = mapping(name, uid, cid)
        if held is None:
            return _error(404, "User not found")
        return jsonify(list(held.values()))

    @app.post("/admin/realms/<name>/users/<uid>/role-mappings/clients/<cid>")
    def add_user_client_roles(name, uid, cid):
        held, client = mapping(name, uid, cid)
        if held is None:
            return _error(404, "User not found")
        for role in request.get_json():
            if role.get("name") not in client["roles"]:
                return _error(404, "Role not found")
            held[role["name"]] = client["roles"][role["name"]]
        return no_content()

    @app.post("/admin/realms/<name>/users/<uid>/logout")
    def logout(name, uid):
        realm = state.realms[name]
        if uid not in realm.users:
            return _error(404, "User not found")
        realm.sessions[uid] = 0
        return no_content()

    @app.put("/admin/realms/<name>/users/<uid>/reset-password")
    def reset_password(name, uid):
        realm = state.realms[name]
        user = realm.users.get(uid)
        if user is None:
            return _error(404, "User not found")
        body = request.get_json()
        realm.passwords[uid] = {"value": body["value"], "temporary": bool(body.get("temporary"))}
        if body.get("temporary") and "UPDATE_PASSWORD" not in user["requiredActions"]:
            user["requiredActions"].append("UPDATE_PASSWORD")
        return no_content()

    @app.get("/admin/realms/<name>/attack-detection/brute-force/users/<uid>")
    def brute_force_status(name, uid):
        never = {"numFailures": 0, "disabled": False, "lastIPFailure": "n/a", "lastFailure": 0}
        return jsonify(state.realms[name].brute_force.get(uid, never))

    @app.delete("/admin/realms/<name>/attack-detection/brute-force/users/<uid>")
    def clear_brute_force(name, uid):
        state.realms[name].brute_force.pop(uid, None)
        return no_content()

    @app.delete("/admin/realms/<name>/users/<uid>/role-mappings/clients/<cid>")
    def remove_user_client_roles(name, uid, cid):
        held, _ = mapping(name, uid, cid)
        if held is None:
            return _error(404, "User not found")
        for role in request.get_json():
            held.pop(role.get("name"), None)
        return no_content()


@dataclass
class RunningFake:
    url: str
    state: KeycloakState
    _server: object

    def stop(self) -> None:
        self._server.shutdown()


def serve(port: int, **kwargs) -> RunningFake:
    """The fake over real HTTP on 127.0.0.1:`port`, in a daemon thread."""
    url = f"http://127.0.0.1:{port}"
    app = create_fake(lambda: url, **kwargs)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True, name="keycloak-fake").start()
    return RunningFake(url, app.config["state"], server)
