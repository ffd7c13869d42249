"""Console pages for district administrators: agencies and officers.

The forms go through the same schemas and use cases as the API, so a mistake reads
the same here as in a problem+json answer: field by field, in Chinese (English with
?lang=en), and nothing is written.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from yimen.platform.api.paging import paginate
from yimen.platform.api.problems import Problem, field_errors
from yimen.platform.auth.permissions import requires
from yimen.platform.db import db
from yimen.tenants.directory import service
from yimen.tenants.directory.model import AGENCY_KIND_LABELS, Agency, AgencyKind
from yimen.tenants.directory.schemas import AgencyCreateSchema, OfficerCreateSchema

bp = Blueprint("console_admin", __name__, url_prefix="/console/admin")
PAGE_SIZE = 50


def _form_data(schema: ma.Schema, lists: tuple[str, ...] = ()) -> dict:
    """The posted form as the API's JSON body: blanks dropped, lists split, flags as booleans."""
    data = {}
    for key, value in request.form.items():
        if key == "csrf_token" or value.strip() == "":
            continue
        if key in lists:
            data[key] = [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
        elif isinstance(schema.fields.get(key), ma.fields.Boolean):
            data[key] = value in ("on", "true", "1")
        else:
            data[key] = value.strip()
    return data


def _errors(exc: Exception) -> dict[str, tuple[str, str]]:
    items = field_errors(exc.messages) if isinstance(exc, ma.ValidationError) else exc.errors
    if isinstance(exc, Problem) and not exc.errors:
        return {"_schema": (exc.detail, exc.detail_en)}
    return {e.field: (e.message, e.message_en) for e in items}


@bp.get("/agencies")
@requires("directory.read")
def agencies(errors=None, values=None, status=200):
    rows = paginate(db.session, service.agency_query(), int(request.args.get("page", 1)), PAGE_SIZE)
    return render_template(
        "admin/agencies.html",
        page=rows,
        kinds=AGENCY_KIND_LABELS,
        kind_choices=list(AgencyKind),
        errors=errors or {},
        values=values or {},
        created=request.args.get("created"),
    ), status


@bp.post("/agencies")
@requires("directory.agency.create")
def add_agency():
    schema = AgencyCreateSchema()
    raw = _form_data(schema, lists=("domains",))
    try:
        agency = service.create_agency(db.session, schema.load(raw))
    except (ma.ValidationError, Problem) as exc:
        db.session.rollback()
        return agencies(errors=_errors(exc), values=request.form, status=422)
    return redirect(url_for("console_admin.agencies", created=agency.name))


@bp.get("/officers")
@requires("directory.read")
def officers(errors=None, values=None, status=200):
    rows = paginate(
        db.session,
        service.officer_query(q=request.args.get("q") or None),
        int(request.args.get("page", 1)),
        PAGE_SIZE,
    )
    agency_rows = db.session.execute(select(Agency).order_by(Agency.code)).scalars().all()
    names = {a.id: a.name for a in agency_rows}
    return render_template(
        "admin/officers.html",
        page=rows,
        agencies=agency_rows,
        agency_names=names,
        errors=errors or {},
        values=values or {},
        created=request.args.get("created"),
    ), status


@bp.post("/officers")
@requires("directory.officer.write")
def add_officer():
    schema = OfficerCreateSchema()
    raw = _form_data(schema, lists=("certificate_domains", "roles"))
    try:
        officer = service.create_officer(db.session, schema.load(raw))
    except (ma.ValidationError, Problem) as exc:
        db.session.rollback()
        return officers(errors=_errors(exc), values=request.form, status=422)
    return redirect(url_for("console_admin.officers", created=officer.name))


@bp.get("/provisioning")
@requires("provisioning.read")
def provisioning():
    """The state of identity provisioning jobs, failures first."""
    from yimen.tenants.identity.model import ProvisioningTask

    query = select(ProvisioningTask).order_by(
        (ProvisioningTask.status == "failed").desc(), ProvisioningTask.created_at.desc()
    )
    rows = paginate(db.session, query, int(request.args.get("page", 1)), PAGE_SIZE)
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
