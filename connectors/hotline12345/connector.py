"""The 12345 hotline over REST: work orders pulled in (`HotlineOrders`, a gateway
`Source`) and our answers sent back (`HotlineConnector`, a gateway `Connector`).

The connector only speaks HTTP. What an order becomes (a clue) is the gateway's inbox
and the one door's business; the reporter's name and phone travel in the payload and are
never logged or put in an error message.
"""

from __future__ import annotations

from typing import Any

import requests

from yimen.gateway.contracts import HOTLINE_ORDER, HOTLINE_SATISFACTION
from yimen.gateway.ports import (
    AmbiguousDelivery,
    Connector,
    ConnectorError,
    Outbound,
    Page,
    Received,
    Source,
)

NAME = "hotline_12345"
ORDER_TOPIC, SATISFACTION_TOPIC = HOTLINE_ORDER, HOTLINE_SATISFACTION
# clue.answered's answers (gateway.contracts.ClueAnswered) → the hotline's feedback kinds
FEEDBACK_KIND = {
    "accepted": "accept",
    "returned": "return",
    "progress": "progress",
    "result": "result",
}


class HotlineClient:
    """Requests to one hotline API with its key, every failure as a `ConnectorError`."""

    def __init__(self, base_url: str, api_key: str = "", timeout: float = 5.0, http=None):
        self.base_url = base_url.rstrip("/")
        self.api_key, self.timeout = api_key, timeout
        self.http = http or requests.Session()

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = self.http.request(
                method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            if method == "GET":
                raise ConnectorError(f"12345 unreachable ({type(exc).__name__})") from exc
            # The request may have been applied before the reply was lost.
            raise AmbiguousDelivery(f"12345 did not answer ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            raise ConnectorError(f"12345 request failed ({type(exc).__name__})") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ConnectorError(f"12345 answered {response.status_code}")
        return response

    def json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ConnectorError(f"12345 answered {response.status_code} without JSON") from exc


def _refused(response: requests.Response, what: str) -> ConnectorError:
    return ConnectorError(f"12345 refused {what} ({response.status_code})", retryable=False)


class HotlineOrders(Source):
    """Work orders dispatched to a district (stream: its division code)."""

    name = NAME

    def __init__(self, client: HotlineClient) -> None:
        self.client = client

    def list_since(self, stream: str, cursor: str) -> Page:
        response = self.client.call(
            "GET", "/orders", params={"district": stream, "after": cursor or "0"}
        )
        if response.status_code != 200:
            raise _refused(response, "the listing")
        body = self.client.json(response)
        records = tuple(
            Received(order["order_no"], ORDER_TOPIC, _order(order)) for order in body["orders"]
        )
        return Page(records, str(body["cursor"]))

    def acknowledge(self, record: Received) -> None:
        response = self.client.call("POST", f"/orders/{record.natural_key}/ack")
        if response.status_code != 200:
            raise _refused(response, f"the acknowledgement of {record.natural_key}")

    def follow_up(self, record: Received) -> Received | None:
        if record.topic != ORDER_TOPIC:
            return None
        response = self.client.call("GET", f"/orders/{record.natural_key}")
        if response.status_code != 200:
            raise _refused(response, f"the order {record.natural_key}")
        rating = self.client.json(response).get("satisfaction")
        if not rating:
            return None
        payload = {
            "order_no": record.natural_key,
            "satisfaction": rating["satisfaction"],
            "comment": rating.get("comment", ""),
            "at": rating.get("at", ""),
        }
        return Received(f"{record.natural_key}#satisfaction", SATISFACTION_TOPIC, payload)


def _order(order: dict) -> dict:
    """The fields an order is kept with (the listing's bookkeeping left out)."""
    keep = ("order_no", "district", "level", "deadline", "category", "address", "content")
    return {
        **{key: order[key] for key in keep},
        "reporter": order.get("reporter") or {},
        "received_at": order.get("received_at", ""),
    }


class HotlineConnector(Connector):
    """Our answers on a 12345 order: `clue.answered` events (accepted, returned with the
    reason, progress, result) become feedback calls. The event's id is the feedback id,
    so a redelivery is recognised by the hotline; after an ambiguous failure `find` asks
    the order whether that feedback is already there."""

    name = NAME

    def __init__(self, client: HotlineClient) -> None:
        self.client = client

    def deliver(self, message: Outbound) -> str:
        order_no, body = _feedback(message)
        response = self.client.call("POST", f"/orders/{order_no}/feedback", json=body)
        if response.status_code in (200, 201):  # 200: the same feedback id, already taken
            return str(self.client.json(response)["receipt"])
        if response.status_code == 409 and _code(response) in WAIT_FOR:
            raise ConnectorError(f"12345 is not ready for the feedback on {order_no}")
        raise _refused(response, f"the feedback on {order_no}")

    def find(self, message: Outbound) -> str | None:
        order_no, body = _feedback(message)
        response = self.client.call("GET", f"/orders/{order_no}")
        if response.status_code != 200:
            return None
        for given in self.client.json(response).get("feedback", []):
            if given.get("feedback_id") == body["feedback_id"]:
                return str(given.get("receipt", ""))
        return None


# Refusals that the next pull clears: the order is acknowledged on the next pull when the
# clue was made before the acknowledgement went through (a reply lost, the hotline down).
WAIT_FOR = ("not_acknowledged",)


def _code(response: requests.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except (ValueError, AttributeError):
        return ""


def _feedback(message: Outbound) -> tuple[str, dict]:
    event = message.payload
    if event.get("type") != "clue.answered" or event.get("source") != NAME:
        raise ConnectorError(f"not a 12345 answer: {event.get('type')}", retryable=False)
    if not event.get("source_ref"):
        raise ConnectorError("a 12345 clue without its order number", retryable=False)
    kind = FEEDBACK_KIND.get(event.get("answer", ""))
    if kind is None:
        raise ConnectorError(f"no 12345 feedback for {event.get('answer')!r}", retryable=False)
    body = {"feedback_id": str(event["event_id"]), "kind": kind, "at": event["at"]}
    if event.get("note"):
        body["note"] = event["note"]
    return event["source_ref"], body
