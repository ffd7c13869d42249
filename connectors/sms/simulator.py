"""A runnable simulator of an SMS gateway, for the embedded default and the tests.

    python -m yimen.connectors.sms.simulator --port 8025

POST /v1/messages {to, template, params} with an Idempotency-Key header → 201 {id}
(a repeated key answers 200 with the first id and sends nothing new); GET /v1/messages
lists what was "sent", phone numbers masked, with the text the phone would show; POST
/_control/fail {count, status} makes the next `count` requests fail, to exercise retries.
Like a carrier's SMS platform, it sends only registered templates (`${name}` fields)
when it is given a set; a message for an unknown template is refused (422).
"""

from __future__ import annotations

import argparse
import hmac
import re
import string
import threading
import uuid

from flask import Blueprint, Flask, jsonify, request

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def blueprint(templates: dict[str, str] | None = None, api_key: str = "") -> Blueprint:
    """The gateway's routes. With `api_key`, sending needs `Authorization: Bearer <key>`,
    as a carrier's platform does; whoever mounts it guards the reading and control
    routes (the platform lets only its operator in)."""
    bp = Blueprint("sms_simulator", __name__)
    lock = threading.Lock()
    state = {"by_key": {}, "messages": [], "fail": 0, "fail_status": 503}
    bp.state = state  # type: ignore[attr-defined]

    @bp.post("/v1/messages")
    def send():
        if api_key and not hmac.compare_digest(
            request.headers.get("Authorization", "").encode(), f"Bearer {api_key}".encode()
        ):
            return jsonify(error="a valid API key is required"), 401
        key = request.headers.get("Idempotency-Key", "")
        body = request.get_json(silent=True) or {}
        with lock:
            if state["fail"] > 0:
                state["fail"] -= 1
                return jsonify(error="simulated outage"), state["fail_status"]
            if not key:
                return jsonify(error="Idempotency-Key required"), 400
            if not MOBILE.match(str(body.get("to", ""))) or not body.get("template"):
                return jsonify(error="invalid message"), 422
            if templates is not None and body["template"] not in templates:
                return jsonify(error=f"template {body['template']} not registered"), 422
            if key in state["by_key"]:
                return jsonify(id=state["by_key"][key]["id"], duplicate=True), 200
            params = body.get("params", {})
            message = {
                "id": uuid.uuid4().hex,
                "to": body["to"],
                "template": body["template"],
                "params": params,
                "text": string.Template(templates[body["template"]]).safe_substitute(params)
                if templates is not None
                else "",
                "key": key,
            }
            state["by_key"][key] = message
            state["messages"].append(message)
        return jsonify(id=message["id"]), 201

    @bp.get("/v1/messages")
    def listing():
        with lock:
            return jsonify([{**m, "to": masked(m["to"])} for m in state["messages"]])

    @bp.post("/_control/fail")
    def fail():
        body = request.get_json(silent=True) or {}
        with lock:
            state["fail"], state["fail_status"] = (
                int(body.get("count", 1)),
                int(body.get("status", 503)),
            )
        return jsonify(ok=True)

    return bp


def create_app(api_key: str = "") -> Flask:
    app = Flask("sms-simulator")
    app.register_blueprint(blueprint(api_key=api_key))
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="SMS gateway simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--api-key", default="", help="the key a sender must present")
    args = parser.parse_args()
    from waitress import serve

    serve(create_app(args.api_key), host=args.host, port=args.port)
