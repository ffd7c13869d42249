"""Public pages of the one door: the complaint form and the progress page."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from yimen.platform.api.limits import limiter
from yimen.platform.api.problems import FieldError, Problem, field_errors
from yimen.platform.intake import attachments, service
from yimen.platform.intake.service import SHANGHAI
from yimen.platform.intake.web.public_views import ComplaintSchema, file_complaint, form_input
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.permissions import public
from yimen.platform.web.blobs import accepts_uploads
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
@accepts_uploads(attachments.max_body)
@limiter.limit(lambda: current_app.config.get("YIMEN_PUBLIC_RATE_LIMIT", "20 per hour"))
def complaint_submit(slug: str):
    tenant = district_or_404(slug)
    raw, files = form_input()
    raw["anonymous"] = "anonymous" in request.form
    try:
        data = ComplaintSchema().load(raw)
        receipt = file_complaint(tenant.id, data, files)
    except ma.ValidationError as err:
        return _form_again(slug, field_errors(err.messages))
    except Problem as problem:
        if not any(e.field == attachments.FIELD for e in problem.errors):
            raise
        return _form_again(slug, problem.errors)
    return render_template(
        "public/complaint_done.html",
        tenant=tenant,
        code=receipt["receipt_code"],
        agency=receipt["agency"],
        joined=receipt["status"] == "merged",
        anonymous=data["anonymous"],
    ), 201


def _form_again(slug: str, errors: list[FieldError]):
    """The form with each field's message; the photos have to be chosen again."""
    return complaint_form(
        slug, errors={e.field: (e.message, e.message_en) for e in errors}, status=422
    )


@bp.get("/progress")
@public
@limiter.limit("60 per hour")
def progress(slug: str, message=None, status_code=None):
    tenant = district_or_404(slug)
    code, phone4 = (
        request.values.get("code", "").strip().upper(),
        request.values.get("phone4", "").strip(),
    )
    view, not_found = None, False
    if code:
        with tenant_scope(tenant.id), db.new_session() as s:
            clue = service.find_for_complainant(s, code, phone4)
            if clue is None:
                not_found = True
            else:
                view = service.progress(s, clue)
    return render_template(
        "public/progress.html",
        tenant=tenant,
        code=code,
        phone4=phone4,
        view=view,
        not_found=not_found,
        message=message,
        tz=SHANGHAI,
    ), status_code or (404 if not_found else 200)


@bp.post("/progress/feedback")
@public
@limiter.limit("30 per hour")
def feedback(slug: str):
    """The complainant says whether the problem is solved, and rates the handling."""
    tenant = district_or_404(slug)
    from yimen.platform.intake.web.public_views import FeedbackSchema

    raw = {
        k: v.strip()
        for k, v in request.form.items()
        if k in ("code", "phone4", "satisfaction", "comment") and v.strip()
    }
    raw["resolved"] = request.form.get("resolved") == "yes"
    try:
        data = FeedbackSchema().load(raw)
    except ma.ValidationError as err:
        first = field_errors(err.messages)[0]
        return progress(slug, message=(first.message, first.message_en), status_code=422)
    with tenant_scope(tenant.id), db.new_session() as s:
        clue = service.find_for_complainant(s, data["code"], data.get("phone4"))
        if clue is None:
            return progress(slug, status_code=404)
        try:
            service.feedback(s, clue, data["resolved"], data.get("satisfaction"), data["comment"])
        except Problem as problem:
            return progress(slug, message=(problem.detail, problem.detail_en), status_code=409)
    thanks = (
        ("感谢您的评价。", "Thank you for your rating.")
        if data["resolved"]
        else ("已重新交承办部门办理。", "Sent back to the handling agency.")
    )
    return progress(slug, message=thanks)


@bp.errorhandler(Problem)
def _problem(problem: Problem):
    from yimen.platform.web.pages import problem_page

    return problem_page(problem)
