"""The JSON schemas of the city hotline's REST API (draft 2020-12), shared by the
simulator, which validates every body it is sent, and the tests.

A work order (工单) is dispatched to a district by its division code; its level is 普通
(normal) or 紧急 (urgent), its deadline the moment the district must answer by. Our
feedback on an order is one of: accept (受理), return (退办, with the reason), progress
(进展) and result (办结); each carries our own feedback id, so that a repeat is known.
"""

from __future__ import annotations

LEVELS = ("普通", "紧急")
FEEDBACK_KINDS = ("accept", "return", "progress", "result")
SATISFACTION = ("满意", "基本满意", "不满意")

_TEXT = {"type": "string", "minLength": 1}

ORDER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["order_no", "district", "level", "deadline", "category", "address", "content"],
    "properties": {
        "order_no": {"type": "string", "pattern": "^[A-Z0-9-]{6,32}$"},
        "district": {"type": "string", "pattern": "^[0-9]{6}$"},
        "level": {"enum": list(LEVELS)},
        "deadline": {"type": "string", "format": "date-time"},
        "category": {**_TEXT, "maxLength": 50},
        "address": {**_TEXT, "maxLength": 200},
        "content": {**_TEXT, "maxLength": 4000},
        "reporter": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "maxLength": 50},
                "phone": {"type": "string", "pattern": "^(1[3-9][0-9]{9})?$"},
            },
        },
        "received_at": {"type": "string", "format": "date-time"},
    },
}

FEEDBACK = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["feedback_id", "kind", "at"],
    "properties": {
        "feedback_id": {"type": "string", "minLength": 8, "maxLength": 64},
        "kind": {"enum": list(FEEDBACK_KINDS)},
        "note": {"type": "string", "maxLength": 2000},
        "at": {"type": "string", "format": "date-time"},
    },
    # 退办 says why; the hotline sends a return without a reason back to the district
    "if": {"properties": {"kind": {"const": "return"}}},
    "then": {"required": ["note"], "properties": {"note": {"minLength": 1}}},
}

SATISFACTION_BODY = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["satisfaction"],
    "properties": {
        "satisfaction": {"enum": list(SATISFACTION)},
        "comment": {"type": "string", "maxLength": 500},
    },
}

FAULTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "latency_ms": {"type": "integer", "minimum": 0, "maximum": 60000},
        "error_rate": {"type": "number", "minimum": 0, "maximum": 1},
        # route name ("ack", "feedback", "list") → how many replies to drop after commit
        "drop_after_commit": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
        "duplicate_listing": {"type": "boolean"},
        "down_for_s": {"type": "number", "minimum": 0},
    },
}
