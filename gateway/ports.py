"""Ports between the gateway and the outside world. Connectors implement them; nothing
in the platform or the tenants package imports a connector."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


class ConnectorError(Exception):
    """The outside system did not take the message. `retryable` says whether trying
    again later can help (timeouts, 5xx) or not (a refused request)."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Outbound:
    """One message to deliver. The idempotency key is sent along, so the outside
    system can recognise a redelivery of the same message."""

    connector: str
    topic: str
    payload: dict
    idempotency_key: str


class Connector(ABC):
    name: str

    @abstractmethod
    def deliver(self, message: Outbound) -> str:
        """Deliver the message; return the outside system's receipt id."""
