"""Ports between the gateway and the outside world. Connectors implement them; nothing
in the platform or the tenants package imports a connector."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field


class ConnectorError(Exception):
    """The outside system did not take the message. `retryable` says whether trying
    again later can help (timeouts, 5xx) or not (a refused request)."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class AmbiguousDelivery(ConnectorError):
    """The request may have reached the outside system and been applied (a timeout or a
    reset after it was sent): before sending again, the gateway asks `Connector.find`
    whether the record is there."""


@dataclass(frozen=True)
class Outbound:
    """One message to deliver. The idempotency key is sent along, so the outside
    system can recognise a redelivery of the same message; many do not, so the
    connector also sends `reference` (our own id of the record, which the upstream keeps
    as its external reference) and counts "already exists" as delivered. `endpoint` and
    `credentials` come from the district's subscription (decrypted for this call only)."""

    connector: str
    topic: str
    payload: dict
    idempotency_key: str
    reference: str = ""
    endpoint: str = ""
    credentials: Mapping[str, str] = field(default_factory=dict)


class Connector(ABC):
    name: str

    @abstractmethod
    def deliver(self, message: Outbound) -> str:
        """Deliver the message; return the outside system's receipt id (its reference of
        the record). Raises `ConnectorError` (retryable or not) or `AmbiguousDelivery`."""

    def find(self, message: Outbound) -> str | None:
        """Ask the outside system whether `message` was already applied (after an
        ambiguous failure); its receipt id if so, None if not. A connector whose upstream
        cannot be asked keeps this default, and the gateway sends again."""
        return None
