"""What the public may see of someone else's complaint: a place to about a hundred metres.

Open311 reads and the nearby list answer anyone who holds (or guesses) a receipt code,
so they never carry the complainant's own words or exact address: the road without its
house number, and coordinates to 3 decimals (about 110 m of latitude). The complainant
follows their own complaint in full on the progress page, which asks for the phone.
"""

from __future__ import annotations

import re

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
