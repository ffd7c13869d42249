"""GeoReport v2's wire format: the same resources in XML and JSON, and its errors.

A client picks the format by the resource's extension (`services.xml`,
`requests/<id>.json`). XML is the format the specification requires and the one
FixMyStreet's sender reads: a root naming the collection (`services`,
`service_requests`, `service_definition`, `errors`), one element per item (`service`,
`request`, `attribute`, `value`, `error`), one child element per field. JSON is the same
data as arrays of objects. Dates are W3C datetimes with their zone (Beijing time).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response

from yimen.platform.intake.public_record import PublicRequest
from yimen.platform.kernel import clock
from yimen.platform.kernel.errors import FieldProblem

FORMATS = "any(json, xml)"  # the URL converter of the extension
# The element of one item in each list the specification names.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}


def w3c(moment: dt.datetime) -> str:
    """2026-08-21T18:30:00+08:00: whole seconds, with the zone, as the spec's clients parse."""
    if moment.tzinfo is None:  # stored as UTC (kernel.db.UTCDateTime)
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.SHANGHAI).replace(microsecond=0).isoformat()


def parse_w3c(name: str, text: str) -> dt.datetime | FieldProblem:
    """A W3C datetime with its zone, or what is wrong with it."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return FieldProblem(
            name,
            "须为带时区的 W3C 日期时间，如 2026-08-01T20:30:00+08:00。",
            "must be a W3C datetime with its zone, e.g. 2026-08-01T20:30:00+08:00.",
        )
    return moment


def respond(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    """`data` as JSON, or as XML under `root` (a list: one `ITEM[root]` element each)."""
    if fmt == "xml":
        element = ET.Element(root)
        _fill(element, root, data)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, "unicode")
        return Response(body, status, content_type="text/xml; charset=utf-8")
    text = json.dumps(data, ensure_ascii=False)
    return Response(text, status, content_type="application/json; charset=utf-8")


def _fill(element: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            if child is not None:
                _fill(ET.SubElement(element, key), key, child)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for child in value:
            _fill(ET.SubElement(element, ITEM[tag]), ITEM[tag], child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def errors(fmt: str, status: int, problems: Sequence[tuple[str, str]]) -> Response:
    """GeoReport's errors: one `{code, description}` per problem, (zh, en) each."""
    return respond(
        fmt,
        "errors",
        [{"code": status, "description": f"{zh} / {en}"} for zh, en in problems],
        status,
    )


def field_errors(fmt: str, status: int, problems: Sequence[FieldProblem]) -> Response:
    return errors(fmt, status, [(f"{p.field}: {p.zh}", f"{p.field}: {p.en}") for p in problems])


def request_fields(item: PublicRequest) -> dict[str, Any]:
    """One request as GeoReport names its fields (no `description`: see public_record)."""
    return {
        "service_request_id": item.receipt_code,
        "status": item.status,
        "status_notes": item.status_notes,
        "service_name": item.matter_name,
        "service_code": item.matter_code,
        "agency_responsible": item.agency,
        "requested_datetime": w3c(item.requested_at),
        "updated_datetime": w3c(item.updated_at),
        "address": item.address,
        "lat": item.latitude,
        "long": item.longitude,
    }
