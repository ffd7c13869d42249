"""The case record's JSON as it will read back: dates as ISO strings, before every flush.

The engine's handlers write the body they were given — dates as `datetime.date` —
into `details` and the typed records' JSON columns; a JSON column cannot hold a date
("date is not JSON serializable", a 500). Before each flush, every JSON attribute of a
new or changed row of the case record is put in the form chain.py hashes (dates and
aware datetimes ISO-8601, UUIDs and Decimals as strings, tuples as lists), so what is
stored, what the engine reads on in the same transaction, and what the API answers are
the same text. A value already in that form is left alone (no needless UPDATE).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, event, inspect
from sqlalchemy.orm import Session

from yimen.platform.cases.record import chain

RECORD_PACKAGE = "yimen.platform.cases."


def as_stored(value: Any) -> Any:
    """`value` as it reads back from a JSON column (chain.py's canonical encoding)."""
    return json.loads(chain.canonical(value))


def _json_attributes(instance: object) -> list[str]:
    mapper = inspect(instance).mapper
    return [
        attr.key
        for attr in mapper.column_attrs
        if any(isinstance(column.type, JSON) for column in attr.columns)
    ]


def _normalise(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty):
        if not type(instance).__module__.startswith(RECORD_PACKAGE):
            continue
        for key in _json_attributes(instance):
            value = getattr(instance, key)
            if value is None:
                continue
            stored = as_stored(value)
            if stored != value:  # a date, a tuple, a UUID … differ from their JSON
                setattr(instance, key, stored)


def install() -> None:
    if not event.contains(Session, "before_flush", _normalise):
        event.listen(Session, "before_flush", _normalise)
