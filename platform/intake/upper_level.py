"""Clues upper-level systems assign to the district: the one door's inbound handler.

An upper-level system that speaks only SOAP sends its clue to the district's inbound
service (`web/soap_service.py`); the gateway's inbox keeps it once by the sender's id and
hands it here in its unit of work (`Feature.inbound_handlers`), which the use case joins:
the clue and the inbox row commit together. The clue is keyed by the sender's id
(source `upper_level`, as on the REST inbound API), so a clue sent once by REST and once
by SOAP is still one clue. The sender's deadline is the clue's `reply_due`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from yimen.gateway import contracts
from yimen.platform.intake.model import Source
from yimen.platform.intake.service import SubmitComplaint, intake
from yimen.platform.kernel import uow as kernel_uow
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.errors import FieldProblem, Invalid

TOPIC = contracts.UPPER_LEVEL_CLUE


@dataclass(frozen=True)
class ReceiveAssignedClue:
    """A clue as the upper-level system assigned it."""

    district: uuid.UUID
    external_ref: str
    content: str
    place: str
    matter_code: str | None = None
    reporter_name: str = ""
    reporter_phone: str = ""  # personal data: kept on the clue, never logged
    deadline: dt.datetime | None = None


def _invalid(field: str, zh: str, en: str) -> Invalid:
    return Invalid(
        "invalid-assigned-clue",
        "交办线索内容不完整或有误。",
        "The assigned clue is incomplete or wrong.",
        fields=[FieldProblem(field, zh, en)],
    )


def assigned_clue(district: uuid.UUID, payload: Mapping[str, Any]) -> ReceiveAssignedClue:
    """The command of a clue as the inbox keeps it (contracts.UPPER_LEVEL_CLUE)."""
    for name, zh in (("external_ref", "线索编号"), ("content", "线索内容"), ("place", "地点")):
        if not str(payload.get(name) or "").strip():
            raise _invalid(name, f"缺少{zh}。", f"The clue has no {name}.")
    deadline = None
    if payload.get("deadline"):
        try:
            deadline = dt.datetime.fromisoformat(str(payload["deadline"]))
        except ValueError:
            raise _invalid("deadline", "时间格式有误。", "Not an ISO date and time.") from None
        if deadline.tzinfo is None:
            raise _invalid("deadline", "办理时限须带时区。", "The deadline needs its offset.")
    reporter = payload.get("reporter") or {}
    return ReceiveAssignedClue(
        district=district,
        external_ref=str(payload["external_ref"]).strip(),
        content=str(payload["content"]),
        place=str(payload["place"]),
        matter_code=str(payload.get("matter_code") or "") or None,
        reporter_name=str(reporter.get("name") or ""),
        reporter_phone=str(reporter.get("phone") or ""),
        deadline=deadline.astimezone(dt.UTC) if deadline else None,
    )


def receive_assigned_clue(cmd: ReceiveAssignedClue) -> str:
    """The clue made once per sender's id, offered to the holder of its matter on the
    power list (or, with none, to the legal-affairs office to designate); the reporter
    is the complainant. Returns its receipt code."""
    with kernel_uow.uow.for_tenant(cmd.district) as tx:
        submitted = intake.submit_complaint(
            SubmitComplaint(
                channel=Source.UPPER_LEVEL.value,
                description=cmd.content,
                place=cmd.place,
                matter_code=cmd.matter_code,
                name=cmd.reporter_name,
                phone=cmd.reporter_phone,
                source_ref=cmd.external_ref,
                district=cmd.district,
            ),
            None,
        )
        clue = submitted.clue
        clue.reply_due = clue.reply_due or cmd.deadline
        tx.commit()
        return clue.receipt_code


def on_assigned_clue(session: Session, payload: dict) -> str:
    """Inbound handler (`upper_level.assigned_clue`): the clue's receipt code."""
    district = current_tenant_id()
    if district is None:
        raise RuntimeError("an assigned clue handled outside a district")
    return receive_assigned_clue(assigned_clue(district, payload))


HANDLERS = {TOPIC: on_assigned_clue}
