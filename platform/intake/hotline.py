"""12345 work orders from the gateway's inbox: the one door's inbound handlers.

The gateway pulls the orders dispatched to the district and keeps each in its inbox;
the composition root wires these handlers to the inbox's topics (`Feature.inbound_
handlers`), and the inbox calls them in its unit of work, which the use cases join: the
clue and the inbox row's "processed" commit together. An order is a clue keyed by its
order number (rules.natural_ref): the same order twice is one clue, and an order an
operator already typed from the call is that clue, which the order completes with its
level and deadline. The complainant's satisfaction from the hotline's callback is a
line of the clue's history.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.gateway import contracts
from yimen.platform.intake import rules
from yimen.platform.intake.model import Clue, ClueStep
from yimen.platform.intake.service import SubmitComplaint, intake
from yimen.platform.kernel import uow as kernel_uow
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.errors import FieldProblem, Invalid, NotFound

ORDER_TOPIC, SATISFACTION_TOPIC = contracts.HOTLINE_ORDER, contracts.HOTLINE_SATISFACTION
URGENCY = {"普通": "normal", "紧急": "urgent"}
# The hotline's three answers on the callback, as the complainant's 1–5 rating.
SATISFACTION = {"满意": 5, "基本满意": 3, "不满意": 1}
RATED = "hotline_rated"


@dataclass(frozen=True)
class ReceiveWorkOrder:
    """A 12345 work order as the hotline dispatched it to the district."""

    district: uuid.UUID
    order_no: str
    urgency: str  # "normal" | "urgent"
    reply_due: dt.datetime
    category: str
    address: str
    content: str
    reporter_name: str = ""
    reporter_phone: str = ""  # personal data: kept on the clue, never logged
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class RecordSatisfaction:
    district: uuid.UUID
    order_no: str
    satisfaction: str  # 满意 | 基本满意 | 不满意
    comment: str = ""


def _invalid(field: str, zh: str, en: str) -> Invalid:
    return Invalid(
        "invalid-work-order",
        "12345工单内容不完整或有误。",
        "The 12345 work order is incomplete or wrong.",
        fields=[FieldProblem(field, zh, en)],
    )


def _moment(value: Any, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise _invalid(field, "时间格式有误。", "Not an ISO date and time.") from None
    if moment.tzinfo is None:
        raise _invalid(field, "时间须带时区。", "The time needs its offset.")
    return moment.astimezone(dt.UTC)


def work_order(district: uuid.UUID, payload: Mapping[str, Any]) -> ReceiveWorkOrder:
    """The command of an order as the hotline connector keeps it in the inbox."""
    for name, zh in (("order_no", "工单号"), ("address", "地址"), ("content", "诉求内容")):
        if not str(payload.get(name) or "").strip():
            raise _invalid(name, f"缺少{zh}。", f"The order has no {name}.")
    level = payload.get("level")
    if level not in URGENCY:
        raise _invalid("level", "工单等级须为普通或紧急。", "The level is 普通 or 紧急.")
    reporter = payload.get("reporter") or {}
    received = (
        _moment(payload["received_at"], "received_at") if payload.get("received_at") else None
    )
    return ReceiveWorkOrder(
        district=district,
        order_no=str(payload.get("order_no", "")),
        urgency=URGENCY[level],
        reply_due=_moment(payload.get("deadline"), "deadline"),
        category=str(payload.get("category", "")),
        address=str(payload.get("address", "")),
        content=str(payload.get("content", "")),
        reporter_name=str(reporter.get("name", "")),
        reporter_phone=str(reporter.get("phone", "")),
        # the hotline's clock a little ahead is not a reason to hold the order back
        received_at=min(received, utcnow()) if received else None,
    )


def receive_work_order(cmd: ReceiveWorkOrder) -> Clue:
    """The order as a clue: made once per order number, offered like any complaint (with
    no matter named, to the legal-affairs office to designate), the reporter as the
    complainant; a clue already made from the order (typed by an operator) gets the
    order's level and deadline where it has none."""
    with kernel_uow.uow.for_tenant(cmd.district) as tx:
        submitted = intake.submit_complaint(
            SubmitComplaint(
                channel=rules.HOTLINE_12345,
                description=f"【{cmd.category}】{cmd.content}" if cmd.category else cmd.content,
                place=cmd.address,
                name=cmd.reporter_name,
                phone=cmd.reporter_phone,
                source_ref=cmd.order_no,
                received_at=cmd.received_at,
                district=cmd.district,
            ),
            None,
        )
        clue = submitted.clue
        clue.urgency = clue.urgency or cmd.urgency
        clue.reply_due = clue.reply_due or cmd.reply_due
        tx.commit()
        return clue


def record_satisfaction(cmd: RecordSatisfaction) -> Clue:
    """The hotline called the complainant back: the answer is a line of the clue's
    history (once), and the clue's rating when the complainant gave none on our site."""
    if cmd.satisfaction not in SATISFACTION:
        raise _invalid("satisfaction", "满意度须为满意、基本满意或不满意。", "Unknown answer.")
    with kernel_uow.uow.for_tenant(cmd.district) as tx:
        ref = rules.natural_ref(rules.HOTLINE_12345, cmd.order_no)
        clue = tx.session.execute(
            select(Clue).where(Clue.source == rules.HOTLINE_12345, Clue.source_ref == ref)
        ).scalar_one_or_none()
        if clue is None:
            raise NotFound("not-found", "没有该工单的线索。", "No clue for that work order.")
        if not any(st.action == RATED for st in clue.steps):
            reason = f"12345回访：{cmd.satisfaction}" + (f"；{cmd.comment}" if cmd.comment else "")
            clue.steps.append(ClueStep(action=RATED, reason=reason[:500], actor="hotline_12345"))
            if clue.satisfaction is None:
                clue.satisfaction = SATISFACTION[cmd.satisfaction]
        tx.commit()
        return clue


def _district() -> uuid.UUID:
    tenant = current_tenant_id()
    if tenant is None:
        raise RuntimeError("an inbound 12345 record handled outside a district")
    return tenant


def on_order(session: Session, payload: dict) -> str:
    """Inbound handler (`hotline_12345.order`): the clue's receipt code."""
    return receive_work_order(work_order(_district(), payload)).receipt_code


def on_satisfaction(session: Session, payload: dict) -> str:
    """Inbound handler (`hotline_12345.satisfaction`)."""
    cmd = RecordSatisfaction(
        district=_district(),
        order_no=str(payload.get("order_no", "")),
        satisfaction=str(payload.get("satisfaction", "")),
        comment=str(payload.get("comment", "")),
    )
    return record_satisfaction(cmd).receipt_code


HANDLERS = {ORDER_TOPIC: on_order, SATISFACTION_TOPIC: on_satisfaction}
