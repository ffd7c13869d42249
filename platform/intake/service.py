"""Use cases of the one door: register a clue, route it, and tell the complainant."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from yimen.gateway.outbox import service as outbox
from yimen.platform.api.problems import Problem
from yimen.platform.intake import rules
from yimen.platform.intake.model import Clue, ClueStep
from yimen.tenants.calendar.rules import CalendarNotLoaded
from yimen.tenants.calendar.service import working_calendar
from yimen.tenants.directory.model import Agency
from yimen.tenants.directory.service import agency_in_district
from yimen.tenants.powers.service import holder_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_ACCEPT_DAYS = 3  # district setting `clue_accept_working_days`


def receipt_code() -> str:
    return "YM" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else ""


def _agency(session: Session, agency_id, field: str) -> Agency:
    return agency_in_district(session, agency_id, field)


def accept_due(session: Session, days: int, today: dt.date | None = None) -> dt.date | None:
    """The acceptance deadline in working days; None (and flagged by the caller) when the
    calendar of that year is not loaded — never guessed."""
    today = today or dt.datetime.now(SHANGHAI).date()
    try:
        return working_calendar(session).add_working_days(today, days)
    except CalendarNotLoaded:
        return None


def _step(clue: Clue, action: str, agency_id, reason: str, actor: str) -> None:
    clue.steps.append(ClueStep(action=action, agency_id=agency_id, reason=reason, actor=actor))


def complaint_fields(data: dict) -> dict:
    """A citizen's complaint (public form, API) as clue fields: an anonymous complaint
    keeps no name and no phone."""
    anonymous = data.get("anonymous", False)
    fields = {
        "matter_code": data.get("matter_code"),
        "agency_id": data.get("agency_id"),
        "description": data["description"],
        "place": data["place"],
        "occurred_at": data.get("occurred_at"),
        "anonymous": anonymous,
        "complainant_name": "" if anonymous else data.get("name", ""),
        "complainant_phone": "" if anonymous else data.get("phone", ""),
    }
    return {k: v for k, v in fields.items() if v is not None}


def register(
    session: Session, data: dict, source: str, actor: str, accept_days: int = DEFAULT_ACCEPT_DAYS
) -> Clue:
    """A clue enters the one door: offered to the agency chosen, or to the holder of its
    matter on the power list; with neither, it waits for the legal-affairs office."""
    agency = _agency(session, data.pop("agency_id"), "agency_id") if data.get("agency_id") else None
    if agency is None and data.get("matter_code"):
        agency = holder_of(session, data["matter_code"])
    clue = Clue(id=uuid.uuid4(), receipt_code=receipt_code(), source=source, **data)
    if agency is not None:
        clue.status, clue.agency_id = rules.Status.OFFERED.value, agency.id
        clue.accept_due = accept_due(session, accept_days)
        _step(clue, "offered", agency.id, "", actor)
    else:
        clue.status = rules.Status.ARBITRATION.value
        _step(clue, "submitted", None, "无明确承办部门，提交法制办指定", actor)
    session.add(clue)
    session.flush()
    notify(session, clue, "SMS_CLUE_RECEIVED")
    session.commit()
    return clue


def notify(session: Session, clue: Clue, template: str) -> None:
    """Text the complainant through the outbox (never inline); anonymous: nothing."""
    if clue.complainant_phone and not clue.anonymous:
        outbox.publish(
            session,
            "sms",
            template,
            {
                "to": clue.complainant_phone,
                "template": template,
                "params": {"code": clue.receipt_code},
            },
            key=f"clue:{clue.id}:{len(clue.steps)}:{template}",
        )


def get_clue(session: Session, clue_id: uuid.UUID) -> Clue:
    clue = session.execute(select(Clue).where(Clue.id == clue_id)).scalar_one_or_none()
    if clue is None:
        raise Problem(404, "not-found", "线索不存在。", "Clue not found.")
    return clue


def _state(clue: Clue) -> rules.Clue:
    return rules.Clue(
        rules.Status(clue.status),
        str(clue.agency_id) if clue.agency_id else None,
        clue.transfers,
        tuple(clue.joint_agency_ids),
        clue.designated,
    )


def _commit(
    session: Session,
    clue: Clue,
    state: rules.Clue,
    action: str,
    reason: str,
    actor: str,
    template: str | None,
) -> Clue:
    clue.status, clue.transfers, clue.designated = (
        state.status.value,
        state.transfers,
        state.designated,
    )
    clue.agency_id = uuid.UUID(state.agency) if state.agency else None
    clue.joint_agency_ids = list(state.joint)
    _step(clue, action, clue.agency_id, reason, actor)
    if template:
        notify(session, clue, template)
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Problem(
            409,
            "concurrent-change",
            "线索刚被他人处理，请刷新后重试。",
            "Someone else just acted on this clue; reload and retry.",
        ) from exc
    return clue


def route(
    session: Session, clue_id: uuid.UUID, action: str, actor: str, agency_code: str | None, **kwargs
) -> Clue:
    """accept / transfer / submit / close by the holding agency (identified by code)."""
    clue = get_clue(session, clue_id)
    mine = session.execute(select(Agency.id).where(Agency.code == agency_code)).scalar()
    me = str(mine) if mine else ""
    reason = kwargs.get("reason", "")
    try:
        if action == "accept":
            state, template = rules.accept(_state(clue), me), "SMS_CLUE_ACCEPTED"
        elif action == "transfer":
            target = _agency(session, kwargs["to_agency_id"], "to_agency_id")
            state, template = (
                rules.transfer(_state(clue), me, str(target.id), reason),
                "SMS_CLUE_TRANSFERRED",
            )
        elif action == "submit":
            state, template = (
                rules.submit_to_arbitration(_state(clue), me, reason),
                "SMS_CLUE_ARBITRATION",
            )
        else:
            state, template = rules.close(_state(clue), me, kwargs["outcome"]), "SMS_CLUE_CLOSED"
            reason = kwargs["outcome"]
    except rules.RoutingError as exc:
        raise Problem(409, exc.code, exc.zh, exc.en) from exc
    if action == "transfer":
        clue.accept_due = accept_due(session, DEFAULT_ACCEPT_DAYS)
    return _commit(
        session,
        clue,
        state,
        {"accept": "accepted", "transfer": "transferred", "submit": "submitted", "close": "closed"}[
            action
        ],
        reason,
        actor,
        template,
    )


def designate(
    session: Session, clue_id: uuid.UUID, handler_id, joint_ids: list, reason: str, actor: str
) -> Clue:
    clue = get_clue(session, clue_id)
    handler = _agency(session, handler_id, "handler_agency_id")
    joint = [str(_agency(session, j, "joint_agency_ids").id) for j in joint_ids]
    try:
        state = rules.designate(_state(clue), str(handler.id), tuple(joint), reason)
    except rules.RoutingError as exc:
        raise Problem(409, exc.code, exc.zh, exc.en) from exc
    return _commit(session, clue, state, "designated", reason, actor, "SMS_CLUE_DESIGNATED")


def queue_query(agency_id: uuid.UUID | None, status: str | None = None) -> Select:
    """The clues of an agency's inbox and handling queue (or the district's, for
    district-wide roles), overdue first."""
    query = select(Clue).order_by(Clue.accept_due.is_(None), Clue.accept_due, Clue.created_at)
    if agency_id is not None:
        query = query.where(or_(Clue.agency_id == agency_id))
    if status:
        query = query.where(Clue.status == status)
    return query
