"""Ports between the gateway and the outside world. Connectors implement them; nothing
in the platform or the tenants package imports a connector."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


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

    def held_key(self, payload: Mapping[str, object]) -> str:
        """The key under which the upstream holds what a delivery of `payload` sent (as
        `since` lists it): by default the event id, which travels as our reference."""
        return str(payload["event_id"])

    def since(self, query: SinceQuery) -> Iterator[Held]:
        """What the upstream holds from us changed since `query.since` (its "since" answer,
        for reconciliation), page by page. A connector whose upstream cannot be asked
        keeps this default: `NotImplementedError`, and nothing is reconciled."""
        raise NotImplementedError(f"{self.name} cannot be asked what it holds")


@dataclass(frozen=True)
class SinceQuery:
    """Reconciliation's question: what the upstream holds of one district's records,
    changed since `since` (UTC)."""

    since: datetime
    district_code: str
    endpoint: str = ""
    credentials: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Held:
    """One item the upstream holds from us, named by the key the gateway sent it under
    (the event id a delivery travelled with: a record's external reference, or an
    update's id), with its data version (None: not comparable, e.g. a record whose version
    moved on with its updates) and when the upstream took it (None: unknown)."""

    key: str
    version: int | None
    at: datetime | None


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


# --- pulling: the opposite direction ---------------------------------------------------


@dataclass(frozen=True)
class PulledCase:
    """One case as a vertical system lists it, in the platform's terms (amounts in fen,
    moments UTC). `upstream_id` is that system's own id of the case; `updated_at` when it
    last changed there. The party's ID number (a person's) is personal data: never logged."""

    upstream_id: str
    updated_at: datetime
    agency_code: str
    party_kind: str  # "organisation" | "person"
    party_name: str
    credit_code: str  # 统一社会信用代码 ("" for a person without one)
    matter_code: str
    matter_name: str
    decision_number: str  # 决定书文号
    decision_date: date | None
    fine_fen: int | None
    status: str


@dataclass(frozen=True)
class PullWindow:
    """One pass over the upstream's changes: [since, until) in UTC; `full` for the
    nightly pass over everything (since is then None)."""

    since: datetime | None
    until: datetime
    full: bool = False


@dataclass(frozen=True)
class PullRequest:
    window: PullWindow
    cursor: str | None = None
    endpoint: str = ""
    credentials: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PulledPage:
    cases: tuple[PulledCase, ...]
    next_cursor: str | None  # None: the window's last page
    refused: int = 0  # items the connector could not read (reported, never stored)


class PullConnector(ABC):
    """A system whose records the platform pulls (a ministry's vertical case system). The
    caller keeps the state between passes (the watermark, the cursor of a pass cut short)
    and asks the connector which window to read next."""

    name: str

    @abstractmethod
    def plan(
        self, watermark: datetime | None, last_full_pass: datetime | None, now: datetime
    ) -> PullWindow:
        """The next pass: after `watermark` (the `until` of the last pass that finished),
        overlapping it, or the nightly full pass when one is due."""

    @abstractmethod
    def fetch(self, request: PullRequest) -> PulledPage:
        """One page of the window from `request.cursor` (None: its first page). Raises
        `ConnectorError` (retryable or not); a page is never half-returned."""
