"""Integration events: what the platform tells the systems outside it, versioned.

A feature builds one of these in the transaction of the change (the case engine when a
case is filed, changes stage, is decided, revoked or closed; the one door when a clue is
received or answered) and hands it to the gateway, which routes it to every connector a
district has turned on. A connector reads only these types, never a feature's records:
what travels is this module's contract, and a change to an event's fields is a new
`VERSION` (a connector says which versions it reads).

Every event belongs to an aggregate (a case or a clue) and carries its position in that
aggregate's history (`sequence`, from the case's own version counter or the clue's step
count), so that the gateway delivers a case's records in order and an upstream system
can tell an old update from a new one. `origin` says where the change came from: an
event about a record pulled from a vertical system carries that connector's name and is
never sent back to it.

Amounts are in fen (integer cents of yuan), dates are ISO dates in the district's time,
moments are UTC. Personal data (a party's ID number, a reporter's phone) travels only in
the fields an upstream system's standard asks for, and is never logged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

ORIGIN_SELF = "yimen"


@dataclasses.dataclass(frozen=True, kw_only=True)
class IntegrationEvent:
    """What every event says: which record, where in its history, whose, since when."""

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    AGGREGATE: ClassVar[str] = ""

    aggregate_id: uuid.UUID
    sequence: int  # the aggregate's version after this change: strictly increasing
    agency_code: str  # the lead agency (a subscription may be limited to some agencies)
    occurred_at: dt.datetime  # UTC
    origin: str = ORIGIN_SELF  # the connector a pulled record came from, else "yimen"
    event_id: uuid.UUID = dataclasses.field(default_factory=uuid.uuid4)

    @property
    def aggregate_key(self) -> str:
        """`case:<id>` — the order key: one aggregate's deliveries go out in sequence."""
        return f"{self.AGGREGATE}:{self.aggregate_id}"

    def payload(self) -> dict[str, Any]:
        """The event as JSON-ready data (what a delivery row keeps and a connector reads)."""
        return {"type": self.TYPE, "version": self.VERSION, **_plain(dataclasses.asdict(self))}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- cases -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Party:
    """A party as the provincial standards list it."""

    kind: str  # "person" | "organisation"
    name: str
    id_type: str = ""  # "resident_id" | "credit_code" | …
    id_number: str = ""  # personal data: never logged
    address: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseEvent(IntegrationEvent):
    AGGREGATE: ClassVar[str] = "case"

    case_number: str  # 案号 ("" before filing approval)
    matter_code: str  # the power-list code (权力事项编码)
    district_code: str  # the district's administrative division code


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseFiled(CaseEvent):
    """立案: the head approved filing."""

    TYPE: ClassVar[str] = "case.filed"

    source: str  # where the case came from (complaint, patrol, referral, 12345 …)
    title: str  # the case's name (matter and party)
    procedure: str  # "general" | "simple"
    filed_on: dt.date
    officers_certificates: tuple[str, ...]  # 执法证号 of the officers in charge
    major: bool  # 重大执法决定 (legal review required)
    criminal: bool  # suspected crime (涉嫌犯罪)
    parties: tuple[Party, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseStageChanged(CaseEvent):
    """A stage reached (investigation, notice, review, decision, service, execution …)."""

    TYPE: ClassVar[str] = "case.stage_changed"

    stage: str
    on: dt.date
    legal_review_on: dt.date | None = None  # 法制审核 done on
    collective_discussion_on: dt.date | None = None  # 集体讨论 held on


@dataclasses.dataclass(frozen=True, kw_only=True)
class PenaltyDecided(CaseEvent):
    """处罚决定: the decision with the penalty."""

    TYPE: ClassVar[str] = "case.penalty_decided"

    document_number: str  # 决定书文号
    decided_on: dt.date
    kinds: tuple[str, ...]  # warning, fine, confiscation, …
    fine_fen: int
    confiscation_fen: int
    benchmark_code: str  # the discretion benchmark applied
    benchmark_version: str
    publish_by: dt.date | None  # disclosure deadline (7 working days under 处罚法 第四十八条)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DecisionRevoked(CaseEvent):
    """The decision revoked (reconsideration, litigation, self-correction)."""

    TYPE: ClassVar[str] = "case.decision_revoked"

    document_number: str
    revoked_on: dt.date
    ground: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseClosed(CaseEvent):
    """结案."""

    TYPE: ClassVar[str] = "case.closed"

    closed_on: dt.date
    outcome: str  # penalty, no_penalty, not_filed, transferred, …


# --- clues -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClueEvent(IntegrationEvent):
    AGGREGATE: ClassVar[str] = "clue"

    receipt_code: str  # the door's own code (YM…)
    source: str  # public_web, hotline_12345, police, open311, …
    source_ref: str  # the sender's own number (a 12345 work order), "" when none


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClueReceived(ClueEvent):
    TYPE: ClassVar[str] = "clue.received"

    received_at: dt.datetime
    matter_code: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClueAnswered(ClueEvent):
    """What the door did with a clue: accepted, returned (退办, with the reason), a
    progress note, the result."""

    TYPE: ClassVar[str] = "clue.answered"

    answer: str  # "accepted" | "returned" | "progress" | "result"
    note: str
    at: dt.datetime


EVENT_TYPES: dict[str, type[IntegrationEvent]] = {
    cls.TYPE: cls
    for cls in (
        CaseFiled,
        CaseStageChanged,
        PenaltyDecided,
        DecisionRevoked,
        CaseClosed,
        ClueReceived,
        ClueAnswered,
    )
}


# --- inbound topics ------------------------------------------------------------------
# What a source's records are (gateway.ports.Received.topic); a feature handles a topic
# through `Feature.inbound_handlers`.

HOTLINE_ORDER = "hotline_12345.order"
"""A 12345 work order dispatched to the district: `order_no`, `district` (division code),
`level` (普通 | 紧急), `deadline` and `received_at` (ISO moments with offset), `category`,
`address`, `content`, `reporter` {`name`, `phone`} (personal data: never logged)."""

HOTLINE_SATISFACTION = "hotline_12345.satisfaction"
"""The complainant's answer on the hotline's callback about an order: `order_no`,
`satisfaction` (满意 | 基本满意 | 不满意), `comment`, `at`."""

UPPER_LEVEL = "upper_level"
"""The inbound connector of upper-level systems (the SOAP clue service at
/soap/v1/<district>/clues); a machine client sends on it with the scope
`gateway:upper_level`."""

UPPER_LEVEL_CLUE = "upper_level.assigned_clue"
"""A clue an upper-level system assigned to the district: `external_ref` (its own id, the
natural key), `matter_code`, `content`, `place`, `reporter` {`name`, `phone`} (personal
data: never logged), `deadline` (ISO moment with offset, or absent)."""


def connector_scope(connector: str) -> str:
    """The OAuth scope a machine client needs to send on an inbound connector."""
    return f"gateway:{connector}"
