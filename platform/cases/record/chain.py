"""The hash chain of a case's full-process record (全过程记录), as pure functions.

处罚法 第四十七条 requires the whole enforcement process to be recorded and archived;
国办发〔2018〕118号 (九) asks that the record cannot be deleted or altered unnoticed. Each
event's hash is SHA-256 over a canonical serialization of its facts and the previous
event's hash, so changing, removing or reordering one row breaks the link to the next;
`first_break` walks a chain and names the first broken link. No framework here: the
model and the database work are in events.py.

Canonical form (fixed; changing it breaks every stored chain): JSON with sorted keys,
`ensure_ascii=False`, separators `(",", ":")`, no NaN/Infinity; datetimes must be aware
and are written in UTC as ISO-8601 with microseconds (`2026-11-22T01:30:00.000000+00:00`);
dates ISO-8601; UUIDs and Decimals as strings; enums by value.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

GENESIS_PREFIX = "yimen/case_event/genesis/"
HASHED_FIELDS = (
    "tenant_id",
    "case_id",
    "seq",
    "kind",
    "stage",
    "actor",
    "at",
    "payload",
    "client_id",
    "prev_hash",
)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetime in a chained record: pass an aware one")
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} cannot go into a chained record")


def canonical(value: Any) -> str:
    """The one serialization that is hashed (see the module docstring)."""
    return json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
        default=_encode,
    )


def normalise(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as it will read back from a JSON column: what is stored is exactly
    what was hashed (dates become strings, tuples lists, and so on)."""
    if not isinstance(payload, dict):
        raise TypeError("an event payload is a JSON object")
    stored: dict[str, Any] = json.loads(canonical(payload))
    return stored


def genesis(case_id: uuid.UUID | str) -> str:
    """The prev_hash of a case's first event: fixed, and different for every case, so
    the first event of one case cannot be passed off as another's."""
    return hashlib.sha256(f"{GENESIS_PREFIX}{case_id}".encode()).hexdigest()


def event_hash(
    *,
    tenant_id: uuid.UUID | str,
    case_id: uuid.UUID | str,
    seq: int,
    kind: str,
    stage: str,
    actor: str,
    at: dt.datetime,
    payload: dict[str, Any],
    client_id: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical form of the event's facts and the previous hash."""
    facts = {
        "tenant_id": str(tenant_id),
        "case_id": str(case_id),
        "seq": seq,
        "kind": kind,
        "stage": stage,
        "actor": actor,
        "at": at,
        "payload": payload,
        "client_id": client_id,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical(facts).encode("utf-8")).hexdigest()


class Fault(enum.StrEnum):
    SEQ_GAP = "seq_gap"  # a row is missing (or the numbering was altered)
    PREV_HASH_MISMATCH = "prev_hash_mismatch"  # the row does not follow the one before it
    HASH_MISMATCH = "hash_mismatch"  # the row's facts were altered after it was written


MESSAGES = {
    Fault.SEQ_GAP: (
        "记录序号不连续 (应为第 {expected} 条，实为第 {found} 条)：有记录被删除或改号",
        "gap in the sequence (expected {expected}, found {found}): a record was deleted or renumbered",
    ),
    Fault.PREV_HASH_MISMATCH: (
        "与前一条记录的链接断开：前一条记录被替换或改动",
        "prev_hash does not match the previous record: it was replaced or altered",
    ),
    Fault.HASH_MISMATCH: (
        "记录内容与其哈希不符：该条记录写入后被改动",
        "hash mismatch: this record was altered after it was written",
    ),
}


@dataclass(frozen=True)
class Link:
    """One stored event, as the verifier reads it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    case_id: uuid.UUID
    seq: int
    kind: str
    stage: str
    actor: str
    at: dt.datetime
    payload: dict[str, Any]
    client_id: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Break:
    """The first broken link of one case's chain."""

    case_id: uuid.UUID
    seq: int  # the seq that is wrong: the altered row, or the first missing number
    event_id: uuid.UUID  # the row where the break was seen
    fault: Fault
    expected: str
    found: str

    @property
    def message(self) -> str:
        return MESSAGES[self.fault][0].format(expected=self.expected, found=self.found)

    @property
    def message_en(self) -> str:
        return MESSAGES[self.fault][1].format(expected=self.expected, found=self.found)


def first_break(case_id: uuid.UUID, links: Iterable[Link]) -> tuple[int, Break | None]:
    """Walk one case's events in seq order: (events seen, the first broken link or None).

    Checked in this order for each row: its seq is the next number, its prev_hash is the
    previous row's stored hash (the genesis for seq 1), and its own facts hash to its
    stored hash. An edited row shows as a hash mismatch at its seq; a deleted row as a
    gap at the missing seq.
    """
    expected_seq, expected_prev = 1, genesis(case_id)
    count, found = 0, None
    for link in links:
        count += 1
        if found is not None:
            continue
        if link.seq != expected_seq:
            found = Break(
                case_id, expected_seq, link.id, Fault.SEQ_GAP, str(expected_seq), str(link.seq)
            )
        elif link.prev_hash != expected_prev:
            found = Break(
                case_id,
                link.seq,
                link.id,
                Fault.PREV_HASH_MISMATCH,
                expected_prev,
                link.prev_hash,
            )
        else:
            actual = event_hash(**{name: getattr(link, name) for name in HASHED_FIELDS})
            if actual != link.hash:
                found = Break(case_id, link.seq, link.id, Fault.HASH_MISMATCH, actual, link.hash)
        expected_seq, expected_prev = link.seq + 1, link.hash
    return count, found
