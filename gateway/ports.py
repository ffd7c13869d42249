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


# --- inbound: records an outside system holds for us, pulled by cursor ----------------


@dataclass(frozen=True)
class Received:
    """One record an outside system has for a district: its own id (the natural key the
    inbox keeps it by), what kind of record it is (the inbound topic a feature handles)
    and its content as the feature's handler reads it (personal data included: it is
    kept in the inbox, never logged)."""

    natural_key: str
    topic: str
    payload: dict


@dataclass(frozen=True)
class Page:
    """What one listing returned, and the cursor to ask from next time."""

    records: tuple[Received, ...]
    cursor: str


class Source(ABC):
    """An outside system the gateway pulls records from (the 12345 hotline's work
    orders). A district's stream is named by `stream` (its division code for the
    hotline); the gateway keeps the cursor per district and stream, makes each record
    durable in its inbox, and only then acknowledges it upstream."""

    name: str

    @abstractmethod
    def list_since(self, stream: str, cursor: str) -> Page:
        """The records after `cursor` (empty: from the start). Raises `ConnectorError`."""

    @abstractmethod
    def acknowledge(self, record: Received) -> None:
        """Tell the upstream the record is ours (签收). Repeating it is harmless."""

    def follow_up(self, record: Received) -> Received | None:
        """A later record about `record` the upstream now has (the complainant's
        satisfaction with a 12345 order), or None while there is none."""
        return None
