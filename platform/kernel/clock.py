"""The district's clock: dates are Beijing dates (Asia/Shanghai), whatever the server's zone.

Time-machine in the tests moves `now()`; every "today" of the platform comes from here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """Now, aware, in UTC (what the database stores)."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today in Beijing: the date an officer means when they say "today"."""
    return dt.datetime.now(SHANGHAI).date()
