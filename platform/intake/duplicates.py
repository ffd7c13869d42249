"""Which complaints are about the same thing — pure scoring, no database.

Two complaints are proposed as one group when they concern the same matter, near the
same place, within a time window, and say similar things (from any source). An officer
confirms the proposal; nothing is merged automatically. Place is compared by distance
when both carry coordinates (Open311, the app), otherwise by the address text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

NEAR_METRES = 300.0
WINDOW_DAYS = 7
PLACE_SIMILAR = 0.6  # address text, when a distance cannot be computed
TEXT_SIMILAR = 0.2  # character-bigram overlap of the descriptions
_NOISE = re.compile(r"[\s,，。.;；:：!！?？、()（）\-—]+")


@dataclass(frozen=True)
class Complaint:
    id: str
    matter_code: str | None
    place: str
    description: str
    at: dt.datetime
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    metres: float | None
    place_similarity: float
    text_similarity: float


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _normal(text: str) -> str:
    return _NOISE.sub("", text).lower()


def place_similarity(a: str, b: str) -> float:
    a, b = _normal(a), _normal(b)
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


def _bigrams(text: str) -> set[str]:
    text = _normal(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def text_similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def distance(a: Complaint, b: Complaint) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    return metres_between((a.latitude, a.longitude), (b.latitude, b.longitude))


def is_near(a: Complaint, b: Complaint) -> bool:
    metres = distance(a, b)
    if metres is not None:
        return metres <= NEAR_METRES
    return place_similarity(a.place, b.place) >= PLACE_SIMILAR


def match(new: Complaint, other: Complaint, window_days: int = WINDOW_DAYS) -> Match | None:
    """A proposal that `new` and `other` are one group, or None."""
    if new.id == other.id or not new.matter_code or new.matter_code != other.matter_code:
        return None
    if abs(new.at - other.at) > dt.timedelta(days=window_days) or not is_near(new, other):
        return None
    text = text_similarity(new.description, other.description)
    if text < TEXT_SIMILAR:
        return None
    metres = distance(new, other)
    place = place_similarity(new.place, other.place)
    nearness = 1 - metres / NEAR_METRES if metres is not None else place
    return Match(other.id, round((nearness + text) / 2, 3), metres, round(place, 3), round(text, 3))


def proposals(
    new: Complaint, others: list[Complaint], window_days: int = WINDOW_DAYS
) -> list[Match]:
    found = [m for o in others if (m := match(new, o, window_days))]
    return sorted(found, key=lambda m: -m.score)
