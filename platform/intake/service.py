"""Use cases of the one door: register a clue, route it, and tell the complainant."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.exc import StaleDataError

from yimen.gateway.outbox import service as outbox
from yimen.platform.api.problems import Problem
from yimen.platform.cases import service as case_service
from yimen.platform.cases.law.applied import refresh as deadlines_refresh
from yimen.platform.cases.law.periods import stored_day
from yimen.platform.cases.record.model import Case
from yimen.platform.intake import attachments as clue_attachments
from yimen.platform.intake import duplicates, rules
from yimen.platform.intake.model import Clue, ClueGroup, ClueParticipant, ClueStep
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.db.agency_scope import ParticipationRole, all_agencies
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency, Tenant
from yimen.tenants.calendar.rules import CalendarNotLoaded
from yimen.tenants.calendar.service import working_calendar
from yimen.tenants.directory import district_settings
from yimen.tenants.directory.service import agency_in_district
from yimen.tenants.powers.service import holder_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# District settings (tenant.settings) this package reads; their types, defaults and
# limits are in the registry, tenants/directory/district_settings.py.
SETTINGS = {
    key: district_settings.REGISTRY[key].default
    for key in ("clue_accept_working_days", "clue_feedback_days", "clue_duplicate_window_days")
}
DEFAULT_ACCEPT_DAYS = SETTINGS["clue_accept_working_days"]
OPEN = (rules.Status.OFFERED.value, rules.Status.ACCEPTED.value, rules.Status.ARBITRATION.value)


_SETTINGS_READ = "yimen.intake.settings"  # session.info: the district's settings, per transaction
_AGENCY_NAMES = "yimen.intake.agency_names"  # session.info: names already read or known


def _settings(session: Session) -> dict:
    """The current district's settings, read once per transaction (a use case asks for
    several; the identity map alone forgets the Tenant row between them)."""
    if isinstance(session, scoped_session):
        session = session()  # the request's own session, behind the proxy
    transaction, tenant_id = session.get_transaction(), current_tenant_id()
    read = session.info.get(_SETTINGS_READ)
    if transaction is None or read is None or read[:2] != (transaction, tenant_id):
        tenant = session.get(Tenant, tenant_id)
        settings = dict(tenant.settings or {}) if tenant else {}
        read = (session.get_transaction(), tenant_id, settings)
        session.info[_SETTINGS_READ] = read
    return read[2]


def setting(session: Session, key: str) -> int:
    return district_settings.value_of(_settings(session), key)


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
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
        "join": data.get("join"),
        "anonymous": anonymous,
        "complainant_name": "" if anonymous else data.get("name", ""),
        "complainant_phone": "" if anonymous else data.get("phone", ""),
    }
    return {k: v for k, v in fields.items() if v is not None}


def register(
    session: Session,
    data: dict,
    source: str,
    actor: str,
    accept_days: int | None = None,
    join: uuid.UUID | None = None,
    attachments: Sequence[clue_attachments.Upload] = (),
) -> Clue:
    """A clue enters the one door: offered to the agency chosen, or to the holder of its
    matter on the power list; with neither, it waits for the legal-affairs office. A
    citizen who chose to join an open complaint about the same thing is merged into its
    group at once. Files already in the blob store are attached in the same commit."""
    join = join or data.pop("join", None)
    if join is not None:
        return _join(session, data, source, actor, join, attachments)
    agency = _agency(session, data.pop("agency_id"), "agency_id") if data.get("agency_id") else None
    if agency is None and data.get("matter_code"):
        agency = holder_of(session, data["matter_code"])
    clue = Clue(id=uuid.uuid4(), receipt_code=receipt_code(), source=source, **data)
    if agency is not None:
        _know_agency(session, agency)
        clue.status, clue.agency_id = rules.Status.OFFERED.value, agency.id
        days = accept_days or setting(session, "clue_accept_working_days")
        clue.accept_due = accept_due(session, days)
        _step(clue, "offered", agency.id, "", actor)
    else:
        clue.status = rules.Status.ARBITRATION.value
        _step(clue, "submitted", None, "无明确承办部门，提交法制办指定", actor)
    session.add(clue)
    session.flush()
    _participate(session, clue, "offered")
    clue_attachments.attach(session, clue.id, attachments)
    notify(session, clue, "SMS_CLUE_RECEIVED")
    session.commit()
    return clue


def _join(
    session: Session,
    data: dict,
    source: str,
    actor: str,
    target_id: uuid.UUID,
    attachments: Sequence[clue_attachments.Upload] = (),
) -> Clue:
    target = session.get(Clue, target_id)
    if target is None or target.status not in OPEN:
        raise Problem(
            422,
            "cannot-join",
            "所选投诉已办结或不存在，请直接提交新的投诉。",
            "That complaint is closed or unknown; file a new one instead.",
            errors=[_field("join", "所选投诉已办结或不存在。", "Closed or unknown complaint.")],
        )
    data.pop("agency_id", None)
    data.setdefault("matter_code", target.matter_code)
    clue = Clue(
        id=uuid.uuid4(),
        receipt_code=receipt_code(),
        source=source,
        status=rules.Status.MERGED.value,
        outcome="merged",
        agency_id=target.agency_id,
        **data,
    )
    group = _group_of(session, target, actor)
    clue.group_id = group.id
    _step(clue, "joined", target.agency_id, "", actor)
    session.add(clue)
    session.flush()
    _participate(session, clue, "joined")
    clue_attachments.attach(session, clue.id, attachments)
    notify(session, clue, "SMS_CLUE_MERGED")
    session.commit()
    return clue


def _field(field: str, zh: str, en: str):
    from yimen.platform.api.problems import FieldError

    return FieldError(field, zh, en)


def _agency_name(session: Session, agency_id) -> str:
    if agency_id is None:
        return "区司法局(法制办)"
    return agency_name(session, agency_id)


def _know_agency(session: Session, agency: Agency) -> None:
    session.info.setdefault(_AGENCY_NAMES, {})[agency.id] = agency.name


def agency_name(session: Session, agency_id: uuid.UUID) -> str:
    """An agency's name, read once per session: the receipt of a new clue names the
    agency its text message named, without asking the database again."""
    names = session.info.setdefault(_AGENCY_NAMES, {})
    if agency_id not in names:
        names[agency_id] = (
            session.execute(select(Agency.name).where(Agency.id == agency_id)).scalar() or ""
        )
    return names[agency_id]


def _send(session: Session, clue: Clue, template: str, params: dict, key: str) -> None:
    if clue.complainant_phone and not clue.anonymous:
        outbox.publish(
            session,
            "sms",
            template,
            {"to": clue.complainant_phone, "template": template, "params": params},
            key=key,
        )


def notify(session: Session, clue: Clue, template: str) -> None:
    """Text the complainant through the outbox (never inline); anonymous: nothing. When
    the clue leads a group, every complainant who joined it is told the group moved."""
    outcome = rules.OUTCOMES.get(clue.outcome or "", ("", ""))[0]
    params = {
        "code": clue.receipt_code,
        "agency": _agency_name(session, clue.agency_id),
        "outcome": outcome,
        "days": str(setting(session, "clue_feedback_days")),
    }
    _send(session, clue, template, params, f"clue:{clue.id}:{len(clue.steps)}:{template}")
    if clue.group_id is None or template == "SMS_CLUE_MERGED":
        return
    for member in _members(session, clue):
        _send(
            session,
            member,
            "SMS_GROUP_MOVED",
            {"code": member.receipt_code, "step": _step_words(clue)},
            f"clue:{member.id}:group:{clue.id}:{len(clue.steps)}",
        )


def _step_words(clue: Clue) -> str:
    last = clue.steps[-1].action if clue.steps else ""
    words = {
        "accepted": "已受理",
        "transferred": "已移送其他部门办理",
        "submitted": "已提交区司法局(法制办)协调",
        "designated": "已指定承办部门",
        "case_filed": "已立案查处",
        "not_filed": "经核查不予立案",
        "closed": "已办结",
        "reopened": "已重新办理",
    }
    text = words.get(last, "有新的办理记录")
    if clue.outcome and last in ("closed", "not_filed"):
        text += "：" + rules.OUTCOMES[clue.outcome][0]
    return text


def _members(session: Session, clue: Clue) -> list[Clue]:
    return list(
        session.execute(
            select(Clue).where(Clue.group_id == clue.group_id, Clue.id != clue.id)
        ).scalars()
    )


def _group_of(session: Session, lead: Clue, actor: str) -> ClueGroup:
    if lead.group_id is not None:
        return session.get(ClueGroup, lead.group_id)
    group = ClueGroup(
        id=uuid.uuid4(), lead_clue_id=lead.id, matter_code=lead.matter_code, confirmed_by=actor
    )
    session.add(group)
    session.flush()
    lead.group_id = group.id
    return group


def get_clue(session: Session, clue_id: uuid.UUID) -> Clue:
    clue = session.execute(select(Clue).where(Clue.id == clue_id)).scalar_one_or_none()
    if clue is None:
        raise Problem(404, "not-found", "线索不存在。", "Clue not found.")
    return clue


def readable_clue(session: Session, clue_id: uuid.UUID) -> Clue:
    """A clue by its id for a viewer: the session reaches only the clues the viewer's
    agency takes part in (kernel/db/agency_scope.py), so a clue out of reach answers
    exactly as a missing one, 404, and an id never confirms that another agency's clue
    exists."""
    return get_clue(session, clue_id)


def _participate(session: Session, clue: Clue, action: str) -> None:
    """The agencies taking part in the clue after `action` (kernel/db/agency_scope.py):
    the holder — lead when the clue was offered to it or the legal-affairs office
    designated it, receiving when it was transferred to it; an agency that held it keeps
    following it; the joint agencies are exactly those designated now (one no longer
    designated stops taking part)."""
    rows = session.execute(
        select(ClueParticipant).where(
            ClueParticipant.clue_id == clue.id, ClueParticipant.until.is_(None)
        )
    ).scalars()
    current = {(p.agency_id, p.role): p for p in rows}

    def take_part(agency_id: uuid.UUID, role: ParticipationRole) -> None:
        if (agency_id, role.value) not in current:
            row = ClueParticipant(clue_id=clue.id, agency_id=agency_id, role=role.value)
            session.add(row)
            current[(agency_id, role.value)] = row

    holder = clue.agency_id
    if holder is not None:
        if action == "designated":
            take_part(holder, ParticipationRole.LEAD)
        elif not any(a == holder for a, _ in current):
            role = (
                ParticipationRole.RECEIVING if action == "transferred" else ParticipationRole.LEAD
            )
            take_part(holder, role)
    joint = {uuid.UUID(j) for j in clue.joint_agency_ids or []}
    for (agency_id, role), row in list(current.items()):
        if role == ParticipationRole.JOINT.value and agency_id not in joint:
            row.until = utcnow()
    for agency_id in joint:
        take_part(agency_id, ParticipationRole.JOINT)


def joint_agencies(session: Session, clue_id: uuid.UUID) -> list[uuid.UUID]:
    """The agencies taking part in a clue as joint agencies now."""
    return list(
        session.execute(
            select(ClueParticipant.agency_id).where(
                ClueParticipant.clue_id == clue_id,
                ClueParticipant.role == ParticipationRole.JOINT.value,
                ClueParticipant.until.is_(None),
            )
        ).scalars()
    )


def state_of(clue: Clue) -> rules.Clue:
    return rules.Clue(
        rules.Status(clue.status),
        str(clue.agency_id) if clue.agency_id else None,
        clue.transfers,
        tuple(clue.joint_agency_ids),
        clue.designated,
        str(clue.group_id) if clue.group_id else None,
        clue.outcome,
        clue.reopened,
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
    clue.outcome, clue.reopened = state.outcome, state.reopened
    clue.closed_at = utcnow() if state.status == rules.Status.CLOSED else None
    _step(clue, action, clue.agency_id, reason, actor)
    _participate(session, clue, action)
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
    """accept / transfer / submit / close / file_case by the holding agency (by code)."""
    clue = get_clue(session, clue_id)
    mine = session.execute(select(Agency.id).where(Agency.code == agency_code)).scalar()
    me = str(mine) if mine else ""
    reason = kwargs.get("reason", "")
    try:
        if action == "accept":
            state, template = rules.accept(state_of(clue), me), "SMS_CLUE_ACCEPTED"
        elif action == "transfer":
            target = _agency(session, kwargs["to_agency_id"], "to_agency_id")
            state, template = (
                rules.transfer(state_of(clue), me, str(target.id), reason),
                "SMS_CLUE_TRANSFERRED",
            )
        elif action == "submit":
            state, template = (
                rules.submit_to_arbitration(state_of(clue), me, reason),
                "SMS_CLUE_ARBITRATION",
            )
        elif action == "file_case":
            state, template = rules.file_case(state_of(clue), me), "SMS_CLUE_CASE_FILED"
        else:
            state = rules.close(state_of(clue), me, kwargs["outcome"], kwargs.get("note", ""))
            reason = kwargs.get("note", "")
            template = (
                "SMS_CLUE_NOT_FILED"
                if kwargs["outcome"] in rules.NOT_FILED_OUTCOMES
                else "SMS_CLUE_CLOSED"
            )
    except rules.RoutingError as exc:
        raise Problem(409, exc.code, exc.zh, exc.en) from exc
    if action == "transfer":
        clue.accept_due = accept_due(session, setting(session, "clue_accept_working_days"))
        clue.escalated_at = None  # a new holder, a new period
    if action == "file_case":
        _case_draft(session, clue, actor)
    return _commit(session, clue, state, state.history[-1].action, reason, actor, template)


def _case_draft(session: Session, clue: Clue, actor: str) -> Case:
    """The hand-off to the case engine: a draft at the filing stage with the clue's facts
    (its attachments stay linked through the clue); a handler the legal-affairs office
    designated keeps that designation, which gives it jurisdiction (处罚法 第二十五条)."""
    lines = [clue.description, f"地点：{clue.place}"]
    if clue.occurred_at:
        lines.append(f"时间：{clue.occurred_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
    lines.append(f"来源：线索 {clue.receipt_code}")
    case = case_service.new_draft(
        session,
        clue.agency_id,
        actor,
        discovered_on=stored_day(clue.created_at),  # the clue came in: discovered
        clue_id=clue.id,
        matter_code=clue.matter_code,
        facts="\n".join(lines),
        place=clue.place,
        occurred_at=clue.occurred_at,
        details=(
            {"designated": {"clue": clue.receipt_code, "joint": list(clue.joint_agency_ids)}}
            if clue.designated
            else {}
        ),
    )
    # A joint agency the legal-affairs office designated to the clue takes part in its
    # case too (it sees the clue, and what became of it).
    for agency_id in joint_agencies(session, clue.id):
        if agency_id != clue.agency_id:
            case_service.take_part(session, case, agency_id, ParticipationRole.JOINT)
    deadlines_refresh(session, case)
    return case


def case_of(session: Session, clue_id: uuid.UUID) -> Case | None:
    return session.execute(select(Case).where(Case.clue_id == clue_id)).scalar_one_or_none()


def merge(
    session: Session, clue_id: uuid.UUID, into_id: uuid.UUID, actor: str, agency_code: str | None
) -> Clue:
    """An officer confirms that this clue is about the same thing as an open one: it
    joins that clue's group (made now if needed) and leaves every queue."""
    clue = get_clue(session, clue_id)
    mine = session.execute(select(Agency.id).where(Agency.code == agency_code)).scalar()
    if clue.status == rules.Status.ARBITRATION.value or clue.agency_id != mine:
        raise Problem(
            409,
            "not-holder",
            "只有当前承办部门可以合并此线索。",
            "Only the agency holding the clue may merge it.",
        )
    # Only into an open clue the same agency holds: merging into another agency's clue
    # would hand the complaint over without a transfer and its reason. An unknown id and
    # another agency's clue get the same answer (neither is confirmed to exist).
    lead = session.execute(select(Clue).where(Clue.id == into_id)).scalar_one_or_none()
    if lead is None or lead.id == clue.id or lead.status not in OPEN or lead.agency_id != mine:
        zh, en = "只能并入本部门承办的另一条未办结线索。", "Not another open clue of your agency."
        raise Problem(
            422,
            "cannot-merge",
            zh,
            "A clue can only be merged into another open clue its agency holds.",
            errors=[_field("into_clue_id", zh, en)],
        )
    group = _group_of(session, lead, actor)
    try:
        state = rules.merge(state_of(clue), str(group.id))
    except rules.RoutingError as exc:
        raise Problem(409, exc.code, exc.zh, exc.en) from exc
    if clue.group_id is not None and clue.group_id != group.id:
        # Complainants who had joined this clue follow it into the larger group.
        for member in _members(session, clue):
            member.group_id = group.id
    clue.group_id = group.id
    return _commit(session, clue, state, "merged", lead.receipt_code, actor, "SMS_CLUE_MERGED")


def duplicate_candidates(
    session: Session, clue: Clue, held_by: uuid.UUID | None = None
) -> list[tuple[Clue, duplicates.Match]]:
    """Open clues that look like the same thing as this one (proposals for an officer),
    among those the viewer reaches (agency_scope: an agency's officer is never shown
    another agency's), and held by `held_by` when given (the ones the holder may merge
    into)."""
    window = setting(session, "clue_duplicate_window_days")
    since = clue.created_at - dt.timedelta(days=window)
    query = select(Clue).where(
        Clue.id != clue.id,
        Clue.matter_code == clue.matter_code,
        Clue.status.in_(OPEN),
        Clue.created_at >= since,
    )
    if held_by is not None:
        query = query.where(Clue.agency_id == held_by)
    others = session.execute(query).scalars().all()
    by_id = {str(o.id): o for o in others}
    found = duplicates.proposals(_complaint(clue), [_complaint(o) for o in others], window)
    return [(by_id[m.id], m) for m in found]


def _complaint(clue: Clue) -> duplicates.Complaint:
    return duplicates.Complaint(
        str(clue.id),
        clue.matter_code,
        clue.place,
        clue.description,
        clue.created_at,
        clue.latitude,
        clue.longitude,
    )


def nearby_open(
    session: Session,
    matter_code: str,
    place: str,
    latitude: float | None = None,
    longitude: float | None = None,
    limit: int = 5,
) -> list[Clue]:
    """What a citizen is shown before filing: open complaints of the same matter near
    the same place (the caller shows matter, place and status only)."""
    probe = duplicates.Complaint("", matter_code, place, "", utcnow(), latitude, longitude)
    since = utcnow() - dt.timedelta(days=setting(session, "clue_duplicate_window_days") * 4)
    rows = (
        session.execute(
            select(Clue)
            .where(
                Clue.matter_code == matter_code,
                Clue.status.in_(OPEN),
                Clue.created_at >= since,
            )
            .order_by(Clue.created_at.desc())
            .limit(200)
        )
        .scalars()
        .all()
    )
    return [c for c in rows if duplicates.is_near(probe, _complaint(c))][:limit]


def feedback(
    session: Session, clue: Clue, resolved: bool, satisfaction: int | None, comment: str
) -> Clue:
    """The complainant's answer after closure: a rating, and "not resolved" within the
    district's period reopens the clue with the same owner."""
    target = session.get(Clue, _lead_id(session, clue)) if clue.group_id else clue
    if target.status != rules.Status.CLOSED.value or target.closed_at is None:
        raise Problem(
            409,
            "not-closed",
            "投诉尚未办结，办结后才能评价。",
            "The complaint is not closed yet; feedback comes after closure.",
        )
    days = setting(session, "clue_feedback_days")
    closed = (
        target.closed_at if target.closed_at.tzinfo else target.closed_at.replace(tzinfo=dt.UTC)
    )
    if utcnow() - closed > dt.timedelta(days=days):
        raise Problem(
            409,
            "feedback-period-over",
            f"办结已超过{days}日，不能再反馈；如有新问题请重新投诉。",
            f"More than {days} days have passed since closure; file a new complaint instead.",
        )
    if satisfaction is not None:
        clue.satisfaction = satisfaction
        _step(clue, "rated", None, str(satisfaction), "public")
    if resolved:
        session.commit()
        return clue
    try:
        state = rules.reopen(state_of(target), comment.strip() or "投诉人反馈问题未解决")
    except rules.RoutingError as exc:
        raise Problem(409, exc.code, exc.zh, exc.en) from exc
    return _commit(
        session, target, state, "reopened", state.history[-1].reason, "public", "SMS_CLUE_REOPENED"
    )


def _lead_id(session: Session, clue: Clue) -> uuid.UUID:
    return session.execute(
        select(ClueGroup.lead_clue_id).where(ClueGroup.id == clue.group_id)
    ).scalar_one()


def escalate_overdue(session: Session, today: dt.date | None = None) -> list[Clue]:
    """Offered clues not accepted by their deadline are escalated once: marked, recorded
    in their history, shown first in the inbox and to the legal-affairs office."""
    today = today or dt.datetime.now(SHANGHAI).date()
    overdue = (
        session.execute(
            select(Clue).where(
                Clue.status == rules.Status.OFFERED.value,
                Clue.accept_due < today,
                Clue.escalated_at.is_(None),
            )
        )
        .scalars()
        .all()
    )
    for clue in overdue:
        clue.escalated_at = utcnow()
        _step(
            clue, "escalated", clue.agency_id, f"受理期限{clue.accept_due:%Y-%m-%d}已过", "system"
        )
    session.commit()
    return overdue


def agency_figures(session: Session) -> list[dict]:
    """What supervision counts per agency: received, accepted, escalated for lateness,
    reopened because the complainant was not satisfied, and the average rating."""
    step_counts = dict(
        session.execute(
            select(ClueStep.agency_id, func.count())
            .where(ClueStep.action.in_(("offered", "transferred", "designated")))
            .group_by(ClueStep.agency_id)
        ).all()
    )
    rows = session.execute(
        select(
            ClueStep.agency_id,
            ClueStep.action,
            func.count(),
        )
        .where(ClueStep.action.in_(("accepted", "escalated", "reopened")))
        .group_by(ClueStep.agency_id, ClueStep.action)
    ).all()
    counts: dict = {}
    for agency_id, action, n in rows:
        counts.setdefault(agency_id, {})[action] = n
    ratings = dict(
        session.execute(
            select(Clue.agency_id, func.avg(Clue.satisfaction))
            .where(Clue.satisfaction.is_not(None))
            .group_by(Clue.agency_id)
        ).all()
    )
    agencies = session.execute(select(Agency.id, Agency.code, Agency.name).order_by(Agency.code))
    return [
        {
            "agency_id": agency_id,
            "agency_code": code,
            "agency": name,
            "received": step_counts.get(agency_id, 0),
            "accepted": counts.get(agency_id, {}).get("accepted", 0),
            "escalated": counts.get(agency_id, {}).get("escalated", 0),
            "reopened": counts.get(agency_id, {}).get("reopened", 0),
            "satisfaction": round(float(ratings[agency_id]), 2) if agency_id in ratings else None,
        }
        for agency_id, code, name in agencies
    ]


def inbound(
    session: Session, data: dict, source: str, source_ref: str, actor: str
) -> tuple[Clue, bool]:
    """A clue sent by an upper-level system or the police, keyed by the sender's id: a
    replay returns the clue already made (False) instead of a second one."""
    # The sender's id is unique in the district, whichever agency holds the clue now.
    key = select(Clue).where(Clue.source == source, Clue.source_ref == source_ref)
    with all_agencies():
        existing = session.execute(key).scalar_one_or_none()
    if existing is not None:
        return existing, False
    try:
        return register(session, {**data, "source_ref": source_ref}, source, actor), True
    except IntegrityError:  # the same clue sent twice at once: the other request made it
        session.rollback()
        with all_agencies():
            return session.execute(key).scalar_one(), False


def designate(
    session: Session, clue_id: uuid.UUID, handler_id, joint_ids: list, reason: str, actor: str
) -> Clue:
    clue = get_clue(session, clue_id)
    handler = _agency(session, handler_id, "handler_agency_id")
    joint = [str(_agency(session, j, "joint_agency_ids").id) for j in joint_ids]
    try:
        state = rules.designate(state_of(clue), str(handler.id), tuple(joint), reason)
    except rules.RoutingError as exc:
        raise Problem(409, exc.code, exc.zh, exc.en) from exc
    return _commit(session, clue, state, "designated", reason, actor, "SMS_CLUE_DESIGNATED")


def queue_query(status: str | None = None) -> Select:
    """The clues of an agency's inbox and handling queue — those the viewer reaches
    (agency_scope: what its agency takes part in, the district's for district-wide
    readers, what a hotline operator entered) — overdue first."""
    query = select(Clue).order_by(
        Clue.escalated_at.is_(None), Clue.accept_due.is_(None), Clue.accept_due, Clue.created_at
    )
    if status:
        query = query.where(Clue.status == status)
    return query


# What the complainant reads for each step (never an officer's name or another citizen's data).
PUBLIC_STEPS: dict[str, tuple[str, str]] = {
    "offered": ("已分派至承办部门", "Sent to the handling agency"),
    "accepted": ("已受理", "Accepted"),
    "transferred": ("已移送其他部门", "Transferred to another agency"),
    "submitted": ("已提交法制办协调", "Submitted to the legal-affairs office"),
    "designated": ("法制办已指定承办部门", "Handling agency designated"),
    "escalated": ("超过受理期限，已督办", "Overdue for acceptance; escalated"),
    "case_filed": ("已立案查处", "A case was filed"),
    "not_filed": ("经核查不予立案", "Not filed after checking"),
    "closed": ("已办结", "Closed"),
    "merged": ("已与同一事项的投诉合并办理", "Merged with complaints about the same thing"),
    "joined": ("已加入同一事项的投诉一并办理", "Joined a complaint about the same thing"),
    "reopened": ("投诉人反馈未解决，已重新办理", "Reopened: the complainant said not resolved"),
}
PUBLIC_STATUS: dict[str, tuple[str, str]] = {
    "offered": ("待受理", "Waiting for acceptance"),
    "accepted": ("办理中", "Being handled"),
    "arbitration": ("法制办协调中", "With the legal-affairs office"),
    "closed": ("已办结", "Closed"),
    "merged": ("合并办理中", "Handled with the same complaints"),
}


def find_for_complainant(session: Session, code: str, phone4: str | None) -> Clue | None:
    """The clue of a receipt code, if the phone's last four digits match (anonymous: the
    code alone). The caller answers the same for an unknown code and wrong digits."""
    clue = session.execute(
        select(Clue).where(Clue.receipt_code == code.strip().upper())
    ).scalar_one_or_none()
    if clue is None or (not clue.anonymous and clue.complainant_phone[-4:] != (phone4 or "")):
        return None
    return clue


def progress(session: Session, clue: Clue) -> dict:
    """The complainant's view: each step with its time and agency; a complaint handled
    with its group also shows the lead clue's steps since it joined."""
    names = dict(session.execute(select(Agency.id, Agency.name)).all())
    steps = [st for st in clue.steps if st.action in PUBLIC_STEPS]
    shown = clue
    if clue.group_id is not None and clue.status == rules.Status.MERGED.value:
        lead = session.get(Clue, _lead_id(session, clue))
        if lead is not None and lead.id != clue.id:
            since = steps[-1].at if steps else clue.created_at
            steps += [
                st
                for st in lead.steps
                if st.action in PUBLIC_STEPS and st.action != "merged" and st.at >= since
            ]
            shown = lead
    feedback_until = None
    if shown.status == rules.Status.CLOSED.value and shown.closed_at is not None:
        if shown.outcome in rules.REOPENABLE or clue.satisfaction is None:
            feedback_until = (
                shown.closed_at.astimezone(SHANGHAI)
                if shown.closed_at.tzinfo
                else shown.closed_at.replace(tzinfo=dt.UTC).astimezone(SHANGHAI)
            ).date() + dt.timedelta(days=setting(session, "clue_feedback_days"))
    outcome = rules.OUTCOMES.get(shown.outcome or "") if shown.outcome != "merged" else None
    status = shown.status if shown is not clue else clue.status
    return {
        "receipt_code": clue.receipt_code,
        "status": status,
        "status_label": PUBLIC_STATUS[status][0],
        "status_label_en": PUBLIC_STATUS[status][1],
        "outcome": outcome[0] if outcome else None,
        "outcome_en": outcome[1] if outcome else None,
        "feedback_until": feedback_until,
        "reopenable": shown.outcome in rules.REOPENABLE,
        "satisfaction": clue.satisfaction,
        "steps": [
            {
                "step": PUBLIC_STEPS[st.action][0],
                "step_en": PUBLIC_STEPS[st.action][1],
                "agency": names.get(st.agency_id),
                "at": st.at,
            }
            for st in sorted(steps, key=lambda st: st.at)
        ],
    }
