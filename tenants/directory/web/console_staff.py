"""Console pages where the administrators keep their people and structure: one officer
(details, roles, status, initial password, lockout), the units, one agency's details.

Every choice comes from a list — roles from the permission table, only those the viewer
may grant (rules.grantable_roles); domains from the catalog (kernel/domains.py) — and
every form goes through the API's schema and the directory's use case: a mistake is
shown under its field, with nothing written.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from yimen.platform.api.problems import Problem
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency, OfficerStatus, UnitKind
from yimen.platform.kernel.domains import DOMAINS
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.permissions import ROLES, requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.directory import service
from yimen.tenants.directory.contracts import (
    ChangeRoles,
    CreateUnit,
    IssueInitialPassword,
    SetOfficerStatus,
    UpdateAgency,
    UpdateOfficer,
    UpdateUnit,
)
from yimen.tenants.directory.rules import grantable_roles
from yimen.tenants.directory.schemas import (
    AgencyUpdateSchema,
    OfficerUpdateSchema,
    UnitSchema,
    UnitUpdateSchema,
)
from yimen.tenants.directory.web.console_views import (
    domain_choices,
    error_status,
    form_errors,
    role_choices,
)
from yimen.tenants.directory.web.views import granter, own_agency_id, visible, within_reach

bp = Blueprint("console_staff", __name__, url_prefix="/console/admin")

UNIT_KINDS: dict[UnitKind, tuple[str, str]] = {
    UnitKind.PROFESSIONAL: ("专业分局", "Specialised branch"),
    UnitKind.TERRITORIAL: ("区域分局(中队)", "Territorial branch or squad"),
    UnitKind.TOWNSHIP_SQUAD: ("乡镇(街道)执法中队", "Township squad"),
    UnitKind.OFFICE: ("内设科室", "Internal office"),
}

# Blank fields of the officer form mean "none" (no unit, no certificate), not "keep".
_OFFICER_FIELDS = ("unit_id", "name", "certificate_no", "certificate_valid_until")


def _refused(exc: Exception) -> bool:
    return error_status(exc) == 403


def _reachable_officer(officer_id):
    officer = visible(service.get_officer(db.session, officer_id), "执法人员", "Officer")
    within_reach(service.get_agency(db.session, officer.agency_id))
    return officer


# --- one officer ------------------------------------------------------------------


@bp.get("/officers/<uuid:officer_id>")
@requires("directory.officer.write")
def officer(officer_id, errors=None, status=200, issued=None):
    """One officer: details, roles, status, initial password and lockout."""
    found = _reachable_officer(officer_id)
    agency = service.get_agency(db.session, found.agency_id)
    identity = current_identity()
    grantable = grantable_roles(identity.roles, identity.agency, agency.code)
    posted = errors is not None and request.method == "POST"
    form = request.form if posted else None
    response = make_response(
        render_template(
            "admin/officer.html",
            officer=found,
            agency=agency,
            unit_rows=db.session.execute(service.unit_query(found.agency_id)).scalars().all(),
            roles=role_choices(grantable),
            held_elsewhere=[ROLES.get(r, (r, r)) for r in found.roles if r not in grantable],
            checked_roles=form.getlist("roles") if form and "roles_form" in form else found.roles,
            domains=domain_choices(),
            domain_names=DOMAINS,
            checked_domains=(
                form.getlist("certificate_domains")
                if form and "details_form" in form
                else found.certificate_domains
            ),
            values=form if form and "details_form" in form else _officer_values(found),
            locked=found.username in service.locked_user_names(db.session, [found]),
            errors=errors or {},
            issued=issued,
            saved=request.args.get("saved"),
        ),
        status,
    )
    if issued is not None:  # a password shown once is never kept by a cache
        response.headers["Cache-Control"] = "no-store"
    return response


def _officer_values(found) -> dict:
    return {
        "name": found.name,
        "unit_id": str(found.unit_id) if found.unit_id else "",
        "certificate_no": found.certificate_no or "",
        "certificate_valid_until": (
            found.certificate_valid_until.isoformat() if found.certificate_valid_until else ""
        ),
    }


def _officer_changes() -> dict:
    """The details form as the API's PATCH body: every field it shows is sent, a blank
    one as none, and no domain ticked as no domain."""
    data: dict = {k: request.form.get(k, "").strip() or None for k in _OFFICER_FIELDS}
    if data["name"] is None:
        data["name"] = ""  # required: the schema says so under the field
    data["certificate_domains"] = request.form.getlist("certificate_domains")
    return data


def _run(officer_id, work, saved: str):
    """Run a use case for the officer page; a mistake shows the page again with the
    messages under their fields (422), nothing written; a refusal is a 403."""
    try:
        work()
    except (ma.ValidationError, Problem, DomainError) as exc:
        db.session.rollback()
        if _refused(exc):
            raise
        return officer(officer_id, errors=form_errors(exc), status=error_status(exc))
    return redirect(url_for("console_staff.officer", officer_id=officer_id, saved=saved))


@bp.post("/officers/<uuid:officer_id>")
@requires("directory.officer.write")
def save_officer(officer_id):
    _reachable_officer(officer_id)

    def work():
        changes = OfficerUpdateSchema().load(_officer_changes())
        command = UpdateOfficer(officer_id, **changes)
        uow.run(current_tenant_id(), service.update_officer, command)

    return _run(officer_id, work, "details")


@bp.post("/officers/<uuid:officer_id>/roles")
@requires("directory.roles.write")
def save_roles(officer_id):
    """Exactly the ticked roles, with those the viewer may not grant kept as they are."""
    found = _reachable_officer(officer_id)
    agency = service.get_agency(db.session, found.agency_id)
    identity = current_identity()
    grantable = grantable_roles(identity.roles, identity.agency, agency.code)
    kept = [r for r in found.roles if r not in grantable]
    wanted = kept + [r for r in request.form.getlist("roles") if r not in kept]

    def work():
        uow.run(current_tenant_id(), service.set_roles, ChangeRoles(officer_id, wanted), granter())

    return _run(officer_id, work, "roles")


@bp.post("/officers/<uuid:officer_id>/status")
@requires("directory.officer.write")
def save_status(officer_id):
    """Deactivate (signing in and every token stop at once) or reactivate."""
    _reachable_officer(officer_id)
    try:
        status = OfficerStatus(request.form.get("status", ""))
    except ValueError:
        zh, en = "请选择启用或停用。", "Choose active or inactive."
        return officer(officer_id, errors={"status": (zh, en)}, status=422)

    def work():
        command = SetOfficerStatus(officer_id, status)
        uow.run(current_tenant_id(), service.set_status, command)

    return _run(officer_id, work, status.value)


@bp.post("/officers/<uuid:officer_id>/initial-password")
@requires("directory.officer.write")
def issue_password(officer_id):
    """A one-time password, shown on this answer only (never in a URL or a later page)."""
    _reachable_officer(officer_id)
    try:
        issued = uow.run(
            current_tenant_id(), service.issue_initial_password, IssueInitialPassword(officer_id)
        )
    except (Problem, DomainError) as exc:
        db.session.rollback()
        if _refused(exc):
            raise
        return officer(officer_id, errors=form_errors(exc), status=error_status(exc))
    return officer(officer_id, issued=issued)


# --- units ------------------------------------------------------------------------


@bp.get("/units")
@requires("directory.unit.write")
def units(errors=None, values=None, status=200):
    """The units of the agencies the viewer administers, to add and rename."""
    own = own_agency_id()
    agency_rows = db.session.execute(select(Agency).order_by(Agency.code)).scalars().all()
    agencies = [a for a in agency_rows if own is None or a.id == own]
    rows = db.session.execute(service.unit_query(own)).scalars().all()
    return render_template(
        "admin/units.html",
        rows=rows,
        agencies=agencies,
        agency_names={a.id: a.name for a in agency_rows},
        unit_names={u.id: u.name for u in rows},
        kinds=UNIT_KINDS,
        errors=errors or {},
        values=values or {},
        saved=request.args.get("saved"),
        failed_unit=request.view_args.get("unit_id") if errors else None,
    ), status


def _unit_form(keys: tuple[str, ...]) -> dict:
    return {k: request.form[k].strip() for k in keys if request.form.get(k, "").strip()}


@bp.post("/units")
@requires("directory.unit.write")
def add_unit():
    try:
        data = UnitSchema().load(_unit_form(("agency_id", "parent_id", "name", "kind", "grid")))
        within_reach(service.get_agency(db.session, data["agency_id"]))
        created = uow.run(current_tenant_id(), service.create_unit, CreateUnit(**data))
    except (ma.ValidationError, Problem, DomainError) as exc:
        db.session.rollback()
        if _refused(exc):
            raise
        return units(errors=form_errors(exc), values=request.form, status=422)
    return redirect(url_for("console_staff.units", saved=created.name))


@bp.post("/units/<uuid:unit_id>")
@requires("directory.unit.write")
def rename_unit(unit_id):
    """A new name (and kind) for a unit; the officers and cases under it keep it."""
    unit = visible(service.get_unit(db.session, unit_id), "单位", "Unit")
    within_reach(service.get_agency(db.session, unit.agency_id))
    try:
        changes = UnitUpdateSchema().load(_unit_form(("name", "kind")))
        renamed = uow.run(current_tenant_id(), service.update_unit, UpdateUnit(unit_id, **changes))
    except (ma.ValidationError, Problem, DomainError) as exc:
        db.session.rollback()
        if _refused(exc):
            raise
        return units(errors=form_errors(exc), values=request.form, status=422)
    return redirect(url_for("console_staff.units", saved=renamed.name))


# --- one agency -------------------------------------------------------------------


@bp.get("/agencies/<uuid:agency_id>")
@requires("directory.agency.update")
def agency(agency_id, errors=None, status=200):
    """An agency's name, enforcement domains (from the catalog), prefix and quota."""
    found = service.get_agency(db.session, agency_id)
    posted = errors is not None
    return render_template(
        "admin/agency.html",
        agency=found,
        domains=domain_choices(),
        checked_domains=request.form.getlist("domains") if posted else found.domains,
        values=request.form if posted else _agency_values(found),
        errors=errors or {},
        saved=request.args.get("saved") == "1",
    ), status


def _agency_values(found: Agency) -> dict:
    return {
        "name": found.name,
        "name_en": found.name_en,
        "doc_prefix": found.doc_prefix,
        "staffing_quota": str(found.staffing_quota),
        "has_compulsory_power": "on" if found.has_compulsory_power else "",
    }


@bp.post("/agencies/<uuid:agency_id>")
@requires("directory.agency.update")
def save_agency(agency_id):
    service.get_agency(db.session, agency_id)
    # every field the form shows is sent: a blank English name or prefix clears it
    form: dict = {k: request.form.get(k, "").strip() for k in ("name", "name_en", "doc_prefix")}
    if request.form.get("staffing_quota", "").strip():
        form["staffing_quota"] = request.form["staffing_quota"].strip()
    form["domains"] = request.form.getlist("domains")
    form["has_compulsory_power"] = request.form.get("has_compulsory_power") == "on"
    try:
        changes = AgencyUpdateSchema().load(form)
        command = UpdateAgency(agency_id, **changes)
        uow.run(current_tenant_id(), service.update_agency, command)
    except (ma.ValidationError, Problem, DomainError) as exc:
        db.session.rollback()
        if _refused(exc):
            raise
        return agency(agency_id, errors=form_errors(exc), status=422)
    return redirect(url_for("console_staff.agency", agency_id=agency_id, saved=1))
