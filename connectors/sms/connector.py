"""SMS connector: POST {base}/v1/messages with an Idempotency-Key header.

Templates are rendered by the SMS gateway from a template code and parameters (as the
Chinese carriers' SMS platforms do); the phone number leaves the platform only here.
"""

from __future__ import annotations

import requests

from yimen.gateway.ports import Connector, ConnectorError, Outbound


class HttpSmsConnector(Connector):
    name = "sms"

    def __init__(self, base_url: str, api_key: str = "", timeout: float = 5.0, http=None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key, self.timeout = api_key, timeout
        self.http = http or requests.Session()

    def deliver(self, message: Outbound) -> str:
        headers = {"Idempotency-Key": message.idempotency_key}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body = {
            "to": message.payload["to"],
            "template": message.payload["template"],
            "params": message.payload.get("params", {}),
        }
        try:
            response = self.http.post(
                f"{self.base_url}/v1/messages", json=body, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise ConnectorError(f"sms gateway unreachable ({type(exc).__name__})") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ConnectorError(f"sms gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise ConnectorError(
                f"sms gateway refused the message ({response.status_code})", retryable=False
            )
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            # Taken or not, the gateway did not say: sending again with the same
            # idempotency key is safe, so it is retried like an outage.
            raise ConnectorError(
                f"sms gateway answered {response.status_code} without a message id"
            ) from exc
