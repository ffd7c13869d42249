"""Use cases of a district's power list (权责清单): adopting catalog matters, assigning
each to exactly one agency at a time, transferring it with the history kept, and
answering who holds a matter. The catalog's own use cases are in matters.py
(`seed_catalog` stays importable from here for the CLI)."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yimen.platform.kernel.db import current_tenant_id, utcnow
from yimen.platform.kernel.directory import Agency, Tenant
from yimen.platform.kernel.errors import Conflict, FieldProblem, Invalid, NotFound
from yimen.tenants.directory.service import agency_in_district
from yimen.tenants.powers.contracts import AdoptMatters, AssignMatter, SetMajor, TransferMatter
from yimen.tenants.powers.domains import label
from yimen.tenants.powers.matters import seed_catalog as seed_catalog
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption, MatterAssignment
from yimen.tenants.powers.rules import major_list_error, start_error

# --- adoption ---------------------------------------------------------------------


def district_today(session: Session) -> dt.date:
    return utcnow().astimezone(_zone(session)).date()


def _zone(session: Session) -> ZoneInfo:
    name = session.execute(
        select(Tenant.timezone).where(Tenant.id == current_tenant_id())
    ).scalar_one_or_none()
    return ZoneInfo(name or "Asia/Shanghai")


def adopt(session: Session, command: AdoptMatters) -> dict:
    """Put catalog matters (by code, or every matter of a domain) on the district's
    power list; matters already there are skipped. One unknown or repealed code and
    nothing is adopted."""
    codes, domain, on_major_list = list(command.codes), command.domain, command.on_major_list
    matters = (
        session.execute(
            select(EnforcementMatter).where(
                or_(EnforcementMatter.code.in_(codes), EnforcementMatter.domain == domain)
                if domain
                else EnforcementMatter.code.in_(codes)
            )
        )
        .scalars()
        .all()
    )
    unknown = sorted(set(codes) - {m.code for m in matters})
    if unknown:
        zh = f"目录中没有这些执法事项：{'、'.join(unknown)}。"
        en = f"Unknown matters: {', '.join(unknown)}."
        raise Invalid("unknown-matters", zh, en, fields=[FieldProblem("codes", zh, en)])
    today = district_today(session)
    repealed = sorted(m.code for m in matters if m.code in codes and not _adoptable(m, today))
    if repealed:
        zh = f"这些执法事项已停止适用，不能认领：{'、'.join(repealed)}。"
        en = f"No longer in force, cannot be adopted: {', '.join(repealed)}."
        raise Invalid("matters-repealed", zh, en, fields=[FieldProblem("codes", zh, en)])
    adopted = set(session.execute(select(MatterAdoption.matter_id)).scalars())
    new = [
        MatterAdoption(matter_id=m.id, on_major_list=on_major_list or m.is_major)
        for m in matters
        if m.id not in adopted and _adoptable(m, today)
    ]
    session.add_all(new)
    session.flush()
    return {"adopted": len(new), "already": len(matters) - len(new)}


def _adoptable(matter: EnforcementMatter, today: dt.date) -> bool:
    return matter.effective_to is None or today < matter.effective_to


def adoption_of(session: Session, code: str) -> MatterAdoption:
    adoption = session.execute(
        select(MatterAdoption).join(EnforcementMatter).where(EnforcementMatter.code == code)
    ).scalar_one_or_none()
    if adoption is None:
        raise NotFound(
            "not-adopted",
            f"本区尚未认领执法事项 {code}。",
            f"The district has not adopted matter {code}.",
        )
    return adoption


def set_major(session: Session, command: SetMajor) -> MatterAdoption:
    """Put a matter on, or take it off, the district's major-decision list (重大执法决定
    法制审核目录清单, 118号 （十二）)."""
    on_major_list = command.on_major_list
    adoption = adoption_of(session, command.code)
    error = major_list_error(adoption.matter.is_major, on_major_list)
    if error:
        raise Invalid("major-by-law", *error, fields=[FieldProblem("on_major_list", *error)])
    adoption.on_major_list = on_major_list
    session.flush()
    return adoption


# --- assignment -------------------------------------------------------------------


def current_assignment(session: Session, adoption_id: uuid.UUID) -> MatterAssignment | None:
    return session.execute(
        select(MatterAssignment).where(
            MatterAssignment.adoption_id == adoption_id, MatterAssignment.valid_to.is_(None)
        )
    ).scalar_one_or_none()


def _agency_for(session: Session, agency_id: uuid.UUID, adoption: MatterAdoption) -> Agency:
    """The agency must be of this district and hold the matter's domain: a power goes
    only to an agency whose remit (and officers' certificates) covers the field."""
    agency = agency_in_district(session, agency_id)
    domain = adoption.matter.domain
    if domain not in agency.domains:
        zh = f"{agency.name}未登记执法领域「{label(domain)}」，请先在部门信息中登记该领域。"
        en = f"{agency.name_en or agency.name} has no '{label(domain, 'en')}' domain; add the domain to the agency first."
        raise Invalid("domain-not-held", zh, en, fields=[FieldProblem("agency_id", zh, en)])
    return agency


def _start(
    session: Session, effective: dt.date | None, holder_since: dt.datetime | None = None
) -> dt.datetime:
    """When an assignment begins: now, or the start of `effective` in the district's time."""
    now = utcnow()
    if effective is None:
        return now
    start = dt.datetime.combine(effective, dt.time(), _zone(session)).astimezone(dt.UTC)
    error = start_error(start, now, holder_since)
    if error:
        raise Invalid("bad-effective-date", *error, fields=[FieldProblem("effective", *error)])
    return start


def _already_held(session: Session, code: str, held: MatterAssignment) -> Conflict:
    holder = session.execute(select(Agency.name).where(Agency.id == held.agency_id)).scalar_one()
    zh = f"执法事项 {code} 已由{holder}承担；一个事项同一时间只能由一个部门承担，如需调整请办理划转。"
    en = f"Matter {code} is held by {holder}; a matter has one agency at a time — transfer it instead."
    return Conflict(
        "already-assigned",
        zh,
        en,
        fields=[FieldProblem("agency_id", zh, en)],
        extra={"current_agency_id": str(held.agency_id), "current_agency_name": holder},
    )


def assign(session: Session, command: AssignMatter) -> MatterAssignment:
    """Give an adopted matter its agency. A matter that already has one is refused:
    exactly one agency holds a power at a time, and a change is a transfer."""
    code, agency_id, reason, effective = (
        command.code,
        command.agency_id,
        command.reason,
        command.effective,
    )
    adoption = adoption_of(session, code)
    agency = _agency_for(session, agency_id, adoption)
    held = current_assignment(session, adoption.id)
    if held is not None:
        raise _already_held(session, code, held)
    assignment = MatterAssignment(
        adoption_id=adoption.id,
        agency_id=agency.id,
        valid_from=_start(session, effective),
        reason=reason,
    )
    session.add(assignment)
    _one_holder(session, code)
    return assignment


def transfer(session: Session, command: TransferMatter) -> MatterAssignment:
    """划转: the current holder's assignment ends when the new agency's begins; the
    closed assignment stays as history."""
    code, agency_id, reason, effective = (
        command.code,
        command.agency_id,
        command.reason,
        command.effective,
    )
    adoption = adoption_of(session, code)
    agency = _agency_for(session, agency_id, adoption)
    held = current_assignment(session, adoption.id)
    if held is not None and held.agency_id == agency.id:
        raise Conflict(
            "same-agency", "该部门已承担此事项。", "This agency already holds the matter."
        )
    start = _start(session, effective, held.valid_from if held else None)
    if held is not None:
        held.valid_to = start
        session.flush()
    assignment = MatterAssignment(
        adoption_id=adoption.id, agency_id=agency.id, valid_from=start, reason=reason
    )
    session.add(assignment)
    _one_holder(session, code)
    return assignment


def _one_holder(session: Session, code: str) -> None:
    """Write the assignment now: the partial unique index keeps one holder at a time,
    and a concurrent assignment that won it is a conflict (the unit of work rolls back)."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "already-assigned",
            f"执法事项 {code} 刚被其他人分配，请刷新后重试。",
            f"Matter {code} was just assigned by someone else; reload and try again.",
        ) from exc


# --- reading the power list -------------------------------------------------------


def power_list_query(
    domain: str | None = None,
    agency_id: uuid.UUID | None = None,
    q: str | None = None,
    unassigned: bool | None = None,
) -> Select:
    """The district's adopted matters with their current agency (if any)."""
    current = and_(
        MatterAssignment.adoption_id == MatterAdoption.id, MatterAssignment.valid_to.is_(None)
    )
    query = (
        select(
            EnforcementMatter,
            MatterAdoption.on_major_list,
            MatterAdoption.adopted_at,
            Agency.id.label("agency_id"),
            Agency.name.label("agency_name"),
            MatterAssignment.valid_from.label("since"),
        )
        .select_from(MatterAdoption)
        .join(EnforcementMatter, EnforcementMatter.id == MatterAdoption.matter_id)
        .outerjoin(MatterAssignment, current)
        .outerjoin(Agency, Agency.id == MatterAssignment.agency_id)
        .order_by(EnforcementMatter.code)
    )
    if domain:
        query = query.where(EnforcementMatter.domain == domain)
    if agency_id:
        query = query.where(Agency.id == agency_id)
    if q:
        query = query.where(
            or_(
                EnforcementMatter.name.contains(q, autoescape=True),
                EnforcementMatter.code.contains(q, autoescape=True),
            )
        )
    if unassigned is not None:
        query = query.where(
            MatterAssignment.id.is_(None) if unassigned else MatterAssignment.id.is_not(None)
        )
    return query


def power_list_item(session: Session, code: str, agency_id: uuid.UUID | None = None):
    """One row of the district's power list (404 if not adopted, or not the caller's)."""
    row = (
        session.execute(power_list_query(agency_id=agency_id).where(EnforcementMatter.code == code))
        .mappings()
        .one_or_none()
    )
    if row is None:
        adoption_of(session, code)  # not adopted → 404 naming that
        raise NotFound(
            "not-found",
            f"执法事项 {code} 不由本部门承担。",
            f"Matter {code} is not held by your agency.",
        )
    return row


def history(session: Session, code: str) -> list[dict]:
    """Every agency that held the matter in this district, oldest first."""
    adoption = adoption_of(session, code)
    rows = session.execute(
        select(MatterAssignment, Agency.name)
        .join(Agency, Agency.id == MatterAssignment.agency_id)
        .where(MatterAssignment.adoption_id == adoption.id)
        .order_by(MatterAssignment.valid_from)
    ).all()
    return [
        {
            "agency_id": a.agency_id,
            "agency_name": name,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
            "reason": a.reason,
        }
        for a, name in rows
    ]


def holder_of(
    session: Session, matter_code: str, on_date: dt.date | dt.datetime | None = None
) -> Agency | None:
    """The agency of the current district that held matter `matter_code` — now, at an
    instant, or on a date (the holder at the end of that day in the district's time,
    so a transfer that took effect that day counts). None if nobody did (for routing)."""
    if on_date is None:
        at, inclusive = utcnow(), True
    elif isinstance(on_date, dt.datetime):
        at, inclusive = on_date, True
    else:
        day_after = dt.datetime.combine(on_date + dt.timedelta(days=1), dt.time(), _zone(session))
        at, inclusive = day_after.astimezone(dt.UTC), False
    if inclusive:  # held at the instant `at`
        began, not_ended = MatterAssignment.valid_from <= at, MatterAssignment.valid_to > at
    else:  # held just before `at`, the end of the day
        began, not_ended = MatterAssignment.valid_from < at, MatterAssignment.valid_to >= at
    return session.execute(
        select(Agency)
        .join(MatterAssignment, MatterAssignment.agency_id == Agency.id)
        .join(MatterAdoption, MatterAdoption.id == MatterAssignment.adoption_id)
        .join(EnforcementMatter, EnforcementMatter.id == MatterAdoption.matter_id)
        .where(
            EnforcementMatter.code == matter_code,
            began,
            or_(MatterAssignment.valid_to.is_(None), not_ended),
        )
        .order_by(MatterAssignment.valid_from.desc())
        .limit(1)
    ).scalar_one_or_none()
