"""Console pages for district administrators: agencies, officers and the district's
settings.

The forms go through the same schemas and use cases as the API, so a mistake reads
the same here as in a problem+json answer: field by field, in Chinese (English with
?lang=en), and nothing is written.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from yimen.platform.api.paging import paginate
from yimen.platform.api.problems import Problem, field_errors, problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import AGENCY_KIND_LABELS, Agency, AgencyKind
from yimen.platform.kernel.domains import DOMAINS
from yimen.platform.kernel.errors import DomainError, Forbidden
from yimen.platform.kernel.permissions import ROLES, requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.directory import district_settings, service
from yimen.tenants.directory.contracts import CreateAgency, CreateOfficer, UnlockSignIn
from yimen.tenants.directory.rules import grantable_roles
from yimen.tenants.directory.schemas import AgencyCreateSchema, OfficerCreateSchema
from yimen.tenants.directory.web.views import granter, own_agency_id, within_reach

bp = Blueprint("console_admin", __name__, url_prefix="/console/admin")
PAGE_SIZE = 50


def _form_data(schema: ma.Schema, lists: tuple[str, ...] = ()) -> dict:
    """The posted form as the API's JSON body: blanks dropped, lists split, flags as booleans."""
    data = {}
    for key, value in request.form.items():
        if key == "csrf_token" or value.strip() == "":
            continue
        if key in lists:  # one box with commas, or one checkbox per value
            data[key] = [
                v.strip()
                for each in request.form.getlist(key)
                for v in each.replace("，", ",").split(",")
                if v.strip()
            ]
        elif isinstance(schema.fields.get(key), ma.fields.Boolean):
            data[key] = value in ("on", "true", "1")
        else:
            data[key] = value.strip()
    return data


def form_errors(exc: Exception) -> dict[str, tuple[str, str]]:
    if isinstance(exc, DomainError):
        exc = problem_of(exc)
    items = field_errors(exc.messages) if isinstance(exc, ma.ValidationError) else exc.errors
    if isinstance(exc, Problem) and not exc.errors:
        return {"_schema": (exc.detail, exc.detail_en)}
    shown: dict[str, tuple[str, str]] = {}
    for e in items:  # a list's item ("roles.1") is shown under the list's field
        shown.setdefault(e.field.split(".")[0], (e.message, e.message_en))
    return shown


def error_status(exc: Exception) -> int:
    if isinstance(exc, DomainError):
        return problem_of(exc).status
    return exc.status if isinstance(exc, Problem) else 422


def domain_choices() -> list[tuple[str, str, str]]:
    """The catalog's enforcement domains as (code, Chinese, English), for checkboxes."""
    return [(code, zh, en) for code, (zh, en) in DOMAINS.items()]


def role_choices(grantable) -> list[tuple[str, str, str]]:
    """The permission table's roles the viewer may grant, as (code, Chinese, English)."""
    return [(r, zh, en) for r, (zh, en) in ROLES.items() if r in grantable]


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _submit(schema: ma.Schema, lists: tuple[str, ...], create, page_view, endpoint: str):
    """Create through the same schema and use case as the API; on a mistake show the
    page again with field-level messages and nothing written."""
    try:
        created = create(schema.load(_form_data(schema, lists)))
    except (ma.ValidationError, Problem, DomainError) as exc:
        db.session.rollback()
        if isinstance(exc, Problem | Forbidden) and error_status(exc) == 403:
            raise
        return page_view(errors=form_errors(exc), values=request.form, status=422)
    return redirect(url_for(endpoint, created=created.name))


@bp.get("/agencies")
@requires("directory.read")
def agencies(errors=None, values=None, status=200):
    rows = paginate(db.session, service.agency_query(), _page(), PAGE_SIZE)
    return render_template(
        "admin/agencies.html",
        page=rows,
        kinds=AGENCY_KIND_LABELS,
        kind_choices=list(AgencyKind),
        domains=domain_choices(),
        domain_names=DOMAINS,
        checked_domains=request.form.getlist("domains") if values else [],
        errors=errors or {},
        values=values or {},
        created=request.args.get("created"),
    ), status


@bp.post("/agencies")
@requires("directory.agency.create")
def add_agency():
    def create(data):
        return uow.run(current_tenant_id(), service.create_agency, CreateAgency(**data))

    return _submit(AgencyCreateSchema(), ("domains",), create, agencies, "console_admin.agencies")


@bp.get("/officers")
@requires("directory.read")
def officers(errors=None, values=None, status=200):
    own = own_agency_id()
    query = service.officer_query(q=request.args.get("q") or None, agency_id=own)
    rows = paginate(db.session, query, _page(), PAGE_SIZE)
    agency_rows = db.session.execute(select(Agency).order_by(Agency.code)).scalars().all()
    identity = current_identity()
    # The form offers only the roles the viewer may grant (an agency administrator: to
    # officers of its own agency, the only agency the form offers it).
    grantable = grantable_roles(identity.roles, identity.agency, identity.agency)
    return render_template(
        "admin/officers.html",
        page=rows,
        roles=role_choices(grantable),
        checked=request.form.getlist("roles") if values else ["officer"],
        domains=domain_choices(),
        domain_names=DOMAINS,
        checked_domains=request.form.getlist("certificate_domains") if values else [],
        locked=service.locked_user_names(db.session, list(rows["items"])),
        unlocked=request.args.get("unlocked"),
        agencies=[a for a in agency_rows if own is None or a.id == own],
        agency_names={a.id: a.name for a in agency_rows},
        can_manage=bool({"district_admin", "agency_admin"} & set(identity.roles)),
        errors=errors or {},
        values=values or {},
        created=request.args.get("created"),
    ), status


@bp.post("/officers")
@requires("directory.officer.write")
def add_officer():
    def create(data):
        within_reach(service.get_agency(db.session, data["agency_id"]))
        command = CreateOfficer(**data)
        return uow.run(current_tenant_id(), service.create_officer, command, granter())

    lists = ("certificate_domains", "roles")
    return _submit(OfficerCreateSchema(), lists, create, officers, "console_admin.officers")


@bp.post("/officers/<uuid:officer_id>/unlock")
@requires("directory.officer.unlock")
def unlock_officer(officer_id):
    """The district administrator lifts a sign-in lockout (the API's /officers/<id>/unlock)."""
    within_reach(
        service.get_agency(db.session, service.get_officer(db.session, officer_id).agency_id)
    )
    lifted = uow.run(current_tenant_id(), service.unlock_sign_in, UnlockSignIn(officer_id))
    return redirect(url_for("console_admin.officers", unlocked=lifted.username))


@bp.get("/provisioning")
@requires("provisioning.read")
def provisioning():
    """The state of identity provisioning jobs, failures first."""
    from yimen.tenants.identity.model import ProvisioningTask

    query = select(ProvisioningTask).order_by(
        (ProvisioningTask.status == "failed").desc(), ProvisioningTask.created_at.desc()
    )
    rows = paginate(db.session, query, _page(), PAGE_SIZE)
    return render_template("admin/provisioning.html", page=rows)


@bp.post("/provisioning/<uuid:task_id>/retry")
@requires("provisioning.retry")
def retry_provisioning(task_id):
    from yimen.tenants.identity import tasks
    from yimen.tenants.identity.model import ProvisioningTask

    task = db.session.execute(
        select(ProvisioningTask).where(ProvisioningTask.id == task_id)
    ).scalar_one_or_none()
    if task is not None and task.status != "done":
        tasks.redrive(db.session, task)
    return redirect(url_for("console_admin.provisioning"))


@bp.get("/settings")
@requires("district.settings.read")
def settings(errors=None, values=None, status=200):
    """The district's settings: each with its meaning, default and the value in force."""
    tenant = district_settings.current_district(db.session)
    return render_template(
        "admin/settings.html",
        settings=district_settings.describe(tenant),
        errors=errors or {},
        values=values,
        saved=request.args.get("saved") == "1",
    ), status


def _setting_form() -> dict:
    """The posted form as the API's PATCH body: a blank field restores the default, a
    number field is a number when it reads as one (otherwise the registry says why)."""
    changes = {}
    for key, setting in district_settings.REGISTRY.items():
        if key not in request.form:
            continue
        value = request.form[key].strip()
        if value == "":
            changes[key] = None
        elif setting.kind == district_settings.INTEGER and value.lstrip("-").isdigit():
            changes[key] = int(value)
        else:
            changes[key] = value
    return changes


@bp.post("/settings")
@requires("district.settings.write")
def save_settings():
    try:
        uow.run(current_tenant_id(), district_settings.update_settings, _setting_form())
    except (Problem, DomainError) as exc:
        db.session.rollback()
        if error_status(exc) == 403:
            raise
        return settings(errors=form_errors(exc), values=request.form, status=422)
    return redirect(url_for("console_admin.settings", saved=1))
