"""A runnable simulator of the city's 12345 hotline REST API, for the tests and demos.

    python -m yimen.connectors.hotline12345.simulator --port 8345 --state var/hotline.json

Its state (orders, acknowledgements, feedback, satisfaction, faults, the ledger) is kept
in the `--state` file, written after every change, so a restarted simulator remembers.

The district's side (each needs `Authorization: Bearer <key>` or `X-API-Key: <key>`):

- `GET /orders?district=<division code>&after=<cursor>&limit=` — orders dispatched to
  the district after the cursor, oldest first, and the cursor to ask from next;
- `POST /orders/<no>/ack` — 签收: the district has the order (a repeat is recognised);
- `POST /orders/<no>/feedback` `{feedback_id, kind, note, at}` — accept, return (退办,
  with the reason), progress, result; a repeated feedback id answers 200 with the first
  receipt and changes nothing;
- `GET /orders/<no>` — the order with its status, our feedback and, once the hotline has
  called the complainant back, the satisfaction.

The hotline's side, for the tests (`/_control`; with `--admin-token T`, only with
`Authorization: Bearer T`): `POST /_control/orders` dispatches
an order, `POST /_control/orders/<no>/satisfaction` records the complainant's answer,
`POST /_control/faults` sets the fault switches (latency, 5xx rate, drop the reply after
commit per route, every order listed twice, down for a while), `GET /_control/ledger`
lists every effect once — what a count of effects is read from.

Bodies are validated against schemas.py with jsonschema; a bad body is a 422 naming the
fields. Phone numbers are never printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from yimen.connectors.hotline12345 import schemas

_FORMATS = FormatChecker()
VALIDATORS = {
    name: Draft202012Validator(schema, format_checker=_FORMATS)
    for name, schema in (
        ("order", schemas.ORDER),
        ("feedback", schemas.FEEDBACK),
        ("satisfaction", schemas.SATISFACTION_BODY),
        ("faults", schemas.FAULTS),
    )
}
# The status an order reaches with each feedback kind (the hotline's own words).
STATUS_AFTER = {"accept": "受理", "return": "退办", "progress": "办理中", "result": "已办结"}

URLS = Map(
    [
        Rule("/orders", methods=["GET"], endpoint="list"),
        Rule("/orders/<no>", methods=["GET"], endpoint="show"),
        Rule("/orders/<no>/ack", methods=["POST"], endpoint="ack"),
        Rule("/orders/<no>/feedback", methods=["POST"], endpoint="feedback"),
        Rule("/_control/orders", methods=["POST"], endpoint="dispatch"),
        Rule("/_control/orders/<no>/satisfaction", methods=["POST"], endpoint="satisfaction"),
        Rule("/_control/faults", methods=["POST"], endpoint="faults"),
        Rule("/_control/ledger", methods=["GET"], endpoint="ledger"),
    ]
)
ROUTES_WITH_KEY = ("list", "show", "ack", "feedback")


class DropReply(Exception):
    """The change is committed; the caller is to get no answer (a reset connection)."""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status, mimetype="application/json")


def _invalid(errors: list) -> Response:
    fields = [
        {"field": ".".join(str(p) for p in error.absolute_path) or "$", "message": error.message}
        for error in errors
    ]
    return _json({"error": "invalid body", "fields": fields}, 422)


class State:
    """The hotline's records, in memory and in a JSON file (atomic rewrite on change)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.data: dict[str, Any] = {
            "seq": 0,
            "orders": {},  # order no → order with seq, status, acked_at, feedback, satisfaction
            "feedback": {},  # feedback id → receipt
            "ledger": [],  # one line per effect
            "faults": {},
            "down_until": 0.0,
        }
        if path is not None and path.exists():
            self.data.update(json.loads(path.read_text()))

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".hotline-")
        with os.fdopen(fd, "w") as out:
            json.dump(self.data, out, ensure_ascii=False)
        os.replace(tmp, self.path)

    def effect(self, kind: str, order_no: str, **extra: Any) -> None:
        self.data["ledger"].append({"effect": kind, "order_no": order_no, "at": now(), **extra})


class HotlineSimulator:
    """The WSGI application (werkzeug)."""

    def __init__(
        self,
        state_path: Path | None = None,
        api_keys: tuple[str, ...] = (),
        admin_token: str = "",
    ) -> None:
        self.state = State(state_path)
        self.api_keys = tuple(api_keys)
        self.admin_token = admin_token

    # -- plumbing ---------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except DropReply:
            _drop_connection(environ)
            response = Response(status=500)  # never reaches the caller
        except HTTPException as exc:
            response = _json({"error": exc.description}, exc.code or 500)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        endpoint, args = URLS.bind_to_environ(request.environ).match()
        if endpoint in ROUTES_WITH_KEY:
            refused = self._fault_or_refusal(request)
            if refused is not None:
                return refused
        elif self.admin_token and not _presents(request, (self.admin_token,)):
            return _json({"error": "the admin token is required"}, 401)
        return getattr(self, f"on_{endpoint}")(request, **args)

    def _fault_or_refusal(self, request: Request) -> Response | None:
        faults = self.state.data["faults"]
        if faults.get("latency_ms"):
            time.sleep(faults["latency_ms"] / 1000)
        if time.time() < self.state.data["down_until"]:
            return _json({"error": "service unavailable"}, 503)
        if random.random() < faults.get("error_rate", 0):
            return _json({"error": "simulated server error"}, 500)
        if not self._authorised(request):
            return _json({"error": "a valid API key is required"}, 401)
        return None

    def _authorised(self, request: Request) -> bool:
        return not self.api_keys or _presents(request, self.api_keys)

    def _body(self, request: Request, schema: str) -> tuple[dict | None, Response | None]:
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            return None, _json({"error": "the body is not JSON"}, 400)
        errors = sorted(VALIDATORS[schema].iter_errors(body), key=lambda e: list(e.path))
        return (None, _invalid(errors)) if errors else (body, None)

    def _order(self, no: str) -> dict:
        order = self.state.data["orders"].get(no)
        if order is None:
            raise NotFound(f"no order {no}")
        return order

    def _maybe_drop(self, route: str) -> None:
        """After a committed change: drop the reply if the switch says so (once per count)."""
        drops = self.state.data["faults"].get("drop_after_commit", {})
        if drops.get(route, 0) > 0:
            drops[route] -= 1
            self.state.save()
            raise DropReply(route)

    # -- the district's side ------------------------------------------------------------

    def on_list(self, request: Request) -> Response:
        district = request.args.get("district", "")
        try:
            after = int(request.args.get("after") or 0)
            limit = min(int(request.args.get("limit") or 100), 500)
        except ValueError:
            return _json({"error": "after and limit are whole numbers"}, 400)
        with self.state.lock:
            orders = sorted(
                (
                    o
                    for o in self.state.data["orders"].values()
                    if o["district"] == district and o["seq"] > after
                ),
                key=lambda o: o["seq"],
            )[:limit]
            cursor = str(orders[-1]["seq"]) if orders else str(after)
            listed = [dict(o) for o in orders]
            if self.state.data["faults"].get("duplicate_listing"):
                listed = [o for order in listed for o in (order, order)]
        return _json({"orders": listed, "cursor": cursor})

    def on_show(self, request: Request, no: str) -> Response:
        with self.state.lock:
            return _json(self._order(no))

    def on_ack(self, request: Request, no: str) -> Response:
        with self.state.lock:
            order = self._order(no)
            if order["acked_at"] is None:
                order["acked_at"] = now()
                order["status"] = "已签收"
                self.state.effect("ack", no)
                self.state.save()
            self._maybe_drop("ack")
            return _json({"order_no": no, "acked_at": order["acked_at"]})

    def on_feedback(self, request: Request, no: str) -> Response:
        body, problem = self._body(request, "feedback")
        if problem is not None:
            return problem
        assert body is not None
        with self.state.lock:
            order = self._order(no)
            known = self.state.data["feedback"].get(body["feedback_id"])
            if known is not None:
                return _json({"receipt": known, "duplicate": True}, 200)
            code, refusal = _refusal(order, body["kind"])
            if code:
                return _json({"error": refusal, "code": code}, 409)
            receipt = f"FB{self.state.data['seq']:06d}{secrets.token_hex(3).upper()}"
            self.state.data["feedback"][body["feedback_id"]] = receipt
            order["feedback"].append({**body, "receipt": receipt})
            order["status"] = STATUS_AFTER[body["kind"]]
            self.state.effect(body["kind"], no, feedback_id=body["feedback_id"])
            self.state.save()
            self._maybe_drop("feedback")
        return _json({"receipt": receipt}, 201)

    # -- the hotline's side (control) ---------------------------------------------------

    def on_dispatch(self, request: Request) -> Response:
        body, problem = self._body(request, "order")
        if problem is not None:
            return problem
        assert body is not None
        with self.state.lock:
            if body["order_no"] in self.state.data["orders"]:
                return _json({"error": "order exists"}, 409)
            self.state.data["seq"] += 1
            order = {
                "reporter": {},
                "received_at": now(),
                **body,
                "seq": self.state.data["seq"],
                "status": "已派发",
                "acked_at": None,
                "feedback": [],
                "satisfaction": None,
            }
            self.state.data["orders"][body["order_no"]] = order
            self.state.effect("dispatch", body["order_no"])
            self.state.save()
        return _json(order, 201)

    def on_satisfaction(self, request: Request, no: str) -> Response:
        body, problem = self._body(request, "satisfaction")
        if problem is not None:
            return problem
        assert body is not None
        with self.state.lock:
            order = self._order(no)
            order["satisfaction"] = {**body, "at": now()}
            self.state.effect("satisfaction", no)
            self.state.save()
        return _json(order)

    def on_faults(self, request: Request) -> Response:
        body, problem = self._body(request, "faults")
        if problem is not None:
            return problem
        assert body is not None
        with self.state.lock:
            # the switches are set as a whole: what is not named is off
            down_for = body.pop("down_for_s", 0)
            self.state.data["down_until"] = time.time() + down_for if down_for else 0.0
            self.state.data["faults"] = body
            self.state.save()
        return _json({"faults": body})

    def on_ledger(self, request: Request) -> Response:
        with self.state.lock:
            return _json(self.state.data["ledger"])


def _presents(request: Request, keys: tuple[str, ...]) -> bool:
    """The caller presents one of `keys` (as a bearer token or in X-API-Key)."""
    given = request.headers.get("X-API-Key", "")
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        given = auth.removeprefix("Bearer ")
    return any(secrets.compare_digest(given.encode(), key.encode()) for key in keys)


def _refusal(order: dict, kind: str) -> tuple[str, str]:
    """What the hotline refuses (a code and words): feedback on an order not signed for
    yet, an answer after the order was returned or finished, progress or a result on an
    order not accepted."""
    if order["acked_at"] is None:
        return "not_acknowledged", "the order has not been acknowledged"
    if order["status"] in ("退办", "已办结"):
        return "order_closed", f"the order is {order['status']}"
    if kind in ("progress", "result") and order["status"] not in ("受理", "办理中"):
        return "not_accepted", "the order has not been accepted"
    return "", ""


def _drop_connection(environ) -> None:
    """Reset the connection under the reply (werkzeug's server hands its socket over)."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="12345 hotline REST simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8345)
    parser.add_argument("--state", type=Path, default=Path("var/hotline12345.json"))
    parser.add_argument("--api-key", action="append", default=[], help="a key a caller may present")
    parser.add_argument("--admin-token", default="", help="guards /_control (none: open)")
    args = parser.parse_args(argv)
    from werkzeug.serving import run_simple

    app = HotlineSimulator(args.state, tuple(args.api_key), args.admin_token)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
