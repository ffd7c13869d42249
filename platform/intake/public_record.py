"""What the public may see of someone else's complaint: a place to about a hundred metres.

Open311 reads and the nearby list answer anyone who holds (or guesses) a receipt code,
so they never carry the complainant's own words or exact address: the road without its
house number, and coordinates to 3 decimals (about 110 m of latitude). The complainant
follows their own complaint in full on the progress page, which asks for the phone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yimen.platform.intake import rules

if TYPE_CHECKING:
    from yimen.platform.intake.model import Clue

COORDINATE_DECIMALS = 3
# A house number and whatever follows it: 88号, 3栋2单元, 12-3, 八十八号, 7弄 …
_HOUSE_NUMBER = re.compile(
    r"\s*(?:[0-9０-９]+|[一二三四五六七八九十百千零〇两]+(?=号|弄|栋|幢))"
    r"\s*(?:号|弄|栋|幢|单元|室|楼|层|院|-|－|之|$).*$",
    re.S,
)
_LAT_LONG = re.compile(r"^\s*(-?\d{1,3}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)\s*$")


def approximate_coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)


def approximate_place(place: str) -> str:
    """The road (or landmark) of an address, without the house number."""
    if match := _LAT_LONG.match(place):
        lat, long = (round(float(v), COORDINATE_DECIMALS) for v in match.groups())
        return f"{lat:.3f},{long:.3f}"
    return _HOUSE_NUMBER.sub("", place).strip()


# Complaints the public filed (the public site, Open311, a call to the hotline). Clues an
# agency found itself (patrol, inspection) or was sent by another authority (upper
# level, police) are leads for an investigation, not the public's: showing even where
# they are could warn the party. Neither the lists nor a read by receipt code show them.
PUBLIC_CHANNELS = ("public_web", "open311", "hotline")
OPEN_STATUSES = ("offered", "accepted", "arbitration")
CLOSED_STATUSES = ("closed", "merged")
_NOTES = {
    "offered": "已分派",
    "accepted": "已受理",
    "arbitration": "法制办协调中",
    "closed": "已办结",
    "merged": "已合并",
}


@dataclass(frozen=True)
class PublicRequest:
    """One complaint as anyone may see it: matter, agency, status, times and the place to
    about a hundred metres — never the complainant's words, name, phone or house."""

    receipt_code: str
    status: str  # open | closed
    status_notes: str
    matter_code: str | None
    matter_name: str | None
    agency: str | None
    requested_at: dt.datetime
    updated_at: dt.datetime
    address: str
    latitude: float | None
    longitude: float | None


def public_request(clue: Clue, agency: str | None, matter_name: str | None) -> PublicRequest:
    notes = _NOTES.get(clue.status, "")
    if clue.status == "closed" and clue.outcome in rules.CASE_UNDER_WAY:
        notes = rules.OUTCOMES[clue.outcome][0]  # out of the queues, not done: a case
    elif clue.status == "closed" and clue.outcome:
        notes = f"{notes}：{rules.OUTCOMES[clue.outcome][0]}"
    return PublicRequest(
        receipt_code=clue.receipt_code,
        status="closed" if clue.status in CLOSED_STATUSES else "open",
        status_notes=notes,
        matter_code=clue.matter_code,
        matter_name=matter_name,
        agency=agency,
        requested_at=clue.created_at,
        updated_at=clue.steps[-1].at if clue.steps else clue.created_at,
        address=approximate_place(clue.place),
        latitude=approximate_coordinate(clue.latitude),
        longitude=approximate_coordinate(clue.longitude),
    )
