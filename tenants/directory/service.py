"""Use cases of the directory. Each owns its transaction; callers never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from yimen.platform.api.problems import Problem
from yimen.tenants.directory.model import Agency, AgencyKind, Officer, Unit


def agency_query(q: str | None = None, kind: AgencyKind | None = None) -> Select:
    query = select(Agency).order_by(Agency.code)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Agency.name.like(like), Agency.code.like(like)))
    if kind:
        query = query.where(Agency.kind == kind)
    return query


def unit_query(agency_id: uuid.UUID | None = None) -> Select:
    query = select(Unit).order_by(Unit.agency_id, Unit.name)
    if agency_id:
        query = query.where(Unit.agency_id == agency_id)
    return query


def officer_query(q: str | None = None, agency_id: uuid.UUID | None = None) -> Select:
    query = select(Officer).order_by(Officer.username)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Officer.name.like(like), Officer.username.like(like)))
    if agency_id:
        query = query.where(Officer.agency_id == agency_id)
    return query


def get_agency(session: Session, agency_id: uuid.UUID) -> Agency:
    # A row of another district is indistinguishable from a missing one.
    agency = session.execute(select(Agency).where(Agency.id == agency_id)).scalar_one_or_none()
    if agency is None:
        raise Problem(404, "agency-not-found", "执法部门不存在。", "Agency not found.")
    return agency


def update_agency(session: Session, agency_id: uuid.UUID, changes: dict) -> Agency:
    agency = get_agency(session, agency_id)
    for key, value in changes.items():
        setattr(agency, key, value)
    session.commit()
    return agency
