"""A runnable simulator of a ministry's market-regulation case system (REST), the vertical
system whose cases the platform pulls.

    python -m yimen.connectors.sector.simulator --port 8027 --state var/sector-sim.db \
        [--token T] [--admin-token T]

`GET /cases?updated_since=&until=&cursor=&limit=` (bearer token) lists the cases that
changed in [updated_since, until) — moments in UTC, ISO 8601 — in (updated_at, id)
order, `limit` at a time (default 50, at most 200), with `next_cursor` (opaque; null on
the last page). Each case: `id`, `agency_code`, `party` {kind, name, credit_code},
`matter` {code, name}, `decision_number`, `decision_date`, `fine` (yuan, a decimal
string), `status`, `updated_at`.

State is one SQLite file (`--state`). Admin endpoints (bearer `--admin-token` when set):
`POST /_admin/cases` adds or changes a case (the fields given; `updated_at` now unless
named); `GET`/`POST /_admin/switches` — `latency` (s), `error_rate` (share of 503s),
`fail_after_pages` + `fail_count` (after N more pages, that many 503s), `down_until`
(ISO; 503 before it), `duplicate_across_pages` (each page starts with the previous
page's last case), `repeat_page` (the next N requests with a cursor get the previous
page again, verbatim); `GET /_admin/ledger` lists every read with its window, cursor,
status and number of items.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import decimal
import hmac
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from yimen.connectors.sector.sim_store import Store, stamp

MAX_LIMIT = 200
EPOCH = "1970-01-01T00:00:00.000000+00:00"


class Simulator:
    """The WSGI app: the list endpoint behind its fault switches, and the admin endpoints."""

    def __init__(self, state: Path, tokens: set[str], admin_token: str = "") -> None:
        self.store = Store(state)
        self.tokens, self.admin_token = tokens, admin_token
        self.last_page: tuple[str, Response] | None = None  # (cursor asked, its answer)
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith("/_admin/"):
            response = self.admin(request)
        elif request.path == "/cases" and request.method == "GET":
            response = self.cases(request)
        else:
            response = _json({"error": "not found"}, 404)
        return response(environ, start_response)

    # --- the list, behind its fault switches ---------------------------------------

    def cases(self, request: Request) -> Response:
        args = request.args
        since, until, cursor = (
            args.get("updated_since", ""),
            args.get("until", ""),
            args.get("cursor", ""),
        )
        if not self._authorised(request):
            refused = _json({"error": "a valid bearer token is required"}, 401)
            return self._logged(since, until, cursor, refused)
        switches = self.store.switches()
        time.sleep(float(switches["latency"]))
        if _before(switches["down_until"]):
            return self._logged(since, until, cursor, _json({"error": "系统维护中"}, 503))
        if random.random() < float(switches["error_rate"]) or self.store.take_failure():
            return self._logged(since, until, cursor, _json({"error": "模拟故障"}, 503))
        try:
            window = (_moment(since, EPOCH), _moment(until, stamp(dt.datetime.now(dt.UTC))))
            after = _decode(cursor) if cursor else None
            limit = int(args.get("limit", 50))
            if not 1 <= limit <= MAX_LIMIT:
                raise ValueError(f"limit is 1 to {MAX_LIMIT}")
        except ValueError as exc:
            return self._logged(since, until, cursor, _json({"error": str(exc)}, 400))
        with self.lock:
            if cursor and self.last_page and self.store.take_repeat():
                return self._logged(since, until, cursor, self.last_page[1])
            inclusive = after is not None and bool(switches["duplicate_across_pages"])
            items = self.store.page(*window, after, limit, inclusive)
            last = items[-1] if len(items) == limit else None
            next_cursor = _encode(last["updated_at"], last["id"]) if last else None
            response = _json({"items": items, "next_cursor": next_cursor})
            self.last_page = (cursor, response)
        return self._logged(since, until, cursor, response, len(items))

    def _logged(
        self, since: str, until: str, cursor: str, response: Response, items: int = 0
    ) -> Response:
        self.store.read(since, until, cursor, response.status_code, items)
        return response

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "").encode()
        return any(hmac.compare_digest(given, f"Bearer {t}".encode()) for t in self.tokens)

    # --- the admin endpoints -------------------------------------------------------

    def admin(self, request: Request) -> Response:
        if self.admin_token and not hmac.compare_digest(
            request.headers.get("Authorization", "").encode(),
            f"Bearer {self.admin_token}".encode(),
        ):
            return _json({"error": "admin token required"}, 401)
        if request.path == "/_admin/cases" and request.method == "POST":
            body = request.get_json(force=True, silent=True)
            problem = _invalid_case(body)
            if problem:
                return _json({"error": problem}, 422)
            return _json(self.store.put(body), 201)
        if request.path == "/_admin/switches" and request.method == "POST":
            try:
                return _json(self.store.set_switches(request.get_json(force=True) or {}))
            except KeyError as exc:
                return _json({"error": f"unknown switch: {exc.args[0]}"}, 422)
        if request.path == "/_admin/switches":
            return _json(self.store.switches())
        if request.path == "/_admin/ledger":
            return _json(self.store.ledger())
        return _json({"error": "not found"}, 404)


TEXT_FIELDS = ("agency_code", "decision_number", "status")
PARTY_FIELDS = ("kind", "name", "credit_code")
MATTER_FIELDS = ("code", "name")


def _invalid_case(body: Any) -> str:
    """What is wrong with a case the admin endpoint was given ("" when nothing): the
    system's own schema, as its import would check it."""
    if not isinstance(body, dict):
        return "a case is a JSON object"
    known = {"id", "party", "matter", "decision_date", "fine", "updated_at", *TEXT_FIELDS}
    if set(body) - known:
        return f"unknown fields: {', '.join(sorted(set(body) - known))}"
    if not isinstance(body.get("id"), str) or not 1 <= len(body["id"].strip()) <= 64:
        return "id: 1 to 64 characters"
    if any(not isinstance(body.get(f, ""), str) for f in TEXT_FIELDS):
        return f"{', '.join(TEXT_FIELDS)}: text"
    for name, fields in (("party", PARTY_FIELDS), ("matter", MATTER_FIELDS)):
        value = body.get(name, {})
        if not isinstance(value, dict) or set(value) - set(fields):
            return f"{name}: an object of {', '.join(fields)}"
        if any(not isinstance(v, str) for v in value.values()):
            return f"{name}: text values"
    try:
        if body.get("decision_date"):
            dt.date.fromisoformat(body["decision_date"])
        if body.get("fine") not in (None, ""):
            decimal.Decimal(str(body["fine"]))
        if body.get("updated_at"):
            dt.datetime.fromisoformat(body["updated_at"])
    except (ValueError, TypeError, decimal.InvalidOperation):
        return "decision_date, fine or updated_at: not a date, a decimal or an ISO moment"
    return ""


def _moment(value: str, default: str) -> str:
    if not value:
        return default
    try:
        return stamp(dt.datetime.fromisoformat(value))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 moment: {value[:40]!r}") from exc


def _encode(updated_at: str, case_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([updated_at, case_id]).encode()).decode()


def _decode(cursor: str) -> tuple[str, str]:
    try:
        updated_at, case_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("not a cursor of this system") from exc
    return str(updated_at), str(case_id)


def _before(moment: str) -> bool:
    if not moment:
        return False
    until = dt.datetime.fromisoformat(moment)
    return dt.datetime.now(dt.UTC) < (until if until.tzinfo else until.replace(tzinfo=dt.UTC))


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status, content_type="application/json")


def serve(
    state: Path,
    tokens: set[str],
    host: str = "127.0.0.1",
    port: int = 0,
    admin_token: str = "",
) -> BaseWSGIServer:
    """A threaded server for the simulator (port 0: a free one); `serve_forever` runs it."""
    return make_server(host, port, Simulator(state, tokens, admin_token), threaded=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="市场监管行业办案系统 simulator (REST)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8027)
    parser.add_argument("--state", type=Path, default=Path("var/sector-sim.db"))
    parser.add_argument(
        "--token", action="append", default=[], help="a reader's bearer token (repeatable)"
    )
    parser.add_argument("--admin-token", default="", help="bearer token for /_admin/")
    args = parser.parse_args()
    args.state.parent.mkdir(parents=True, exist_ok=True)
    tokens = set(args.token) or {"yimen-demo"}
    server = serve(args.state, tokens, args.host, args.port, args.admin_token)
    print(f"sector simulator on http://{args.host}:{server.port}/cases", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
