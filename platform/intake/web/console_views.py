"""Console pages of the one door: the agency's clue inbox, a clue with its history and
the actions the viewer may take, the hotline entry form (12319 and 12345; a police
officer registers the clues it found on it), and the legal-affairs office's arbitration
queue.

Forms go through the same schemas and use cases as the API, so a mistake reads the same
here as in a problem+json answer: field by field, in Chinese (English with ?lang=en),
and nothing is written. A routing refusal (409) is shown as a message on the page.
"""

from __future__ import annotations

import re
import uuid

import marshmallow as ma
from flask import Blueprint, g, redirect, render_template, request, url_for
from sqlalchemy import select

from yimen.gateway.delivery import queries as gateway_queries
from yimen.platform.api.paging import paginate
from yimen.platform.api.problems import Problem, field_errors, problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.intake import attachments, rules, service
from yimen.platform.intake import console_queries as q
from yimen.platform.intake.model import Clue, Source
from yimen.platform.intake.web.views import (
    OUTCOMES,
    CloseSchema,
    ClueTransferSchema,
    DesignateSchema,
    MergeSchema,
    ReasonSchema,
    RegisterSchema,
    registered_complaint,
)
from yimen.platform.kernel.db import db
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import DomainError, NotFound
from yimen.platform.kernel.permissions import allowed, requires
from yimen.platform.web.blobs import blob_store, send_blob

bp = Blueprint("console_clues", __name__, url_prefix="/console/clues")
PAGE_SIZE = 20
STALE = (
    "线索刚被他人处理，请刷新后重试。",
    "Someone else just acted on this clue; reload and retry.",
)
HOTLINE_FIELDS = (
    "source_ref",
    "received_at",
    "matter_code",
    "agency_id",
    "description",
    "place",
    "complainant_name",
    "complainant_phone",
)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _form(fields: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict:
    """The posted form as the API's JSON body: only the schema's fields, blanks dropped."""
    data: dict = {}
    for key in fields:
        if key in lists:
            values = [v.strip() for v in request.form.getlist(key) if v.strip()]
            if values:
                data[key] = values
        elif request.form.get(key, "").strip():
            data[key] = request.form[key].strip()
    return data


def _errors(exc: ma.ValidationError | Problem) -> dict[str, tuple[str, str]]:
    """Field → (Chinese, English); a problem without fields under "_message"."""
    if isinstance(exc, Problem) and not exc.errors:
        return {"_message": (exc.detail, exc.detail_en)}
    items = field_errors(exc.messages) if isinstance(exc, ma.ValidationError) else exc.errors
    found: dict[str, tuple[str, str]] = {}
    for e in items:
        found.setdefault(e.field.split(".")[0], (e.message, e.message_en))
    return found


def _my_agency_id() -> uuid.UUID | None:
    """The viewer's own agency (whatever the reach of its roles), for acting on a clue."""
    code = current_identity().agency
    if not code:
        return None
    return db.session.execute(select(Agency.id).where(Agency.code == code)).scalar()


def _readable(clue_id: uuid.UUID) -> Clue:
    """The clue, if the viewer reaches it (agency_scope; others: 404)."""
    return service.readable_clue(db.session, clue_id)


@bp.get("/")
@requires("clues.read")
def inbox():
    """The inbox: the agency's clues (the district's for district-wide readers, what a
    hotline operator entered), overdue first."""
    status = request.args.get("status", "")
    source = request.args.get("source", "")
    overdue_only = request.args.get("overdue") == "1"
    today = q.today()
    query = q.inbox_query(
        today,
        status if status in q.STATUS_LABELS else None,
        source if source in q.SOURCE_LABELS else None,
        overdue_only,
    )
    rows = paginate(db.session, query, _page(), PAGE_SIZE)
    codes = {c.matter_code for c in rows["items"] if c.matter_code}
    filters = {"status": status, "source": source, "overdue": "1" if overdue_only else ""}
    return render_template(
        "console/clues/inbox.html",
        page=rows,
        today=today,
        filters=filters,
        keep={k: v for k, v in filters.items() if v},
        matters=q.matter_names(db.session, codes),
        agencies=q.agency_names(db.session),
        **_labels(),
    )


def _labels() -> dict:
    return {
        "statuses": q.STATUS_LABELS,
        "sources": q.SOURCE_LABELS,
        "outcomes": q.OUTCOME_LABELS,
        "is_overdue": q.is_overdue,
        "mask_phone": service.mask_phone,
    }


@bp.get("/<uuid:clue_id>")
@requires("clues.read")
def detail(clue_id: uuid.UUID, errors=None, form=None, values=None, status=200):
    """A clue, its history, and only the actions the viewer may take now."""
    clue = _readable(clue_id)
    mine = _my_agency_id()
    actions = q.available_actions(clue, current_identity().roles, mine)
    agencies = q.handling_agencies(db.session)
    names = q.agency_names(db.session)
    candidates = (
        # what the holder may merge into: open clues of its own agency
        service.duplicate_candidates(db.session, clue, held_by=clue.agency_id)
        if actions.merge
        else []
    )
    files = db.session.execute(attachments.of_clue(clue.id)).scalars().all()
    case = service.case_of(db.session, clue.id)
    return render_template(
        "console/clues/detail.html",
        clue=clue,
        candidates=candidates,
        case=case,
        files=files,
        history=q.history(db.session, clue),
        actions=actions,
        targets=[a for a in agencies if a.id != mine],
        designees=agencies,
        closing=OUTCOMES,
        max_transfers=rules.MAX_TRANSFERS,
        today=q.today(),
        matters=q.matter_names(db.session, {clue.matter_code} if clue.matter_code else set()),
        agencies=names,
        joint=[names.get(uuid.UUID(j), j) for j in clue.joint_agency_ids or []],
        errors=errors or {},
        form=form,
        values=values or {},
        done=request.args.get("done"),
        sync=gateway_queries.sync_of(db.session, f"clue:{clue.id}"),
        sync_labels=gateway_queries.STATUS_LABELS,
        **_labels(),
    ), status


def _act(clue_id: uuid.UUID, form: str, schema: ma.Schema | None, fields=(), lists=(), run=None):
    """Load the posted form through the API's schema, check the clue is the version the
    viewer saw, run the use case; on a mistake show the clue again, nothing written."""
    try:
        data = schema.load(_form(fields, lists)) if schema is not None else {}
        clue = _readable(clue_id)
        seen = request.form.get("version", type=int)
        if seen is not None and seen != clue.version:
            raise Problem(409, "concurrent-change", *STALE)
        run(data)
    except (ma.ValidationError, Problem, DomainError) as caught:
        exc = problem_of(caught) if isinstance(caught, DomainError) else caught
        db.session.rollback()
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise
        return detail(
            clue_id, errors=_errors(exc), form=form, values=request.form, status=_status(exc)
        )
    return redirect(url_for("console_clues.detail", clue_id=clue_id, done=form))


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, Problem) else 422


def _route(clue_id: uuid.UUID, action: str, **kwargs) -> None:
    service.intake.route(service.RouteClue(clue_id, action, **kwargs), current_identity())


@bp.post("/<uuid:clue_id>/accept")
@requires("clues.route")
def accept(clue_id: uuid.UUID):
    return _act(clue_id, "accept", None, run=lambda _: _route(clue_id, "accept"))


@bp.post("/<uuid:clue_id>/transfer")
@requires("clues.route")
def transfer(clue_id: uuid.UUID):
    run = lambda data: _route(clue_id, "transfer", **data)  # noqa: E731
    return _act(clue_id, "transfer", ClueTransferSchema(), ("to_agency_id", "reason"), run=run)


@bp.post("/<uuid:clue_id>/submit")
@requires("clues.route")
def submit(clue_id: uuid.UUID):
    run = lambda data: _route(clue_id, "submit", **data)  # noqa: E731
    return _act(clue_id, "submit", ReasonSchema(), ("reason",), run=run)


@bp.post("/<uuid:clue_id>/close")
@requires("clues.route")
def close(clue_id: uuid.UUID):
    run = lambda data: _route(clue_id, "close", **data)  # noqa: E731
    return _act(clue_id, "close", CloseSchema(), ("outcome", "note"), run=run)


@bp.post("/<uuid:clue_id>/file-case")
@requires("clues.route")
def file_case(clue_id: uuid.UUID):
    return _act(clue_id, "file_case", None, run=lambda _: _route(clue_id, "file_case"))


@bp.post("/<uuid:clue_id>/merge")
@requires("clues.route")
def merge(clue_id: uuid.UUID):
    """Confirm a proposed duplicate: this clue joins the other's group."""

    def run(data):
        command = service.MergeClue(clue_id, data["into_clue_id"])
        service.intake.merge(command, current_identity())

    return _act(clue_id, "merge", MergeSchema(), ("into_clue_id",), run=run)


@bp.get("/<uuid:clue_id>/attachments/<uuid:attachment_id>")
@requires("clues.read")
def attachment(clue_id: uuid.UUID, attachment_id: uuid.UUID):
    """A photo or video of a clue the viewer may read (served as an attachment)."""
    _readable(clue_id)
    found = attachments.get(db.session, clue_id, attachment_id)
    return send_blob(
        blob_store(), found.blob_key, found.media_type, attachments.download_name(found)
    )


@bp.get("/figures")
@requires("clues.supervise")
def figures():
    """What supervision counts per agency: received, accepted, escalated, reopened, rating."""
    return render_template("console/clues/figures.html", rows=service.agency_figures(db.session))


@bp.post("/<uuid:clue_id>/designate")
@requires("clues.arbitrate")
def designate(clue_id: uuid.UUID):
    def run(data):
        command = service.DesignateHandler(
            clue_id, data["handler_agency_id"], data["joint_agency_ids"], data["reason"]
        )
        service.intake.designate(command, current_identity())

    fields = ("handler_agency_id", "joint_agency_ids", "reason")
    if request.form.get("back") != "queue":
        return _act(clue_id, "designate", DesignateSchema(), fields, ("joint_agency_ids",), run)
    try:
        run(DesignateSchema().load(_form(fields, ("joint_agency_ids",))))
    except (ma.ValidationError, Problem, DomainError) as caught:
        exc = problem_of(caught) if isinstance(caught, DomainError) else caught
        db.session.rollback()
        return arbitration(
            errors=_errors(exc), failed=clue_id, values=request.form, status=_status(exc)
        )
    return redirect(url_for("console_clues.arbitration", designated=clue_id))


@bp.get("/arbitration")
@requires("clues.arbitrate")
def arbitration(errors=None, failed=None, values=None, status=200):
    """The legal-affairs office's queue: clues no agency would take, with their history."""
    query = q.inbox_query(q.today(), rules.Status.ARBITRATION.value).order_by(None)
    rows = paginate(db.session, query.order_by(Clue.created_at), _page(), PAGE_SIZE)
    designated = request.args.get("designated")
    done = service.get_clue(db.session, uuid.UUID(designated)) if _is_uuid(designated) else None
    return render_template(
        "console/clues/arbitration.html",
        page=rows,
        histories={c.id: q.history(db.session, c) for c in rows["items"]},
        designees=q.handling_agencies(db.session),
        matters=q.matter_names(db.session, {c.matter_code for c in rows["items"] if c.matter_code}),
        agencies=q.agency_names(db.session),
        done=done,
        errors=errors or {},
        failed=failed,
        values=values or {},
        **_labels(),
    ), status


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(value or "")
    except ValueError:
        return False
    return True


POLICE_FIELDS = ("matter_code", "agency_id", "description", "place")
HOTLINES = (rules.HOTLINE_12319, rules.HOTLINE_12345)
LOCAL_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def _entered_by_me(clue: Clue | None) -> Clue | None:
    """The clue if the viewer entered it: a receipt code is read back only to the operator
    who entered the call (another's clue is out of reach, as if it did not exist)."""
    if clue is None or not clue.steps or clue.steps[0].actor != current_identity().username:
        return None
    return clue


def _registered(clue_id: str | None) -> Clue | None:
    if not _is_uuid(clue_id):
        return None
    try:
        return _entered_by_me(_readable(uuid.UUID(clue_id)))
    except NotFound:
        return None


@bp.get("/hotline")
@requires("clues.register")
def hotline(errors=None, values=None, status=200):
    """The hotline desk (12319 or 12345): the operator enters a caller's complaint with
    the call's id (the 12345 work order's number) and time, and reads back the receipt
    code. A police officer registers a clue it found here, as the police."""
    police = service.police_registers(current_identity())
    return render_template(
        "console/clues/hotline.html",
        registered=_registered(request.args.get("registered")),
        known=request.args.get("known") == "1",
        police=police,
        hotlines=HOTLINES,
        groups=q.adopted_by_domain(db.session),
        handlers=q.handling_agencies(db.session),
        agencies=q.agency_names(db.session),
        errors=errors or {},
        values=values or {"source": rules.HOTLINE_12319},
    ), status


def _hotline_form(police: bool) -> tuple[dict, str]:
    """The posted hotline form as the API's body, and its source. The call's time comes
    from a datetime-local box, in the district's time (Asia/Shanghai)."""
    if police:
        return _form(POLICE_FIELDS), Source.POLICE.value
    data = _form(HOTLINE_FIELDS)
    if LOCAL_MINUTE.match(data.get("received_at", "")):
        data["received_at"] += ("" if data["received_at"].count(":") == 2 else ":00") + "+08:00"
    source = request.form.get("source", "")
    return data, source if source in HOTLINES else rules.HOTLINE_12319


@bp.post("/hotline")
@requires("clues.register")
def hotline_submit():
    """A call, or a police officer's clue; a 12345 work order already registered (typed
    before, or pushed by the 12345 platform) is the same clue: nothing is entered twice."""
    try:
        form, source = _hotline_form(service.police_registers(current_identity()))
        data = RegisterSchema().load(form)
        command = registered_complaint(data, source)
        submitted = service.intake.submit_complaint(command, current_identity())
    except (ma.ValidationError, Problem, DomainError) as caught:
        exc = problem_of(caught) if isinstance(caught, DomainError) else caught
        db.session.rollback()
        if isinstance(exc, Problem) and exc.status == 403:
            raise
        return hotline(errors=_errors(exc), values=request.form, status=_status(exc))
    known = {} if submitted.created else {"known": "1"}
    return redirect(url_for("console_clues.hotline", registered=submitted.clue.id, **known))


@bp.app_context_processor
def _permissions():
    """`console_may(action)`: whether the signed-in person's roles allow an action (the
    console's navigation shows only the pages they may open)."""
    return {"console_may": _may}


def _may(action: str) -> bool:
    identity = g.get("identity")
    return identity is not None and allowed(identity.roles, action)
