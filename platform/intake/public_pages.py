"""Public pages of the one door: the complaint form and the progress page."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from yimen.platform.api.limits import limiter
from yimen.platform.api.problems import Problem, field_errors
from yimen.platform.auth.permissions import public
from yimen.platform.db import db, tenant_scope
from yimen.platform.intake import service
from yimen.platform.intake.model import Clue, Source
from yimen.platform.intake.public_views import ACTION_LABELS, ComplaintSchema
from yimen.platform.intake.service import SHANGHAI
from yimen.tenants.directory.model import Agency
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption

bp = Blueprint("public_pages", __name__, url_prefix="/t/<slug>")


def _matters(tenant_id):
    with tenant_scope(tenant_id), db.new_session() as s:
        return s.execute(
            select(EnforcementMatter.code, EnforcementMatter.name)
            .join(MatterAdoption, MatterAdoption.matter_id == EnforcementMatter.id)
            .order_by(EnforcementMatter.code)
        ).all()


@bp.get("/complaint")
@public
def complaint_form(slug: str, errors=None, status=200):
    tenant = district_or_404(slug)
    return render_template(
        "public/complaint.html",
        tenant=tenant,
        matters=_matters(tenant.id),
        errors=errors or {},
        values=request.form if errors else {},
    ), status


@bp.post("/complaint")
@public
@limiter.limit(lambda: current_app.config.get("YIMEN_PUBLIC_RATE_LIMIT", "20 per hour"))
def complaint_submit(slug: str):
    tenant = district_or_404(slug)
    raw = {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}
    raw["anonymous"] = "anonymous" in request.form
    try:
        data = ComplaintSchema().load(raw)
    except ma.ValidationError as err:
        return complaint_form(
            slug,
            errors={e.field: (e.message, e.message_en) for e in field_errors(err.messages)},
            status=422,
        )
    fields = service.complaint_fields(data)
    with tenant_scope(tenant.id), db.new_session() as s:
        clue = service.register(s, fields, Source.PUBLIC_WEB.value, "public")
        agency = (
            s.execute(select(Agency.name).where(Agency.id == clue.agency_id)).scalar()
            if clue.agency_id
            else None
        )
        return render_template(
            "public/complaint_done.html",
            tenant=tenant,
            code=clue.receipt_code,
            agency=agency,
            anonymous=data["anonymous"],
        ), 201


@bp.get("/progress")
@public
@limiter.limit("60 per hour")
def progress(slug: str):
    tenant = district_or_404(slug)
    code, phone4 = (
        request.args.get("code", "").strip().upper(),
        request.args.get("phone4", "").strip(),
    )
    steps, not_found, status = None, False, None
    if code:
        with tenant_scope(tenant.id), db.new_session() as s:
            clue = s.execute(select(Clue).where(Clue.receipt_code == code)).scalar_one_or_none()
            if clue is None or (not clue.anonymous and clue.complainant_phone[-4:] != phone4):
                not_found = True
            else:
                names = dict(s.execute(select(Agency.id, Agency.name)).all())
                status = clue.status
                steps = [
                    (ACTION_LABELS[st.action], names.get(st.agency_id), st.at)
                    for st in clue.steps
                    if st.action in ACTION_LABELS
                ]
    return render_template(
        "public/progress.html",
        tenant=tenant,
        code=code,
        steps=steps,
        not_found=not_found,
        status=status,
        tz=SHANGHAI,
    ), (404 if not_found else 200)


@bp.errorhandler(Problem)
def _problem(problem: Problem):
    from yimen.platform.web.pages import problem_page

    return problem_page(problem)
