"""Public pages of the one door: the complaint form and the progress page.

The complainant chooses the agency, or "not sure" (seed 000: 群众在投诉时可以自行选择接受
投诉机关); not sure goes to the matter's holder on the power list, and to the legal-affairs
office only when no matter, or none held, was chosen. The progress check posts the phone's
last four digits in the form body: personal data stays out of URLs, browser history and
access logs."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from yimen.platform.api.limits import limiter
from yimen.platform.api.problems import FieldError, Problem, field_errors, problem_of
from yimen.platform.intake import attachments, service
from yimen.platform.intake.service import SHANGHAI
from yimen.platform.intake.web.public_views import (
    ComplaintSchema,
    feedback_command,
    file_complaint,
    form_input,
)
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import DomainError, NotFound
from yimen.platform.kernel.permissions import public
from yimen.platform.web.blobs import accepts_uploads
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers.matters import adopted_by_domain

bp = Blueprint("public_pages", __name__, url_prefix="/t/<slug>")


def _choices(tenant_id) -> dict:
    """The matters by domain, and the agencies a complainant may choose."""
    with tenant_scope(tenant_id), db.new_session() as s:
        agencies = s.execute(
            select(Agency.id, Agency.name)
            .where(Agency.kind.in_(service.HANDLING_KINDS))
            .order_by(Agency.code)
        ).all()
        return {"groups": adopted_by_domain(s), "handlers": agencies}


@bp.get("/complaint")
@public
def complaint_form(slug: str, errors=None, status=200):
    tenant = district_or_404(slug)
    return render_template(
        "public/complaint.html",
        tenant=tenant,
        **_choices(tenant.id),
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
    except DomainError as refused:
        problem = problem_of(refused)
        if problem.status != 422 or not problem.errors:
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


@bp.route("/progress", methods=["GET", "POST"])
@public
@limiter.limit("60 per hour")
def progress(slug: str, message=None, status_code=None):
    """The complainant's progress: the receipt code and the phone's last four digits come
    in the form's body (POST). A GET looks up the code alone (an anonymous complaint); a
    GET carrying phone digits is sent back to the form without them."""
    tenant = district_or_404(slug)
    if request.method == "GET" and "phone4" in request.args:
        code = request.args.get("code", "").strip().upper()
        again = url_for("public_pages.progress", slug=slug, code=code or None, digits=1)
        return redirect(again, 303)
    if request.method == "GET" and request.args.get("digits") == "1":
        message = (
            "请在下方输入手机尾号后四位再查询 (手机号码不放在网址中)。",
            "Enter the phone's last four digits below (they are not put in the address).",
        )
    code, phone4 = (
        request.values.get("code", "").strip().upper(),
        request.form.get("phone4", "").strip(),
    )
    view, not_found = None, False
    if code and request.args.get("digits") != "1":
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
    try:
        service.intake.give_feedback(feedback_command(tenant.id, data))
    except NotFound:
        return progress(slug, status_code=404)
    except DomainError as refused:
        problem = problem_of(refused)
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


@bp.errorhandler(DomainError)
def _refused(error: DomainError):
    return _problem(problem_of(error))
