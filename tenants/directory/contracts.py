"""The commands the directory's use cases take (service.py), and what two of them answer.

The views, the console's forms and the bulk importers build them from input their
schemas have already checked; tests and other features build them directly. A change
(`Update…`) names only what changes: a field left at `KEEP` is not touched, while
None is a value (no unit, no certificate).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final, Literal

from yimen.platform.kernel.directory import AgencyKind, OfficerStatus, UnitKind


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP
Keep = Literal[_Keep.KEEP]


def changes_of(command: Any, key: str) -> dict[str, Any]:
    """The fields of an `Update…` command that change something, by name (its `key`,
    the id of what it changes, left out)."""
    return {
        f.name: getattr(command, f.name)
        for f in fields(command)
        if f.name != key and getattr(command, f.name) is not KEEP
    }


# --- agencies -------------------------------------------------------------------


@dataclass(frozen=True)
class CreateAgency:
    code: str
    name: str
    credit_code: str
    kind: AgencyKind
    name_en: str = ""
    domains: Sequence[str] = ()
    has_compulsory_power: bool = False
    doc_prefix: str = ""
    staffing_quota: int = 0
    # the account fines are paid into, printed on decisions: {name, bank, number}
    payment_account: Mapping[str, str] | None = None
    confirm_credit_code: bool = False  # a code failing the checksum is right nonetheless


@dataclass(frozen=True)
class UpdateAgency:
    agency_id: uuid.UUID
    name: str | Keep = KEEP
    name_en: str | Keep = KEEP
    domains: Sequence[str] | Keep = KEEP
    has_compulsory_power: bool | Keep = KEEP
    doc_prefix: str | Keep = KEEP
    staffing_quota: int | Keep = KEEP
    payment_account: Mapping[str, str] | None | Keep = KEEP


# --- units ----------------------------------------------------------------------


@dataclass(frozen=True)
class CreateUnit:
    agency_id: uuid.UUID
    name: str
    kind: UnitKind
    parent_id: uuid.UUID | None = None
    grid: str = ""


@dataclass(frozen=True)
class UpdateUnit:
    unit_id: uuid.UUID
    parent_id: uuid.UUID | None | Keep = KEEP
    name: str | Keep = KEEP
    kind: UnitKind | Keep = KEEP
    grid: str | Keep = KEEP


# --- officers -------------------------------------------------------------------


@dataclass(frozen=True)
class CreateOfficer:
    agency_id: uuid.UUID
    username: str
    name: str
    roles: Sequence[str] = ("officer",)
    unit_id: uuid.UUID | None = None
    certificate_no: str | None = None
    certificate_domains: Sequence[str] = ()
    certificate_valid_until: dt.date | None = None
    # 法律职业资格 (行政处罚法 第五十八条第二款)
    legal_qualification_no: str | None = None
    legal_qualification_on: dt.date | None = None
    first_legal_review_on: dt.date | None = None


@dataclass(frozen=True)
class UpdateOfficer:
    officer_id: uuid.UUID
    unit_id: uuid.UUID | None | Keep = KEEP
    name: str | Keep = KEEP
    certificate_no: str | None | Keep = KEEP
    certificate_domains: Sequence[str] | Keep = KEEP
    certificate_valid_until: dt.date | None | Keep = KEEP
    legal_qualification_no: str | None | Keep = KEEP
    legal_qualification_on: dt.date | None | Keep = KEEP
    first_legal_review_on: dt.date | None | Keep = KEEP


@dataclass(frozen=True)
class ChangeRoles:
    """Exactly these roles from now on (the others revoked)."""

    officer_id: uuid.UUID
    roles: Sequence[str]


@dataclass(frozen=True)
class SetOfficerStatus:
    officer_id: uuid.UUID
    status: OfficerStatus


@dataclass(frozen=True)
class UnlockSignIn:
    officer_id: uuid.UUID


@dataclass(frozen=True)
class IssueInitialPassword:
    officer_id: uuid.UUID


@dataclass(frozen=True)
class Unlocked:
    id: uuid.UUID
    username: str
    was_locked: bool
    failures: int  # wrong passwords counted before the unlock


@dataclass(frozen=True)
class InitialPassword:
    username: str
    password: str  # shown once, stored only hashed
