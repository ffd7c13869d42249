"""Console pages that complete a case's filing data: a draft's form (a clue turned into a
case arrives with its facts only: the matter, the party and the officers are chosen
here before the head's approval), and a filed case's party corrected before the
decision, with the reason, into the record.

Both go through the engine's use cases (`service.complete_draft`, the `correct_party`
action through `registry.act`): a mistake re-renders the page with the message under
its field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import uuid

import marshmallow as ma
from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from yimen.platform.api.problems import Problem, problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases import registry as actions
from yimen.platform.cases import service
from yimen.platform.cases.procedure.parties import FIELDS as PARTY_FIELD_NAMES
from yimen.platform.cases.record.model import Case, CaseStatus
from yimen.platform.cases.schemas import DraftUpdate, _mask_id, _mask_phone
from yimen.platform.cases.web.console_views import (
    DRAFT_FIELDS,
    DRAFT_FLAGS,
    PARTY_FIELDS,
    PARTY_KINDS,
    _draft_errors,
    _status,
)
from yimen.platform.kernel.db import db
from yimen.platform.kernel.directory import Officer, OfficerStatus
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.permissions import requires
from yimen.tenants.directory.rules import may_handle
from yimen.tenants.powers.matters import adopted_by_domain, matter_names
from yimen.tenants.powers.model import EnforcementMatter

bp = Blueprint("console_drafts", __name__, url_prefix="/console/cases")

KEPT_IF_BLANK = ("id_number", "phone")  # shown masked; left blank, the number is kept


def _case(case_id: uuid.UUID) -> Case:
    return service.get_case(db.session, case_id)


def qualified_officers(case: Case, domain: str, on: dt.date) -> list[Officer]:
    """The officers the case may be given (处罚法 第四十二条): the agency's, active, with a
    certificate valid today that covers the matter's domain (any domain until the matter
    is chosen); no legal reviewer, whose review is kept apart (第五十八条)."""
    rows = db.session.execute(
        select(Officer)
        .where(
            Officer.agency_id == case.agency_id,
            Officer.certificate_no.is_not(None),
            Officer.status == OfficerStatus.ACTIVE,
        )
        .order_by(Officer.username)
    ).scalars()
    found = []
    for officer in rows:
        if "legal_reviewer" in officer.roles:
            continue
        cert = service.certificate_of(officer)
        domains = (domain,) if domain else cert.domains
        if any(may_handle(cert, d, on).ok for d in domains):
            found.append(officer)
    return found


# --- a draft's form -------------------------------------------------------------------


def _values_of(case: Case) -> MultiDict:
    values: MultiDict = MultiDict()
    for key in DRAFT_FIELDS:
        value = getattr(case, key)
        values[key] = value.isoformat() if isinstance(value, dt.date) else (value or "")
    for key in DRAFT_FLAGS:
        if getattr(case, key):
            values[key] = "1"
    if case.parties:
        party = case.parties[0]
        values["party_kind"] = party.kind
        for key in PARTY_FIELDS:
            values[f"party_{key}"] = "" if key in KEPT_IF_BLANK else getattr(party, key) or ""
        if party.credit_code_confirmed:
            values["party_credit_code_confirmed"] = "1"
    for co in case.officers:
        values.add("officer_ids", str(co.officer_id))
    return values


@bp.get("/<uuid:case_id>/draft")
@requires("cases.handle")
def draft(case_id: uuid.UUID, errors=None, values=None, status=200):
    """完善立案信息: the matter, the party, the officers of a draft, for the head's approval."""
    case = _case(case_id)
    if case.status != CaseStatus.DRAFT.value:
        return redirect(url_for("console_cases.detail", case_id=case.id))
    values = values if values is not None else _values_of(case)
    domain = _domain_of(values.get("matter_code") or case.matter_code)
    first = case.parties[0] if case.parties else None
    groups = adopted_by_domain(db.session)
    return render_template(
        "console/cases/draft.html",
        case=case,
        groups=groups,
        domain=next((g.label for g in groups if g.domain == domain), None),
        officers=qualified_officers(case, domain, service.today()),
        chosen=set(values.getlist("officer_ids")),
        party_kinds=PARTY_KINDS,
        kept={"id_number": _mask_id(first.id_number), "phone": _mask_phone(first.phone)}
        if first
        else {},
        errors=errors or {},
        values=values,
    ), status


def _domain_of(code: str | None) -> str:
    if not code:
        return ""
    found = db.session.execute(
        select(EnforcementMatter.domain).where(EnforcementMatter.code == code)
    ).scalar_one_or_none()
    return found or ""


def _draft_body(case: Case) -> dict:
    """The posted form as the API's PATCH body (DraftUpdate): the first party from the
    form, any further party of the draft kept as it is."""
    form = request.form
    data: dict = {k: form.get(k, "").strip() for k in DRAFT_FIELDS if form.get(k, "").strip()}
    data.update({k: bool(form.get(k)) for k in DRAFT_FLAGS})
    first = case.parties[0] if case.parties else None
    party = {k: form.get(f"party_{k}", "").strip() for k in PARTY_FIELDS}
    for key in KEPT_IF_BLANK:
        if not party[key] and first is not None:
            party[key] = getattr(first, key) or ""
    party = {k: v for k, v in party.items() if v}
    if party:
        party["kind"] = form.get("party_kind", "")
        party["credit_code_confirmed"] = bool(form.get("party_credit_code_confirmed"))
    data["parties"] = ([party] if party else []) + [_as_body(p) for p in case.parties[1:]]
    data["officer_ids"] = [v for v in form.getlist("officer_ids") if v]
    data["version"] = form.get("version", "")
    return data


def _as_body(party) -> dict:
    body = {k: getattr(party, k) for k in PARTY_FIELDS if getattr(party, k)}
    return {**body, "kind": party.kind, "credit_code_confirmed": party.credit_code_confirmed}


@bp.post("/<uuid:case_id>/draft")
@requires("cases.handle")
def complete(case_id: uuid.UUID):
    case = _case(case_id)
    try:
        data = DraftUpdate().load(_draft_body(case))
        version = data.pop("version")
        try:
            service.complete_draft(db.session, case, data, version)
        except DomainError as error:  # the engine speaks the domain; the page, problem+json
            raise problem_of(error) from error
    except (ma.ValidationError, Problem) as exc:
        db.session.rollback()
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise
        return draft(case_id, errors=_draft_errors(exc), values=request.form, status=_status(exc))
    return redirect(url_for("console_cases.detail", case_id=case_id, done="completed"))


# --- a filed case's party corrected ---------------------------------------------------


@bp.get("/<uuid:case_id>/party")
@requires("cases.handle")
def party(case_id: uuid.UUID, errors=None, values=None, status=200):
    """更正当事人信息: one party of a filed case, with the reason, before the decision."""
    case = _case(case_id)
    chosen = (values or request.args).get("party_id") or (
        str(case.parties[0].id) if case.parties else ""
    )
    current = next((p for p in case.parties if str(p.id) == chosen), None)
    if current is None:
        raise Problem(404, "not-found", "当事人不存在。", "No such party.")
    if values is None:
        values = MultiDict({k: getattr(current, k) or "" for k in PARTY_FIELD_NAMES})
        for key in KEPT_IF_BLANK:
            values[key] = ""
    return render_template(
        "console/cases/party.html",
        case=case,
        current=current,
        kept={"id_number": _mask_id(current.id_number), "phone": _mask_phone(current.phone)},
        party_kinds=PARTY_KINDS,
        matter=matter_names(db.session, {case.matter_code} if case.matter_code else set()),
        errors=errors or {},
        values=values,
    ), status


@bp.post("/<uuid:case_id>/party")
@requires("cases.handle")
def correct(case_id: uuid.UUID):
    form = request.form
    body = {k: form.get(k, "").strip() for k in ("party_id", "reason", *PARTY_FIELD_NAMES)}
    body = {k: v for k, v in body.items() if v}  # a blank ID number or phone: kept
    body["credit_code_confirmed"] = bool(form.get("credit_code_confirmed"))
    try:
        data = actions.ACTION_SCHEMAS["correct_party"]().load(body)
        version = form.get("version", type=int)
        try:
            actions.act(
                db.session, _case(case_id), "correct_party", data, current_identity(), version
            )
        except DomainError as error:
            raise problem_of(error) from error
    except (ma.ValidationError, Problem) as exc:
        db.session.rollback()
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise
        errors = _draft_errors(exc)
        return party(case_id, errors=errors, values=form, status=_status(exc))
    return redirect(url_for("console_cases.detail", case_id=case_id, done="correct_party"))
