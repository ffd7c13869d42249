"""FAKE — stands in for Keycloak's admin REST API, which cannot run on this machine
(no Keycloak on PyPI, Debian or npm; no Docker; no Java 21).

It implements only the endpoints yimen.tenants.identity.keycloak calls, with request
and response bodies as in Keycloak's Admin REST API (version 26): a client-credentials
token from the master realm, realms, clients and client roles, organizations and their
members, users (201 with a Location header, 409 on a duplicate), client-role mappings;
and, for the trust test, each realm's discovery document and JWKS. State is in memory.
"""

from __future__ import annotations

import uuid

from flask import Flask, abort, jsonify, request

TOKEN = "fake-admin-token"


def create_fake(base_url_getter, jwks_for=lambda realm: {"keys": []}) -> Flask:
    app = Flask("keycloak-fake")
    realms: dict[str, dict] = {}
    calls: list[str] = []
    app.config["realms"], app.config["calls"] = realms, calls

    def realm(name: str) -> dict:
        if name not in realms:
            abort(404)
        return realms[name]

    def authorised() -> None:
        calls.append(f"{request.method} {request.path}")
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            abort(401)

    def created(location: str):
        response = app.response_class(status=201)
        response.headers["Location"] = f"{base_url_getter()}{location}"
        return response

    @app.post("/realms/master/protocol/openid-connect/token")
    def token():
        if request.form.get("grant_type") != "client_credentials":
            return jsonify(error="unsupported_grant_type"), 400
        return jsonify(
            access_token=TOKEN, expires_in=300, refresh_expires_in=0, token_type="Bearer"
        )

    @app.get("/realms/<name>/.well-known/openid-configuration")
    def discovery(name):
        issuer = f"{base_url_getter()}/realms/{name}"
        realm(name)
        return jsonify(issuer=issuer, jwks_uri=f"{issuer}/protocol/openid-connect/certs")

    @app.get("/realms/<name>/protocol/openid-connect/certs")
    def certs(name):
        realm(name)
        return jsonify(jwks_for(name))

    @app.post("/admin/realms")
    def create_realm():
        authorised()
        body = request.get_json()
        if body["realm"] in realms:
            return jsonify(errorMessage="Conflict detected. See logs for details"), 409
        clients = {}
        for c in body.get("clients", []):
            cid = str(uuid.uuid4())
            clients[cid] = {**c, "id": cid, "roles": {}}
        realms[body["realm"]] = {"rep": body, "clients": clients, "orgs": {}, "users": {}}
        return created(f"/admin/realms/{body['realm']}")

    @app.get("/admin/realms/<name>")
    def get_realm(name):
        authorised()
        return jsonify(realm(name)["rep"])

    @app.get("/admin/realms/<name>/clients")
    def clients(name):
        authorised()
        wanted = request.args.get("clientId")
        found = [
            {"id": c["id"], "clientId": c["clientId"]}
            for c in realm(name)["clients"].values()
            if wanted is None or c["clientId"] == wanted
        ]
        return jsonify(found)

    @app.post("/admin/realms/<name>/clients/<cid>/roles")
    def create_role(name, cid):
        authorised()
        client = realm(name)["clients"].get(cid) or abort(404)
        role = request.get_json()["name"]
        if role in client["roles"]:
            return jsonify(errorMessage=f"Role with name {role} already exists"), 409
        client["roles"][role] = {
            "id": str(uuid.uuid4()),
            "name": role,
            "clientRole": True,
            "containerId": cid,
        }
        return created(f"/admin/realms/{name}/clients/{cid}/roles/{role}")

    @app.get("/admin/realms/<name>/clients/<cid>/roles/<role>")
    def get_role(name, cid, role):
        authorised()
        client = realm(name)["clients"].get(cid) or abort(404)
        return jsonify(client["roles"].get(role) or abort(404))

    @app.get("/admin/realms/<name>/organizations")
    def organizations(name):
        authorised()
        search = request.args.get("search", "")
        orgs = [
            o
            for o in realm(name)["orgs"].values()
            if search in (o["alias"], o["name"]) or not search
        ]
        first, size = int(request.args.get("first", 0)), int(request.args.get("max", 100))
        return jsonify(
            [{k: v for k, v in o.items() if k != "members"} for o in orgs[first : first + size]]
        )

    @app.post("/admin/realms/<name>/organizations")
    def create_organization(name):
        authorised()
        body = request.get_json()
        if any(o["alias"] == body.get("alias") for o in realm(name)["orgs"].values()):
            return jsonify(errorMessage="A organization with the same alias already exists"), 409
        oid = str(uuid.uuid4())
        realm(name)["orgs"][oid] = {**body, "id": oid, "members": []}
        return created(f"/admin/realms/{name}/organizations/{oid}")

    @app.post("/admin/realms/<name>/organizations/<oid>/members")
    def add_member(name, oid):
        authorised()
        org = realm(name)["orgs"].get(oid) or abort(404)
        user_id = request.get_data(as_text=True).strip().strip('"')
        if user_id not in realm(name)["users"]:
            abort(404)
        if user_id in org["members"]:
            return jsonify(errorMessage="User is already a member of the organization"), 409
        org["members"].append(user_id)
        return app.response_class(status=201)

    @app.get("/admin/realms/<name>/users")
    def users(name):
        authorised()
        username = (request.args.get("username") or "").lower()
        found = [
            u for u in realm(name)["users"].values() if not username or u["username"] == username
        ]
        return jsonify(found[: int(request.args.get("max", 100))])

    @app.post("/admin/realms/<name>/users")
    def create_user(name):
        authorised()
        body = request.get_json()
        body["username"] = body["username"].lower()
        if any(u["username"] == body["username"] for u in realm(name)["users"].values()):
            return jsonify(errorMessage="User exists with same username"), 409
        uid = str(uuid.uuid4())
        realm(name)["users"][uid] = {**body, "id": uid, "clientRoles": {}}
        return created(f"/admin/realms/{name}/users/{uid}")

    @app.put("/admin/realms/<name>/users/<uid>")
    def update_user(name, uid):
        authorised()
        user = realm(name)["users"].get(uid) or abort(404)
        user.update(request.get_json())
        return app.response_class(status=204)

    @app.post("/admin/realms/<name>/users/<uid>/role-mappings/clients/<cid>")
    def map_roles(name, uid, cid):
        authorised()
        user = realm(name)["users"].get(uid) or abort(404)
        client = realm(name)["clients"].get(cid) or abort(404)
        for role in request.get_json():
            if role["name"] not in client["roles"]:
                abort(404)
            mapped = user["clientRoles"].setdefault(client["clientId"], [])
            if role["name"] not in mapped:
                mapped.append(role["name"])
        return app.response_class(status=204)

    return app
