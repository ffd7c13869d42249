"""Console pages of the case engine: the case list, a new case draft, and a case with its
stage timeline, running deadlines, documents (PDF preview), evidence, discretion, the
record with its verification, and a form for each action the law allows now.

Forms go through the API's schemas and the engine's one write path (`actions.act`), so a
refusal reads as in a problem+json answer — the rule and the article in Chinese — and
nothing is written. A page read before someone else acted carries the old version:
the answer is "刷新后重试".
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import marshmallow as ma
from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from yimen.gateway.delivery import queries as gateway_queries
from yimen.platform.api.paging import page_list, paginate
from yimen.platform.api.problems import FieldError, Problem, field_errors, problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases import registry as actions
from yimen.platform.cases.discretion import queries as discretion_queries
from yimen.platform.cases.discretion.terms import yuan
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record import log as events
from yimen.platform.cases.record.model import Case, PartyKind
from yimen.platform.cases.registry import ACTION_SCHEMAS
from yimen.platform.cases.schemas import DraftIn, PartyOut
from yimen.platform.cases.service import definition_of, get_case, open_draft, today, view_of
from yimen.platform.cases.web import console_forms as forms
from yimen.platform.cases.web import console_queries as q
from yimen.platform.cases.web.document_views import pdf_or_pending
from yimen.platform.cases.web.record_views import masked
from yimen.platform.kernel.db import db
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.permissions import allowed, requires
from yimen.tenants.directory.rules import check_credit_code
from yimen.tenants.directory.web.views import own_agency_id
from yimen.tenants.powers.matters import adopted_matters, get_matter, matter_names

bp = Blueprint("console_cases", __name__, url_prefix="/console/cases")
PAGE_SIZE = 20
DRAFT_FIELDS = ("matter_code", "facts", "place", "violation_started_on", "violation_ended_on")
DRAFT_FLAGS = ("continuing", "life_safety", "complex_case", "measures_needed")
PARTY_FIELDS = (
    "name",
    "id_number",
    "credit_code",
    "legal_representative",
    "address",
    "phone",
)
# 当事人类型 as the console names them (处罚法 第四条: 公民、法人或者其他组织).
PARTY_KINDS = {
    PartyKind.ORGANISATION.value: ("法人及非法人组织", "Legal person or other organisation"),
    PartyKind.PERSON.value: ("自然人", "Natural person"),
    PartyKind.INDIVIDUAL_BUSINESS.value: ("个体工商户", "Individual business"),
}


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _labels() -> dict:
    return {
        "stage_names": rules.STAGE_NAMES,
        "status_names": rules.STATUS_NAMES,
        "action_names": actions.ACTION_NAMES,
        "action_labels": {n: (s.label_zh, s.label_en) for n, s in actions.SPECS.items()},
        "choice_labels": forms.CHOICES,
        "yuan": yuan,
        "is_overdue": q.is_overdue,
    }


@bp.get("/")
@requires("cases.read")
def index():
    """The agency's cases (the district's for district-wide roles), nearest deadline first."""
    status = request.args.get("status", "")
    stage = request.args.get("stage", "")
    overdue_only = request.args.get("overdue") == "1"
    search = request.args.get("q", "")[:50]
    on = today()
    query = q.list_query(
        on,
        status if status in rules.STATUS_NAMES else None,
        stage if stage in rules.STAGE_NAMES else None,
        overdue_only,
        search,
        db.session.get_bind().dialect.name,
    )
    rows = paginate(db.session, query, _page(), PAGE_SIZE)
    filters = {
        "status": status,
        "stage": stage,
        "overdue": "1" if overdue_only else "",
        "q": search.strip(),
    }
    return render_template(
        "console/cases/index.html",
        page=rows,
        today=on,
        filters=filters,
        keep={k: v for k, v in filters.items() if v},
        matters=matter_names(db.session, {c.matter_code for c in rows["items"] if c.matter_code}),
        **_labels(),
    )


# --- a new case draft -----------------------------------------------------------------


@bp.get("/new")
@requires("cases.handle")
def new(errors=None, values=None, status=200):
    """A case draft at the filing stage: matter, facts, dates, the party, the officers."""
    agency = own_agency_id()
    values = values if values is not None else MultiDict()
    code = values.get("party_credit_code", "")
    return render_template(
        "console/cases/new.html",
        agency=agency,
        matters=adopted_matters(db.session),
        officers=q.certified_officers(db.session, agency) if agency else [],
        party_kinds=PARTY_KINDS,
        credit_warning=bool(code) and check_credit_code(code).warning,
        errors=errors or {},
        values=values,
        chosen=set(values.getlist("officer_ids")),
    ), status


def _draft_form() -> dict:
    form = request.form
    data: dict = {k: form[k].strip() for k in DRAFT_FIELDS if form.get(k, "").strip()}
    data.update({k: True for k in DRAFT_FLAGS if form.get(k)})
    party = {
        k: form[f"party_{k}"].strip() for k in PARTY_FIELDS if form.get(f"party_{k}", "").strip()
    }
    if party:
        party["kind"] = form.get("party_kind") or PartyKind.ORGANISATION.value
        party["credit_code_confirmed"] = bool(form.get("party_credit_code_confirmed"))
        data["parties"] = [party]
    officers = [v for v in form.getlist("officer_ids") if v]
    if officers:
        data["officer_ids"] = officers
    return data


_PARTY_FIELD = re.compile(r"^parties(?:\.0|\[0\])\.(\w+)")


def _draft_errors(exc: ma.ValidationError | Problem) -> dict[str, tuple[str, str]]:
    """Field → (Chinese, English), the party's fields as the form names them."""
    items = field_errors(exc.messages) if isinstance(exc, ma.ValidationError) else exc.errors
    if isinstance(exc, Problem) and not exc.errors:
        return {"_message": (exc.detail, exc.detail_en)}
    found: dict[str, tuple[str, str]] = {}
    for e in items:
        name = e.field
        if m := _PARTY_FIELD.match(name):
            name = f"party_{m.group(1)}"
        found.setdefault(name.split(".")[0].split("[")[0], (e.message, e.message_en))
    return found


@bp.post("/new")
@requires("cases.handle")
def create():
    agency = own_agency_id()
    try:
        if agency is None:
            raise Problem(
                403, "no-agency", "只有执法部门人员可以立案。", "Only agency staff open cases."
            )
        try:
            case = open_draft(db.session, DraftIn().load(_draft_form()), agency, _username())
        except DomainError as error:  # the engine speaks the domain; the page, problem+json
            raise problem_of(error) from error
    except (ma.ValidationError, Problem) as exc:
        db.session.rollback()
        if isinstance(exc, Problem) and exc.status == 403:
            raise
        return new(errors=_draft_errors(exc), values=request.form, status=_status(exc))
    return redirect(url_for("console_cases.detail", case_id=case.id, done="opened"))


def _username() -> str:
    return current_identity().username


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, Problem) else 422


# --- a case ---------------------------------------------------------------------------


def _readable(case_id: uuid.UUID) -> Case:
    """The case if the viewer may read it: an agency's staff their agency's, district-wide
    roles every case of the district; anything else is 404."""
    return get_case(db.session, case_id)


@bp.get("/<uuid:case_id>")
@requires("cases.read")
def detail(case_id: uuid.UUID, errors=None, form=None, values=None, status=200):
    """A case: where it stands, what runs, what was done, and what the law allows now."""
    session = db.session
    case = _readable(case_id)
    law_flags.sweep_on_read(session, case)  # the decision limit near or passed, a seizure kept late
    definition = definition_of(session, case)
    view = view_of(session, case, documents.issued_kinds(session, case.id))
    identity = current_identity()
    records = q.record_kinds(definition, view) if case.status == "open" else []
    offer = q.offer(
        actions.allowed_actions(definition, view),
        identity.roles,
        allowed(identity.roles, "cases.handle"),
        records,
    )
    may_correct = "correct_party" in offer.mine  # its own page (draft_views.party)
    offer = q.Offer([a for a in offer.mine if a != "correct_party"], offer.others)
    docs = q.documents_of(session, case.id)
    report = events.verify(session, case.id)
    record = q.events_of(session, case.id)
    officer_ids = {co.officer_id for co in case.officers}
    chosen = request.args.get("doc")
    preview = next((d for d in docs if str(d.id) == chosen), None)  # loaded when asked
    return render_template(
        "console/cases/detail.html",
        case=case,
        matter=matter_names(session, {case.matter_code} if case.matter_code else set()),
        parties=[PartyOut().dump(p) for p in case.parties],
        party_kinds=PARTY_KINDS,
        case_officers=q.officer_names(session, officer_ids),
        steps=q.timeline(definition, view),
        stage_docs=q.stage_documents(definition, view) if case.status in ("draft", "open") else [],
        running=deadlines.listing(session, case),
        flags=law_flags.flags_of(session, case),
        offer=offer,
        inputs={name: forms.inputs(name) for name in offer.mine},
        next_step=q.next_step(definition, view, offer.mine),
        secondary=q.SECONDARY,
        officers=q.certified_officers(session, case.agency_id),
        measures=q.open_measures(case),
        records=records,
        evidence=q.evidence(session, case),
        docs=docs,
        preview=preview,
        report=report,
        record=record,
        actors=q.names_by_username(session, {e.actor for e in record}),
        may_supervise=allowed(identity.roles, "cases.supervise"),
        may_complete=case.status == "draft" and allowed(identity.roles, "cases.handle"),
        may_correct=may_correct,
        incomplete=_incomplete(case, view),
        masked=masked,
        today=today(),
        errors=errors or {},
        form=form,
        values=values or MultiDict(),
        done=request.args.get("done"),
        sync=gateway_queries.sync_of(session, f"case:{case.id}"),
        sync_labels=gateway_queries.STATUS_LABELS,
        **_labels(),
    ), status


def _incomplete(case: Case, view: rules.CaseView) -> list[str]:
    """What a draft still lacks for the head's approval (处罚法 第四十二条、第五十四条)."""
    if case.status != "draft":
        return []
    found = [] if case.matter_code else ["执法事项"]
    found += [] if case.parties else ["当事人"]
    found += [] if len(rules.qualified_officers(view)) >= 2 else ["两名以上具备资格的承办人员"]
    return found


def _action_errors(exc: ma.ValidationError | Problem) -> dict[str, tuple[str, str]]:
    if isinstance(exc, Problem) and not exc.errors:
        return {"_message": (exc.detail, exc.detail_en)}
    items: list[FieldError] = (
        field_errors(exc.messages) if isinstance(exc, ma.ValidationError) else exc.errors
    )
    found: dict[str, tuple[str, str]] = {}
    for e in items:
        found.setdefault(e.field.split(".")[0], (e.message, e.message_en))
    return found


@bp.post("/<uuid:case_id>/actions/<name>")
@requires("cases.handle")
def act(case_id: uuid.UUID, name: str):
    """One action through the engine's one write path; a refusal or a bad field is shown
    on the case again, nothing written."""
    if name not in ACTION_SCHEMAS:
        raise Problem(404, "unknown-action", "没有这个办案操作。", f"No action named {name}.")
    try:
        data = ACTION_SCHEMAS[name]().load(forms.read(name, request.form))
        version = data.pop("version", None)
        try:
            actions.act(db.session, _readable(case_id), name, data, current_identity(), version)
        except DomainError as error:  # the engine speaks the domain; the page, problem+json
            raise problem_of(error) from error
    except (ma.ValidationError, Problem) as exc:
        db.session.rollback()
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise
        return detail(
            case_id,
            errors=_action_errors(exc),
            form=name,
            values=request.form,
            status=_status(exc),
        )
    return redirect(url_for("console_cases.detail", case_id=case_id, done=name))


@bp.get("/<uuid:case_id>/documents/<uuid:doc_id>.pdf")
@requires("cases.read")
def pdf(case_id: uuid.UUID, doc_id: uuid.UUID):
    """A document's PDF for the console's preview (inline) or download (?download=1)."""
    case = _readable(case_id)
    document = q.document_with_pdf(db.session, case.id, doc_id)
    if document is None:
        raise Problem(404, "not-found", "文书不存在。", "Document not found.")
    pdf = pdf_or_pending(document)  # 409 with Retry-After while 生成中
    name = f"{document.kind}{('-' + document.number) if document.number else ''}.pdf"
    how = "attachment" if request.args.get("download") else "inline"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"{how}; filename=\"{document.id}.pdf\"; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN",
            "Content-Security-Policy": "frame-ancestors 'self'",
            "Cache-Control": "private, no-store",
            "ETag": f'"{document.sha256}"',
        },
    )


@bp.get("/<uuid:case_id>/evidence/<uuid:evidence_id>")
@requires("cases.read")
def evidence_file(case_id: uuid.UUID, evidence_id: uuid.UUID):
    """An evidence file of a case the viewer may read (as an attachment, Range supported)."""
    from yimen.platform.cases.evidence import files as evidence
    from yimen.platform.web.blobs import blob_store, send_blob

    _readable(case_id)
    found = evidence.get(db.session, case_id, evidence_id)
    return send_blob(
        blob_store(),
        found.blob_key,
        found.media_type,
        evidence.download_name(found),
        size=found.size,
        etag=found.sha256,
    )


@bp.get("/matters/<code>/distribution")
@requires("cases.supervise")
def distribution(code: str):
    """How the district punished one matter: fines' quartiles, agencies, outliers."""
    matter = get_matter(db.session, code)
    result = discretion_queries.distribution(
        matter, discretion_queries.decided_cases(db.session, code)
    )
    outliers = page_list(result.outliers, _page(), PAGE_SIZE)
    return render_template("console/cases/distribution.html", result=result, outliers=outliers)
