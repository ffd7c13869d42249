"""A runnable simulator of the provincial enforcement supervision platform (SOAP).

    python -m yimen.connectors.province.simulator --port 8026 --state var/province.db \
        [--user yimen:secret] [--admin-token TOKEN]

Contract first: it loads the vendored WSDL (`wsdl/supervision.wsdl`, served at
`/ws/supervision?wsdl`) and answers through `yimen.gateway.soap` — zeep reads each
request and writes each answer, lxml validates the body against the XSD, and the
WS-Security UsernameToken digest is checked (a replayed nonce is refused). Like the real
platform it keeps one record per (source system, external reference): a second
SubmitCase for it is a DUPLICATE fault naming the record; an UpdateStage whose update id
was applied before is answered `applied=false` and changes nothing.

Its state is one SQLite file (`--state`), so it survives a restart. Fault switches, over
JSON at `/_admin/switches` (GET, POST a partial object): `latency` (s), `error_rate` (share
of 503s), `hang` (s, then the connection is dropped unapplied), `drop_after_commit` (the
next N changes are applied and their reply dropped), `duplicate_replies` (each request is
applied but answered with the previous request's answer, as a confused proxy would), `down_until` (ISO moment; 503 before it),
`ignore_update_id` (updates are applied again whatever their id). `/_admin/ledger` lists
the effects per external reference, in order, to assert "exactly once" and order;
`/_admin/forget` (POST `{"externalRef": …}`) loses a record, as a restore from an old
backup would, for reconciliation to find.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from yimen.connectors.province.sim_store import Store
from yimen.gateway.soap.server import Call, SoapFault, SoapService

WSDL = Path(__file__).parent / "wsdl" / "supervision.wsdl"
NS = "urn:cn:gov:province:zfjd:supervision:1"
PATH = "/ws/supervision"
CHANGES = {"SubmitCase", "UpdateStage"}


class Simulator:
    """The WSGI app: fault switches around a contract-first SOAP service."""

    def __init__(self, state: Path, users: dict[str, str], admin_token: str = "") -> None:
        self.store = Store(state)
        self.users, self.admin_token = users, admin_token
        self.local = threading.local()  # whether this request changed anything
        self.last_reply: Response | None = None  # for the duplicate_replies switch
        self.service = SoapService(
            WSDL,
            {
                "SubmitCase": self.submit_case,
                "UpdateStage": self.update_stage,
                "QueryByReference": self.query_by_reference,
                "QuerySince": self.query_since,
            },
            password_of=users.get,
            nonces=self.store,
            fault_element=f"{{{NS}}}SupervisionFault",
        )

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith("/_admin/"):
            response = self.admin(request)
        elif request.method == "POST":
            response = self.soap(request, environ.get("werkzeug.socket"))
        else:
            response = self.service.respond(request)
        return response(environ, start_response)

    # --- the service, behind its fault switches ------------------------------------

    def soap(self, request: Request, sock: socket.socket | None) -> Response:
        switches = self.store.switches()
        time.sleep(float(switches["latency"]))
        if _before(switches["down_until"]):
            return Response("maintenance / 系统维护中", status=503)
        if random.random() < float(switches["error_rate"]):
            return Response("simulated outage / 模拟故障", status=503)
        if float(switches["hang"]) > 0:
            time.sleep(float(switches["hang"]))
            return _dropped(sock)
        self.local.changed = False
        response = self.service.respond(request)
        if self.local.changed and self.store.take_drop():
            return _dropped(sock)
        return self.replayed(response) if switches["duplicate_replies"] else response

    def replayed(self, response: Response) -> Response:
        """The answer to the previous request again, as a proxy or a desynchronised
        keep-alive connection would deliver it (this request is applied all the same)."""
        with self.store.lock:
            previous, self.last_reply = self.last_reply, response
        return previous or response

    def submit_case(self, request: dict[str, Any], call: Call) -> dict[str, Any]:
        meta = request["meta"]
        existing = self.store.record(meta["sourceSystem"], meta["externalRef"])
        if existing is None:
            try:
                record_id = self.store.create(meta, request["case"])
                self.local.changed = True
                return _receipt(record_id, meta["externalRef"], meta["dataVersion"])
            except sqlite3.IntegrityError:
                existing = self.store.record(meta["sourceSystem"], meta["externalRef"])
        assert existing is not None
        raise SoapFault(
            "DUPLICATE",
            "该外部业务编号已报送 / a record with this external reference exists",
            recordId=existing["record_id"],
        )

    def update_stage(self, request: dict[str, Any], call: Call) -> dict[str, Any]:
        meta = request["meta"]
        record = self.store.record(meta["sourceSystem"], meta["externalRef"])
        if record is None:
            raise SoapFault("NOT_FOUND", "案件未报送 / no record with this external reference")
        stage, body = next((k, v) for k, v in request["stage"].items() if v is not None)
        update_id = meta.get("updateId")
        ignore = self.store.switches()["ignore_update_id"]
        if update_id and not ignore and self.store.applied(record["record_id"], update_id):
            return {
                **_receipt(record["record_id"], meta["externalRef"], record["data_version"]),
                "applied": False,
            }
        version = self.store.add_stage(record["record_id"], meta, stage, body)
        self.local.changed = True
        return {**_receipt(record["record_id"], meta["externalRef"], version), "applied": True}

    def query_by_reference(self, request: dict[str, Any], call: Call) -> dict[str, Any]:
        record = self.store.record(request["sourceSystem"], request["externalRef"])
        return {"record": self.summary(record) if record is not None else None}

    def query_since(self, request: dict[str, Any], call: Call) -> dict[str, Any]:
        since = request["since"]
        since = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
        offset = int(request.get("pageToken") or 0)
        size = request["pageSize"]
        rows = self.store.changed_since(
            request["sourceSystem"],
            since.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            offset,
            size + 1,
        )
        return {
            "record": [self.summary(row) for row in rows[:size]],
            "nextPageToken": str(offset + size) if len(rows) > size else None,
        }

    def summary(self, record: sqlite3.Row) -> dict[str, Any]:
        return {
            "recordId": record["record_id"],
            "externalRef": record["external_ref"],
            "sourceSystem": record["source_system"],
            "op": record["op"],
            "dataVersion": record["data_version"],
            "batchNo": record["batch_no"],
            "changedAt": dt.datetime.fromisoformat(record["changed_at"]),
            "stage": [
                {
                    "stage": s["stage"],
                    "updateId": s["update_id"],
                    "dataVersion": s["data_version"],
                    "receivedAt": dt.datetime.fromisoformat(s["received_at"]),
                }
                for s in self.store.stages(record["record_id"])
            ],
        }

    # --- the admin endpoint ------------------------------------------------------------

    def admin(self, request: Request) -> Response:
        if (
            self.admin_token
            and request.headers.get("Authorization") != f"Bearer {self.admin_token}"
        ):
            return _json({"error": "admin token required"}, 401)
        if request.path == "/_admin/switches" and request.method == "POST":
            try:
                return _json(self.store.set_switches(request.get_json(force=True) or {}))
            except KeyError as exc:
                return _json({"error": f"unknown switch: {exc.args[0]}"}, 422)
        if request.path == "/_admin/switches":
            return _json(self.store.switches())
        if request.path == "/_admin/forget" and request.method == "POST":
            body = request.get_json(force=True) or {}
            lost = self.store.forget(body.get("sourceSystem", "yimen"), body.get("externalRef", ""))
            return _json({"forgotten": lost}, 200 if lost else 404)
        if request.path == "/_admin/ledger":
            return _json(self.store.ledger())
        return _json({"error": "not found"}, 404)


def _before(moment: str) -> bool:
    """Whether now is before `moment` (ISO; UTC when it names no offset)."""
    if not moment:
        return False
    until = dt.datetime.fromisoformat(moment)
    return dt.datetime.now(dt.UTC) < (until if until.tzinfo else until.replace(tzinfo=dt.UTC))


def _receipt(record_id: str, ref: str, version: int) -> dict[str, Any]:
    return {"recordId": record_id, "externalRef": ref, "dataVersion": version}


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status, content_type="application/json")


def _dropped(sock: socket.socket | None) -> Response:
    """Close the connection without an answer (the client sees a reset or a timeout)."""
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    return Response(b"", status=200)


def serve(
    state: Path,
    users: dict[str, str],
    host: str = "127.0.0.1",
    port: int = 0,
    admin_token: str = "",
) -> BaseWSGIServer:
    """A threaded server for the simulator (port 0: a free one); `serve_forever` runs it."""
    return make_server(host, port, Simulator(state, users, admin_token), threaded=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="省行政执法监督平台 simulator (SOAP)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--state", type=Path, default=Path("var/province-sim.db"))
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        help="name:password of a sender (repeatable; default yimen:yimen-demo)",
    )
    parser.add_argument("--admin-token", default="", help="bearer token for /_admin/")
    args = parser.parse_args()
    users = dict(u.split(":", 1) for u in args.user) or {"yimen": "yimen-demo"}
    args.state.parent.mkdir(parents=True, exist_ok=True)
    server = serve(args.state, users, args.host, args.port, args.admin_token)
    print(f"province simulator on http://{args.host}:{server.port}{PATH}?wsdl", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
