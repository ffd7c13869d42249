"""The commands the power list's use cases take (service.py). The views and the demo
seed build them from input already checked; other features and tests build them
directly."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AdoptMatters:
    """Catalog matters onto the district's power list: these codes, and every matter of
    `domain` when one is given."""

    codes: Sequence[str] = ()
    domain: str | None = None
    on_major_list: bool = False


@dataclass(frozen=True)
class SetMajor:
    """On or off the district's major-decision list (重大执法决定法制审核目录清单)."""

    code: str
    on_major_list: bool


@dataclass(frozen=True)
class AssignMatter:
    """An adopted matter's first agency, from `effective` (today when None)."""

    code: str
    agency_id: uuid.UUID
    reason: str = ""
    effective: dt.date | None = None


@dataclass(frozen=True)
class TransferMatter:
    """划转: the matter to another agency from `effective` (today when None), for the
    decision named in `reason`."""

    code: str
    agency_id: uuid.UUID
    reason: str
    effective: dt.date | None = None
