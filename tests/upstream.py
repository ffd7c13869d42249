"""A tiny upstream record system over real HTTP (werkzeug in a thread), with fault
switches, and the REST connector the gateway tests deliver through.

The upstream keeps every record it is given, in arrival order, and — like many real
upper-level systems — honours no idempotency key and does not refuse a second record
with the same external reference: only the sender's care keeps it exactly once.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support import free_port
from yimen.gateway.ports import AmbiguousDelivery, Connector, ConnectorError, Outbound


@dataclass
class Upstream:
    token: str = "s3cret-token-7f3a"
    records: list[dict] = field(default_factory=list)  # the ledger, in arrival order
    finds: int = 0
    seen_tokens: list[str] = field(default_factory=list)
    # fault switches
    down: bool = False  # every request answers 503
    poison: set[str] = field(default_factory=set)  # references answered 503, always
    refuse: set[str] = field(default_factory=set)  # references answered 400 (bad record)
    drop_after_commit: int = 0  # the next N records are kept, then the reply is lost
    reply_delay: float = 0.0
    url: str = ""

    def wsgi(self, environ, start_response):
        request = Request(environ)
        auth = request.headers.get("Authorization", "")
        self.seen_tokens.append(auth)
        if auth != f"Bearer {self.token}":
            return Response("unauthorised", 401)(environ, start_response)
        if self.down:
            return Response("down", 503)(environ, start_response)
        if request.method == "GET" and request.path.startswith("/records/"):
            self.finds += 1
            ref = request.path.rsplit("/", 1)[1]
            found = [r for r in self.records if r["reference"] == ref]
            if not found:
                return Response("{}", 404)(environ, start_response)
            body = json.dumps({"id": found[0]["id"]})
            return Response(body, 200, content_type="application/json")(environ, start_response)
        body = request.get_json()
        if body["reference"] in self.refuse:
            return Response("bad record", 400)(environ, start_response)
        if body["reference"] in self.poison:
            return Response("boom", 503)(environ, start_response)
        record = {"id": f"UP{len(self.records) + 1:05d}", **body}
        self.records.append(record)
        if self.drop_after_commit:
            self.drop_after_commit -= 1
            time.sleep(0.6)  # longer than the connector's timeout: the reply is lost
        elif self.reply_delay:
            time.sleep(self.reply_delay)
        answer = json.dumps({"id": record["id"]})
        return Response(answer, 201, content_type="application/json")(environ, start_response)

    def count(self, reference: str) -> int:
        return sum(1 for r in self.records if r["reference"] == reference)

    def sequences(self, aggregate_id: str) -> list[int]:
        return [
            r["payload"]["sequence"]
            for r in self.records
            if r["payload"]["aggregate_id"] == aggregate_id
        ]


def serve(upstream: Upstream):
    port = free_port()
    server = make_server("127.0.0.1", port, upstream.wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    upstream.url = f"http://127.0.0.1:{port}"
    return server


class RestConnector(Connector):
    """An upstream that keeps one record per event: POST {endpoint}/records keyed by the
    event's id; GET {endpoint}/records/<event id>."""

    def __init__(self, name: str, timeout: float = 0.3) -> None:
        self.name, self.timeout = name, timeout

    def _headers(self, message: Outbound) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {message.credentials.get('token', '')}",
            "Idempotency-Key": message.idempotency_key,
        }

    def deliver(self, message: Outbound) -> str:
        body = {"reference": _key(message), "topic": message.topic, "payload": message.payload}
        try:
            response = requests.post(
                f"{message.endpoint}/records",
                json=body,
                headers=self._headers(message),
                timeout=self.timeout,
            )
        except requests.ConnectionError as exc:
            raise ConnectorError(f"upstream unreachable ({type(exc).__name__})") from exc
        except requests.Timeout as exc:
            raise AmbiguousDelivery("upstream did not answer in time") from exc
        if response.status_code >= 500:
            raise ConnectorError(f"upstream answered {response.status_code}")
        if response.status_code >= 400:
            raise ConnectorError(f"upstream refused ({response.status_code})", retryable=False)
        return response.json()["id"]

    def find(self, message: Outbound) -> str | None:
        response = requests.get(
            f"{message.endpoint}/records/{_key(message)}",
            headers=self._headers(message),
            timeout=self.timeout,
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ConnectorError(f"upstream answered {response.status_code} to a query")
        return response.json()["id"]


def _key(message: Outbound) -> str:
    return str(message.payload["event_id"])
