"""Use cases of the directory. Each takes a typed command (contracts.py), works in the
session of the caller's unit of work (kernel/uow.py: the view runs it with `uow.run`)
and never commits; each says no with the kernel's domain errors. What the identity
provider must do at once (end sessions, lift a lockout, set an initial password) goes
through the provisioning port (tenants/identity/ports.py), like everything else it
mirrors."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

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
from yimen.platform.kernel.errors import FieldProblem, Forbidden, Invalid, NotFound, Unavailable
from yimen.platform.kernel.identity import SERVICE_ACCOUNT_PREFIX
from yimen.tenants.directory.contracts import (
    ChangeRoles,
    CreateAgency,
    CreateOfficer,
    CreateUnit,
    InitialPassword,
    IssueInitialPassword,
    SetOfficerStatus,
    Unlocked,
    UnlockSignIn,
    UpdateAgency,
    UpdateOfficer,
    UpdateUnit,
    changes_of,
)
from yimen.tenants.directory.rules import (
    Granter,
    check_credit_code,
    check_domains,
    check_role_change,
)
from yimen.tenants.identity import tasks as provisioning
from yimen.tenants.identity.ports import (
    DistrictRef,
    IdentityProvisioner,
    OfficerRef,
    ProvisioningError,
)

R = TypeVar("R")


def _invalid(field: str, zh: str, en: str, code: str = "validation-failed") -> Invalid:
    return Invalid(code, zh, en, fields=[FieldProblem(field, zh, en)])


def _not_found(what_zh: str, what_en: str) -> NotFound:
    # A row of another district is indistinguishable from a missing one.
    return NotFound("not-found", f"{what_zh}不存在。", f"{what_en} not found.")


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


def staffing_query() -> Select:
    """Officers and certified officers against each agency's staffing quota (编制), by
    agency (the view pages it, as whole rows)."""
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
    return (
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


def district_or_404(slug: str, session: Session | None = None) -> Tenant:
    """A district by its slug, for pages anyone may read (suspended ones included); in
    `session` when given (the caller's transaction), else in a transaction of its own.
    An unknown slug is NotFound without a message of its own: the shells answer it as any
    unknown address (the status's own title, on a page or in problem+json)."""
    from yimen.platform.kernel.db import db

    query = select(Tenant).where(Tenant.slug == slug, Tenant.kind == TenantKind.DISTRICT)
    if session is not None:
        tenant = session.execute(query).scalar_one_or_none()
    else:
        with db.new_session() as s:
            tenant = s.execute(query).scalar_one_or_none()
    if tenant is None:
        raise NotFound("not-found")
    return tenant


# --- agencies -------------------------------------------------------------------


def agency_in_district(session: Session, agency_id, field: str = "agency_id") -> Agency:
    """An agency of the current district named in a request, or a 422 on that field."""
    agency = session.execute(select(Agency).where(Agency.id == agency_id)).scalar_one_or_none()
    if agency is None:
        zh, en = "本区没有该部门。", "No such agency in this district."
        raise Invalid("unknown-agency", zh, en, fields=[FieldProblem(field, zh, en)])
    return agency


def get_agency(session: Session, agency_id: uuid.UUID) -> Agency:
    agency = session.execute(select(Agency).where(Agency.id == agency_id)).scalar_one_or_none()
    if agency is None:
        raise _not_found("执法部门", "Agency")
    return agency


def _domain_errors(data: dict, field: str) -> list[FieldProblem]:
    verdict = check_domains(data.get(field) or ())
    return [] if verdict.ok else [FieldProblem(field, verdict.zh, verdict.en)]


def validate_agency(
    session: Session, data: dict, confirm_credit_code: bool = False
) -> list[FieldProblem]:
    """Every reason `data` cannot become a new agency of the current district."""
    errors = _domain_errors(data, "domains")
    verdict = check_credit_code(data["credit_code"])
    if not verdict.ok and not (verdict.warning and confirm_credit_code):
        errors.append(FieldProblem("credit_code", verdict.zh, verdict.en))
    data["credit_code"] = data["credit_code"].strip().upper()
    clash = session.execute(
        select(Agency.code, Agency.credit_code).where(
            or_(Agency.code == data["code"], Agency.credit_code == data["credit_code"])
        )
    ).first()
    if clash and clash.code == data["code"]:
        errors.append(
            FieldProblem(
                "code", f"部门编码 {data['code']} 已存在。", f"Agency code {data['code']} exists."
            )
        )
    elif clash:
        errors.append(
            FieldProblem(
                "credit_code",
                "该统一社会信用代码已登记。",
                "This credit code is already registered.",
            )
        )
    return errors


def create_agency(session: Session, command: CreateAgency) -> Agency:
    data = asdict(command)
    confirm = data.pop("confirm_credit_code")
    data["domains"] = list(command.domains)
    errors = validate_agency(session, data, confirm)
    if errors:
        raise Invalid(
            "invalid-agency", "执法部门信息有误。", "The agency is invalid.", fields=errors
        )
    agency = Agency(**data)
    session.add(agency)
    session.flush()
    provisioning.request(session, "agency", agency.id)
    return agency


def update_agency(session: Session, command: UpdateAgency) -> Agency:
    agency = get_agency(session, command.agency_id)
    changes = changes_of(command, "agency_id")
    errors = _domain_errors(changes, "domains")
    if errors:
        raise Invalid(
            "invalid-agency", "执法部门信息有误。", "The agency is invalid.", fields=errors
        )
    if "domains" in changes:
        changes["domains"] = list(dict.fromkeys(changes["domains"]))
    if changes.get("payment_account") is not None:
        changes["payment_account"] = dict(changes["payment_account"])  # stored as JSON
    for key, value in changes.items():
        setattr(agency, key, value)
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


def create_unit(session: Session, command: CreateUnit) -> Unit:
    get_agency(session, command.agency_id)
    unit = Unit(**asdict(command))
    _check_parent(session, unit, command.parent_id)
    session.add(unit)
    return unit


def update_unit(session: Session, command: UpdateUnit) -> Unit:
    unit = get_unit(session, command.unit_id)
    changes = changes_of(command, "unit_id")
    if "parent_id" in changes:
        _check_parent(session, unit, changes["parent_id"])
    for key, value in changes.items():
        setattr(unit, key, value)
    return unit


# --- officers -------------------------------------------------------------------


def get_officer(session: Session, officer_id: uuid.UUID) -> Officer:
    officer = session.execute(select(Officer).where(Officer.id == officer_id)).scalar_one_or_none()
    if officer is None:
        raise _not_found("执法人员", "Officer")
    return officer


def validate_officer(
    session: Session, data: dict, officer_id: uuid.UUID | None = None
) -> list[FieldProblem]:
    errors = _domain_errors(data, "certificate_domains")
    if str(data.get("username", "")).startswith(SERVICE_ACCOUNT_PREFIX):
        errors.append(
            FieldProblem(
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
            errors.append(FieldProblem("username", "用户名已被使用。", "The username is taken."))
    number = data.get("certificate_no")
    if number:
        holder = session.execute(
            select(Officer.id).where(Officer.certificate_no == number)
        ).scalar()
        if holder and holder != officer_id:
            errors.append(
                FieldProblem(
                    "certificate_no",
                    f"执法证号 {number} 已登记给其他人员。",
                    f"Certificate {number} is registered to another officer.",
                )
            )
    if number and not data.get("certificate_valid_until") and officer_id is None:
        errors.append(
            FieldProblem(
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
                FieldProblem(
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
) -> FieldProblem | None:
    """Why `granter` may not change an officer of `target_agency` from `before` to
    `after` (tenants/directory/rules.py: grantable_roles), or None."""
    verdict = check_role_change(granter.roles, granter.agency, target_agency, before, after)
    return None if verdict.ok else FieldProblem(field, verdict.zh, verdict.en)


def _refuse_roles(error: FieldProblem) -> Forbidden:
    return Forbidden("role-not-grantable", error.zh, error.en, fields=[error])


def create_officer(session: Session, command: CreateOfficer, granter: Granter) -> Officer:
    """An officer with their roles, if `granter` may give them in that agency; the
    identity provider is asked for the account by a provisioning job."""
    agency = get_agency(session, command.agency_id)
    data = asdict(command)
    roles = list(data.pop("roles"))
    data["certificate_domains"] = list(command.certificate_domains)
    error = role_change_error(granter, agency.code, (), roles)
    if error:
        raise _refuse_roles(error)
    errors = validate_officer(session, data)
    if errors:
        raise Invalid(
            "invalid-officer", "执法人员信息有误。", "The officer is invalid.", fields=errors
        )
    officer = new_officer(data)
    officer.role_assignments = [RoleAssignment(role=r) for r in dict.fromkeys(roles)]
    session.add(officer)
    session.flush()
    provisioning.request(session, "officer", officer.id)
    return officer


def update_officer(session: Session, command: UpdateOfficer) -> Officer:
    officer = get_officer(session, command.officer_id)
    changes = changes_of(command, "officer_id")
    errors = validate_officer(
        session, {**changes, "agency_id": officer.agency_id}, command.officer_id
    )
    if errors:
        raise Invalid(
            "invalid-officer", "执法人员信息有误。", "The officer is invalid.", fields=errors
        )
    if "certificate_domains" in changes:
        changes["certificate_domains"] = list(changes["certificate_domains"])
    for key, value in changes.items():
        setattr(officer, key, value)
    return officer


def set_roles(session: Session, command: ChangeRoles, granter: Granter) -> Officer:
    """Exactly the command's roles, if `granter` may take away and give each of them
    (tenants/directory/rules.py: grantable_roles)."""
    officer = get_officer(session, command.officer_id)
    wanted = list(dict.fromkeys(command.roles))
    agency = get_agency(session, officer.agency_id)
    error = role_change_error(granter, agency.code, officer.roles, wanted)
    if error:
        raise _refuse_roles(error)
    officer.role_assignments = [a for a in officer.role_assignments if a.role in wanted] + [
        RoleAssignment(role=r) for r in wanted if r not in officer.roles
    ]
    provisioning.request(session, "officer", officer.id, "roles")
    return officer


def _at_provider(
    session: Session,
    officer: Officer,
    ask: Callable[[IdentityProvisioner, DistrictRef, OfficerRef], R],
) -> R:
    """Ask the identity provider something about `officer` while the caller waits; a
    provider that cannot be reached is Unavailable, and nothing is written."""
    district = provisioning.district_ref(session, officer.tenant_id)
    try:
        return ask(provisioning.provisioner(), district, provisioning.officer_ref(session, officer))
    except ProvisioningError as exc:
        raise Unavailable(
            "identity-provider-unavailable",
            "身份认证服务暂时无法访问，请稍后再试。",
            "The identity provider cannot be reached; try again later.",
        ) from exc


def set_status(session: Session, command: SetOfficerStatus) -> Officer:
    """Deactivation takes effect at once: the token validator's cache of officers'
    statuses is dropped in every process within a second (platform/auth/cache.py), the
    identity provider ends the officer's sessions and refuses new sign-ins."""
    officer = get_officer(session, command.officer_id)
    officer.status = command.status
    if command.status == OfficerStatus.INACTIVE:
        _at_provider(
            session, officer, lambda idp, district, ref: idp.revoke_sessions(session, district, ref)
        )
    provisioning.request(
        session,
        "officer",
        officer.id,
        "enable" if command.status == OfficerStatus.ACTIVE else "disable",
    )
    return officer


def unlock_sign_in(session: Session, command: UnlockSignIn) -> Unlocked:
    """Lift the lockout (and any wait) that wrong passwords put on the officer's sign-in
    at the identity provider; recorded in the district's audit trail when there was one."""
    from yimen.platform.kernel.audit.recorder import record_event

    officer = get_officer(session, command.officer_id)
    lifted = _at_provider(
        session, officer, lambda idp, district, ref: idp.unlock_sign_in(session, district, ref)
    )
    if lifted is not None:
        record_event(
            session,
            officer.tenant_id,
            "unlock",
            "officer",
            str(officer.id),
            before={"sign_in_failures": lifted.failures, "locked_at": lifted.locked_at},
            after={"sign_in_failures": 0, "locked_at": None},
        )
    return Unlocked(
        id=officer.id,
        username=officer.username,
        was_locked=bool(lifted and lifted.locked_at),
        failures=lifted.failures if lifted else 0,
    )


def locked_user_names(session: Session, officers: list[Officer]) -> set[str]:
    """Which of these officers (of the current district) are locked out of signing in."""
    if not officers:
        return set()
    usernames = [o.username for o in officers]
    return _at_provider(
        session,
        officers[0],
        lambda idp, district, _ref: idp.locked_user_names(session, district, usernames),
    )


def issue_initial_password(session: Session, command: IssueInitialPassword) -> InitialPassword:
    """A random one-time password, answered once: the identity provider keeps it only
    hashed and asks for the officer's own at the first sign-in with it."""
    officer = get_officer(session, command.officer_id)
    password = f"Ym-{secrets.token_urlsafe(12)}"
    _at_provider(
        session,
        officer,
        lambda idp, district, ref: idp.set_initial_password(session, district, ref, password),
    )
    return InitialPassword(officer.username, password)
