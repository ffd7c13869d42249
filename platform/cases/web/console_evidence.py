"""The console's evidence form: the file itself, uploaded (multipart) with its kind, title
and the day it was collected. The server sniffs its type, streams it into the blob store
computing its SHA-256 and records it as the engine's add_evidence action — the same
path as the API's upload (evidence/files.py). Evidence with no file (a thing kept in the
agency's store, a paper record) is the same action with no hash. A refusal shows on the
case page under its field, and keeps nothing.
"""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask import Blueprint, redirect, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from yimen.platform.api.problems import Problem, problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases import registry as actions
from yimen.platform.cases.evidence import files as evidence
from yimen.platform.cases.registry import ACTION_SCHEMAS
from yimen.platform.cases.service import get_case
from yimen.platform.cases.web import console_forms as forms
from yimen.platform.cases.web import console_views
from yimen.platform.cases.web.evidence_views import evidence_limit
from yimen.platform.kernel.db import db
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.permissions import requires
from yimen.platform.web.blobs import accepts_uploads, blob_store

bp = Blueprint("console_case_evidence", __name__, url_prefix="/console/cases")
ACTION = "add_evidence"
FORM_FIELDS = 1024 * 1024  # room for the form's other fields and the multipart framing


def _form_limit() -> int:
    """The file's limit and the form around it; the store refuses past the file's."""
    return evidence_limit() + FORM_FIELDS


@bp.app_context_processor
def _limits() -> dict:
    """The upload's size limit, shown beside the file input."""
    return {"evidence_max_mb": f"{evidence_limit() / (1024 * 1024):g}"}


@bp.post("/<uuid:case_id>/evidence")
@requires("cases.handle")
@accepts_uploads(_form_limit)
def upload(case_id: uuid.UUID):
    try:
        try:
            _add(case_id)
        except RequestEntityTooLarge:
            raise problem_of(evidence.too_large(evidence_limit())) from None
        except DomainError as error:  # the engine speaks the domain; the page, problem+json
            raise problem_of(error) from error
    except (ma.ValidationError, Problem) as exc:
        db.session.rollback()
        if isinstance(exc, Problem) and exc.status in (403, 404):
            raise
        errors = console_views._action_errors(exc)
        if "body" in errors:  # the file's content, as the form names it
            errors["file"] = errors.pop("body")
        status = exc.status if isinstance(exc, Problem) else 422
        return console_views.detail(
            case_id, errors=errors, form=ACTION, values=request.form, status=status
        )
    return redirect(url_for("console_cases.detail", case_id=case_id, done=ACTION))


def _add(case_id: uuid.UUID) -> None:
    data = ACTION_SCHEMAS[ACTION]().load(forms.read(ACTION, request.form))
    version = data.pop("version", None)
    case = get_case(db.session, case_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        actions.act(db.session, case, ACTION, data, current_identity(), version)
        return
    capture = evidence.Capture(
        kind=data["kind"], title=data["title"], collected=data.get("collected_on")
    )
    evidence.check_takes_evidence(case)
    db.session.rollback()  # no transaction stays open while the file streams in
    store = blob_store()
    stored = evidence.store_file(store, file.stream, evidence_limit())
    evidence.record(
        db.session,
        store,
        get_case(db.session, case_id),
        stored,
        capture,
        current_identity(),
        version,
    )
