"""Use cases of the directory. Each owns its transaction; views never commit."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from yimen.platform.api.paging import paginate
from yimen.platform.api.problems import FieldError, Problem
from yimen.platform.kernel.directory import (
    Agency,
    AgencyKind,
    Officer,
    OfficerStatus,
    RoleAssignment,
    Tenant,
    TenantKind,
    Unit,
)
from yimen.platform.kernel.identity import SERVICE_ACCOUNT_PREFIX
from yimen.tenants.directory.rules import Granter, check_credit_code, check_role_change
from yimen.tenants.identity import required_actions
from yimen.tenants.identity import tasks as provisioning


def _invalid(field: str, zh: str, en: str, status: int = 422, code: str = "validation-failed"):
    return Problem(status, code, zh, en, errors=[FieldError(field, zh, en)])


def _not_found(what_zh: str, what_en: str) -> Problem:
    # A row of another district is indistinguishable from a missing one.
    return Problem(404, "not-found", f"{what_zh}不存在。", f"{what_en} not found.")


# --- queries --------------------------------------------------------------------


def agency_query(q: str | None = None, kind: AgencyKind | None = None) -> Select:
    query = select(Agency).order_by(Agency.code)
    if q:
        query = query.where(
            or_(Agency.name.contains(q, autoescape=True), Agency.code.contains(q, autoescape=True))
        )
    if kind:
        query = query.where(Agency.kind == kind)
    return query


def unit_query(agency_id: uuid.UUID | None = None) -> Select:
    query = select(Unit).order_by(Unit.agency_id, Unit.name)
    if agency_id:
        query = query.where(Unit.agency_id == agency_id)
    return query


def officer_query(q=None, agency_id=None, status: OfficerStatus | None = None) -> Select:
    query = select(Officer).order_by(Officer.username)
    if q:
        query = query.where(
            or_(
                Officer.name.contains(q, autoescape=True),
                Officer.username.contains(q, autoescape=True),
            )
        )
    if agency_id:
        query = query.where(Officer.agency_id == agency_id)
    if status:
        query = query.where(Officer.status == status)
    return query


def staffing(session: Session, page: int, page_size: int) -> dict:
    """Officers and certified officers against each agency's staffing quota (编制)."""
    officers = (
        select(
            Officer.agency_id,
            func.count().label("officers"),
            func.count(Officer.certificate_no).label("certified"),
        )
        .where(Officer.status == OfficerStatus.ACTIVE)
        .group_by(Officer.agency_id)
        .subquery()
    )
    query = (
        select(
            Agency.id.label("agency_id"),
            Agency.name,
            Agency.staffing_quota,
            func.coalesce(officers.c.officers, 0).label("officers"),
            func.coalesce(officers.c.certified, 0).label("certified"),
        )
        .outerjoin(officers, officers.c.agency_id == Agency.id)
        .order_by(Agency.code)
    )
    return paginate(session, query, page, page_size, rows=True)


def district_or_404(slug: str, session: Session | None = None) -> Tenant:
    """A district by its slug, for pages anyone may read (suspended ones included); in
    `session` when given (the caller's transaction), else in a transaction of its own."""
    from werkzeug.exceptions import NotFound

    from yimen.platform.kernel.db import db

    query = select(Tenant).where(Tenant.slug == slug, Tenant.kind == TenantKind.DISTRICT)
    if session is not None:
        tenant = session.execute(query).scalar_one_or_none()
    else:
        with db.new_session() as s:
            tenant = s.execute(query).scalar_one_or_none()
    if tenant is None:
        raise NotFound()
    return tenant


# --- agencies -------------------------------------------------------------------


def agency_in_district(session: Session, agency_id, field: str = "agency_id") -> Agency:
    """An agency of the current district named in a request, or a 422 on that field."""
    agency = session.execute(select(Agency).where(Agency.id == agency_id)).scalar_one_or_none()
    if agency is None:
        zh, en = "本区没有该部门。", "No such agency in this district."
        raise Problem(422, "unknown-agency", zh, en, errors=[FieldError(field, zh, en)])
    return agency


def get_agency(session: Session, agency_id: uuid.UUID) -> Agency:
    agency = session.execute(select(Agency).where(Agency.id == agency_id)).scalar_one_or_none()
    if agency is None:
        raise _not_found("执法部门", "Agency")
    return agency


def validate_agency(
    session: Session, data: dict, confirm_credit_code: bool = False
) -> list[FieldError]:
    """Every reason `data` cannot become a new agency of the current district."""
    errors: list[FieldError] = []
    verdict = check_credit_code(data["credit_code"])
    if not verdict.ok and not (verdict.warning and confirm_credit_code):
        errors.append(FieldError("credit_code", verdict.zh, verdict.en))
    data["credit_code"] = data["credit_code"].strip().upper()
    clash = session.execute(
        select(Agency.code, Agency.credit_code).where(
            or_(Agency.code == data["code"], Agency.credit_code == data["credit_code"])
        )
    ).first()
    if clash and clash.code == data["code"]:
        errors.append(
            FieldError(
                "code", f"部门编码 {data['code']} 已存在。", f"Agency code {data['code']} exists."
            )
        )
    elif clash:
        errors.append(
            FieldError(
                "credit_code",
                "该统一社会信用代码已登记。",
                "This credit code is already registered.",
            )
        )
    return errors


def create_agency(session: Session, data: dict) -> Agency:
    confirm = data.pop("confirm_credit_code", False)
    errors = validate_agency(session, data, confirm)
    if errors:
        raise Problem(
            422, "invalid-agency", "执法部门信息有误。", "The agency is invalid.", errors=errors
        )
    agency = Agency(**data)
    session.add(agency)
    session.flush()
    provisioning.request(session, "agency", agency.id)
    session.commit()
    return agency


def update_agency(session: Session, agency_id: uuid.UUID, changes: dict) -> Agency:
    agency = get_agency(session, agency_id)
    for key, value in changes.items():
        setattr(agency, key, value)
    session.commit()
    return agency


# --- units ----------------------------------------------------------------------


def get_unit(session: Session, unit_id: uuid.UUID) -> Unit:
    unit = session.execute(select(Unit).where(Unit.id == unit_id)).scalar_one_or_none()
    if unit is None:
        raise _not_found("单位", "Unit")
    return unit


def _check_parent(session: Session, unit: Unit, parent_id: uuid.UUID | None) -> None:
    """A parent is a unit of the same agency, and the tree never becomes a cycle."""
    seen = {unit.id} if unit.id else set()
    current = parent_id
    while current is not None:
        if current in seen:
            raise _invalid(
                "parent_id", "上级单位不能是本单位或其下级。", "A unit cannot sit under itself."
            )
        parent = session.execute(select(Unit).where(Unit.id == current)).scalar_one_or_none()
        if parent is None or parent.agency_id != unit.agency_id:
            raise _invalid(
                "parent_id",
                "上级单位应属于同一部门。",
                "The parent unit must belong to the same agency.",
            )
        seen.add(current)
        current = parent.parent_id


def create_unit(session: Session, data: dict) -> Unit:
    get_agency(session, data["agency_id"])
    unit = Unit(**data)
    _check_parent(session, unit, data.get("parent_id"))
    session.add(unit)
    session.commit()
    return unit


def update_unit(session: Session, unit_id: uuid.UUID, changes: dict) -> Unit:
    unit = get_unit(session, unit_id)
    if "parent_id" in changes:
        _check_parent(session, unit, changes["parent_id"])
    for key, value in changes.items():
        setattr(unit, key, value)
    session.commit()
    return unit


# --- officers -------------------------------------------------------------------


def get_officer(session: Session, officer_id: uuid.UUID) -> Officer:
    officer = session.execute(select(Officer).where(Officer.id == officer_id)).scalar_one_or_none()
    if officer is None:
        raise _not_found("执法人员", "Officer")
    return officer


def validate_officer(
    session: Session, data: dict, officer_id: uuid.UUID | None = None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if str(data.get("username", "")).startswith(SERVICE_ACCOUNT_PREFIX):
        errors.append(
            FieldError(
                "username",
                f"以 {SERVICE_ACCOUNT_PREFIX} 开头的用户名保留给机器客户端，不能用于执法人员。",
                f"User names starting with {SERVICE_ACCOUNT_PREFIX} are reserved for"
                " machine clients and cannot be given to an officer.",
            )
        )
    if "username" in data:
        taken = session.execute(
            select(Officer.id).where(Officer.username == data["username"])
        ).scalar()
        if taken and taken != officer_id:
            errors.append(FieldError("username", "用户名已被使用。", "The username is taken."))
    number = data.get("certificate_no")
    if number:
        holder = session.execute(
            select(Officer.id).where(Officer.certificate_no == number)
        ).scalar()
        if holder and holder != officer_id:
            errors.append(
                FieldError(
                    "certificate_no",
                    f"执法证号 {number} 已登记给其他人员。",
                    f"Certificate {number} is registered to another officer.",
                )
            )
    if number and not data.get("certificate_valid_until") and officer_id is None:
        errors.append(
            FieldError(
                "certificate_valid_until",
                "登记执法证须填写有效期。",
                "A certificate needs its expiry date.",
            )
        )
    unit_id = data.get("unit_id")
    if unit_id:
        unit = session.execute(select(Unit).where(Unit.id == unit_id)).scalar_one_or_none()
        agency_id = data.get("agency_id")
        if unit is None or (agency_id and unit.agency_id != agency_id):
            errors.append(
                FieldError(
                    "unit_id",
                    "单位不存在或不属于该部门。",
                    "The unit does not exist in this agency.",
                )
            )
    return errors


def new_officer(data: dict) -> Officer:
    """An officer whose identity subject at the built-in provider is their own id."""
    officer_id = uuid.uuid4()
    return Officer(id=officer_id, subject=str(officer_id), **data)


def role_change_error(
    granter: Granter, target_agency: str, before, after, field: str = "roles"
) -> FieldError | None:
    """Why `granter` may not change an officer of `target_agency` from `before` to
    `after` (tenants/directory/rules.py: grantable_roles), or None."""
    verdict = check_role_change(granter.roles, granter.agency, target_agency, before, after)
    return None if verdict.ok else FieldError(field, verdict.zh, verdict.en)


def _refuse_roles(error: FieldError) -> Problem:
    return Problem(403, "role-not-grantable", error.message, error.message_en, errors=[error])


def create_officer(session: Session, data: dict, granter: Granter) -> Officer:
    agency = get_agency(session, data["agency_id"])
    roles = data.pop("roles", ["officer"])
    error = role_change_error(granter, agency.code, (), roles)
    if error:
        raise _refuse_roles(error)
    errors = validate_officer(session, data)
    if errors:
        raise Problem(
            422, "invalid-officer", "执法人员信息有误。", "The officer is invalid.", errors=errors
        )
    officer = new_officer(data)
    officer.role_assignments = [RoleAssignment(role=r) for r in dict.fromkeys(roles)]
    session.add(officer)
    session.flush()
    provisioning.request(session, "officer", officer.id)
    session.commit()
    return officer


def update_officer(session: Session, officer_id: uuid.UUID, changes: dict) -> Officer:
    officer = get_officer(session, officer_id)
    errors = validate_officer(session, {**changes, "agency_id": officer.agency_id}, officer_id)
    if errors:
        raise Problem(
            422, "invalid-officer", "执法人员信息有误。", "The officer is invalid.", errors=errors
        )
    for key, value in changes.items():
        setattr(officer, key, value)
    session.commit()
    return officer


def set_roles(
    session: Session, officer_id: uuid.UUID, roles: list[str], granter: Granter
) -> Officer:
    officer = get_officer(session, officer_id)
    wanted = list(dict.fromkeys(roles))
    agency = get_agency(session, officer.agency_id)
    error = role_change_error(granter, agency.code, officer.roles, wanted)
    if error:
        raise _refuse_roles(error)
    officer.role_assignments = [a for a in officer.role_assignments if a.role in wanted] + [
        RoleAssignment(role=r) for r in wanted if r not in officer.roles
    ]
    provisioning.request(session, "officer", officer.id, "roles")
    session.commit()
    return officer


def set_status(session: Session, officer_id: uuid.UUID, status: OfficerStatus) -> Officer:
    """Deactivation takes effect at once: the token validator checks the officer's
    status on every request, and the built-in provider refuses new sign-ins."""
    officer = get_officer(session, officer_id)
    officer.status = status
    if status == OfficerStatus.INACTIVE:
        from yimen.platform.idp.admin import revoke_refresh_tokens

        revoke_refresh_tokens(session, officer.id)
    provisioning.request(
        session, "officer", officer.id, "enable" if status == OfficerStatus.ACTIVE else "disable"
    )
    session.commit()
    return officer


def unlock_sign_in(session: Session, officer_id: uuid.UUID) -> dict:
    """Lift the lockout (and any wait) that wrong passwords put on the officer's user name
    at the built-in provider; recorded in the district's audit trail when there was one."""
    from yimen.platform.idp import throttle
    from yimen.platform.kernel.audit.recorder import record_event

    officer = get_officer(session, officer_id)
    lifted = throttle.unlock(session, officer.username)
    if lifted is not None:
        record_event(
            session,
            officer.tenant_id,
            "unlock",
            "officer",
            str(officer.id),
            before={"sign_in_failures": lifted["failures"], "locked_at": lifted["locked_at"]},
            after={"sign_in_failures": 0, "locked_at": None},
        )
    session.commit()
    return {
        "id": officer.id,
        "username": officer.username,
        "was_locked": bool(lifted and lifted["locked_at"]),
        "failures": lifted["failures"] if lifted else 0,
    }


def issue_initial_password(session: Session, officer: Officer) -> str:
    """A random password for the built-in provider, returned once and stored hashed
    (Keycloak instead requires the officer to set one: UPDATE_PASSWORD)."""
    import secrets

    from yimen.platform.idp.admin import set_password

    password = f"Ym-{secrets.token_urlsafe(12)}"
    set_password(session, officer, password)
    required_actions.require(session, officer.id)  # seen by the administrator: change it
    session.commit()
    return password
