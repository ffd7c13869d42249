"""The commands the calendar's use cases take (service.py); who imports or approves is
given beside them, as the actor's user name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from yimen.tenants.calendar.rules import DayKind


@dataclass(frozen=True)
class ListedDay:
    """A day the State Council notice names: a holiday, or a weekend worked (调休)."""

    date: dt.date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True)
class ImportYear:
    """A year from the State Council notice, proposed for another operator to approve;
    days not listed are weekdays and weekends as the week has them."""

    year: int
    notice: str
    days: Sequence[ListedDay] = ()


@dataclass(frozen=True)
class ApproveYear:
    year: int
