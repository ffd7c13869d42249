"""Use cases of the power list."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yimen.platform.api.problems import FieldError, Problem
from yimen.platform.db import utcnow
from yimen.tenants.directory.model import Agency
from yimen.tenants.directory.service import agency_in_district
from yimen.tenants.powers.catalog import MATTERS
from yimen.tenants.powers.domains import label
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption, MatterAssignment
from yimen.tenants.powers.rules import benchmark

SEVERE = {"order_suspension", "order_closure", "revoke_license"}


def matter_from_row(row: tuple) -> EnforcementMatter:
    """A catalog row as a matter. 国办发〔2018〕118号: decisions that suspend, close or
    revoke are major decisions (重大执法决定) whatever the row says."""
    code, name, domain, law, article, kinds, fine, fine_rule, major, criminal = row
    major = major or bool(SEVERE & set(kinds))
    fine_min, fine_max = fine if fine else (None, None)
    return EnforcementMatter(
        code=code,
        name=name,
        domain=domain,
        law=law,
        article=article,
        penalty_kinds=list(kinds),
        fine_min=fine_min,
        fine_max=fine_max,
        fine_rule=fine_rule,
        is_major=major,
        criminal_threshold=criminal,
        benchmark=[t.as_dict() for t in benchmark(fine_min, fine_max)] if fine else [],
    )


def seed_catalog(session: Session) -> int:
    """Add the starter catalog's matters that are missing (idempotent)."""
    present = set(session.execute(select(EnforcementMatter.code)).scalars())
    new = [matter_from_row(row) for row in MATTERS if row[0] not in present]
    session.add_all(new)
    session.commit()
    return len(new)


def catalog_query(q: str | None = None, domain: str | None = None) -> Select:
    query = select(EnforcementMatter).order_by(EnforcementMatter.code)
    if q:
        like = f"%{q}%"
        query = query.where(
            or_(
                EnforcementMatter.name.like(like),
                EnforcementMatter.code.like(like),
                EnforcementMatter.law.like(like),
            )
        )
    if domain:
        query = query.where(EnforcementMatter.domain == domain)
    return query


def get_matter(session: Session, code: str) -> EnforcementMatter:
    matter = session.execute(
        select(EnforcementMatter).where(EnforcementMatter.code == code)
    ).scalar_one_or_none()
    if matter is None:
        raise Problem(
            404, "not-found", f"执法事项 {code} 不存在。", f"No enforcement matter {code}."
        )
    return matter


def adopt(
    session: Session, codes: list[str], domain: str | None, on_major_list: bool = False
) -> int:
    """Put catalog matters on the district's power list; already adopted ones are skipped."""
    query = select(EnforcementMatter)
    query = query.where(
        or_(EnforcementMatter.code.in_(codes), EnforcementMatter.domain == domain)
        if domain
        else EnforcementMatter.code.in_(codes)
    )
    matters = session.execute(query).scalars().all()
    unknown = sorted(set(codes) - {m.code for m in matters})
    if unknown:
        zh = f"目录中没有这些执法事项：{'、'.join(unknown)}。"
        raise Problem(
            422,
            "unknown-matters",
            zh,
            f"Unknown matters: {', '.join(unknown)}.",
            errors=[FieldError("codes", zh, f"Unknown matters: {', '.join(unknown)}.")],
        )
    adopted = set(session.execute(select(MatterAdoption.matter_id)).scalars())
    new = [
        MatterAdoption(matter_id=m.id, on_major_list=on_major_list or m.is_major)
        for m in matters
        if m.id not in adopted
    ]
    session.add_all(new)
    session.commit()
    return len(new)


def adoption_of(session: Session, code: str) -> MatterAdoption:
    adoption = session.execute(
        select(MatterAdoption).join(EnforcementMatter).where(EnforcementMatter.code == code)
    ).scalar_one_or_none()
    if adoption is None:
        raise Problem(
            404,
            "not-adopted",
            f"本区尚未认领执法事项 {code}。",
            f"The district has not adopted matter {code}.",
        )
    return adoption


def current_assignment(session: Session, adoption_id: uuid.UUID) -> MatterAssignment | None:
    return session.execute(
        select(MatterAssignment).where(
            MatterAssignment.adoption_id == adoption_id, MatterAssignment.valid_to.is_(None)
        )
    ).scalar_one_or_none()


def _agency_for(session: Session, agency_id: uuid.UUID, adoption: MatterAdoption) -> Agency:
    agency = agency_in_district(session, agency_id)
    domain = adoption.matter.domain
    if domain not in agency.domains:
        zh = f"{agency.name}未登记执法领域「{label(domain)}」，请先在部门信息中登记该领域。"
        en = f"{agency.name_en or agency.name} has no '{label(domain, 'en')}' domain; add the domain to the agency first."
        raise Problem(422, "domain-not-held", zh, en, errors=[FieldError("agency_id", zh, en)])
    return agency


def assign(session: Session, code: str, agency_id: uuid.UUID, reason: str = "") -> MatterAssignment:
    """Give an adopted matter its agency. A matter that already has one is refused:
    exactly one agency holds a power at a time, and a change is a transfer."""
    adoption = adoption_of(session, code)
    agency = _agency_for(session, agency_id, adoption)
    held = current_assignment(session, adoption.id)
    if held is not None:
        holder = session.execute(
            select(Agency.name).where(Agency.id == held.agency_id)
        ).scalar_one()
        zh = f"执法事项 {code} 已由{holder}承担；一个事项同一时间只能由一个部门承担，如需调整请办理划转。"
        en = f"Matter {code} is held by {holder}; a matter has one agency at a time — transfer it instead."
        raise Problem(
            409,
            "already-assigned",
            zh,
            en,
            errors=[FieldError("agency_id", zh, en)],
            extra={"current_agency_id": str(held.agency_id)},
        )
    assignment = MatterAssignment(adoption_id=adoption.id, agency_id=agency.id, reason=reason)
    session.add(assignment)
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent assignment won the partial unique index
        session.rollback()
        raise Problem(
            409,
            "already-assigned",
            f"执法事项 {code} 刚被其他人分配。",
            f"Matter {code} was just assigned.",
        ) from exc
    return assignment


def transfer(session: Session, code: str, agency_id: uuid.UUID, reason: str) -> MatterAssignment:
    """划转: the current holder's assignment ends now and the new agency's begins."""
    adoption = adoption_of(session, code)
    agency = _agency_for(session, agency_id, adoption)
    held = current_assignment(session, adoption.id)
    if held is not None and held.agency_id == agency.id:
        raise Problem(
            409, "same-agency", "该部门已承担此事项。", "This agency already holds the matter."
        )
    now = utcnow()
    if held is not None:
        held.valid_to = now
        session.flush()
    assignment = MatterAssignment(
        adoption_id=adoption.id, agency_id=agency.id, valid_from=now, reason=reason
    )
    session.add(assignment)
    session.commit()
    return assignment


def power_list_query(domain: str | None = None, agency_id: uuid.UUID | None = None) -> Select:
    """The district's adopted matters with their current agency (if any)."""
    current = and_(
        MatterAssignment.adoption_id == MatterAdoption.id, MatterAssignment.valid_to.is_(None)
    )
    query = (
        select(
            EnforcementMatter,
            MatterAdoption.on_major_list,
            Agency.id.label("agency_id"),
            Agency.name.label("agency_name"),
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
    return query


def history(session: Session, code: str) -> list[dict]:
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


def holder_of(session: Session, code: str, on: dt.datetime | None = None) -> Agency | None:
    """The agency that held matter `code` at `on` (now by default) — for routing."""
    on = on or utcnow()
    return session.execute(
        select(Agency)
        .join(MatterAssignment, MatterAssignment.agency_id == Agency.id)
        .join(MatterAdoption, MatterAdoption.id == MatterAssignment.adoption_id)
        .join(EnforcementMatter, EnforcementMatter.id == MatterAdoption.matter_id)
        .where(
            EnforcementMatter.code == code,
            MatterAssignment.valid_from <= on,
            or_(MatterAssignment.valid_to.is_(None), MatterAssignment.valid_to > on),
        )
    ).scalar_one_or_none()


def adopt_for_agencies(session: Session) -> int:
    """Demo and onboarding helper: adopt every catalog matter of a domain some agency of
    the district holds, and assign each to the first such agency (by code). Returns
    how many matters were assigned."""
    agencies = session.execute(select(Agency).order_by(Agency.kind, Agency.code)).scalars().all()
    holders: dict[str, Agency] = {}
    for agency in agencies:
        for domain in agency.domains:
            holders.setdefault(domain, agency)
    if not holders:
        return 0
    codes = (
        session.execute(select(EnforcementMatter.code).where(EnforcementMatter.domain.in_(holders)))
        .scalars()
        .all()
    )
    adopt(session, list(codes), None)
    assigned = 0
    for code in codes:
        adoption = adoption_of(session, code)
        if current_assignment(session, adoption.id) is None:
            assign(session, code, holders[adoption.matter.domain].id, "初始认领 / initial adoption")
            assigned += 1
    return assigned
