"""The console page of workflow overrides: what each agency's cases run under now
(platform library → district override → agency override), and a form that publishes an
override from the library's own options — its stages, documents, approving roles and
deadlines, chosen from lists, never typed.

A published override goes through the same use case as the API (service.publish_override),
which refuses, with nothing written, anything that would remove or weaken a statutory
step (rules.check_against_statute)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from yimen.platform.api.problems import Problem
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.permissions import ROLES, requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.workflow import service
from yimen.tenants.workflow.contracts import PublishOverride
from yimen.tenants.workflow.model import WorkflowOverride
from yimen.tenants.workflow.statutory import KINDS

bp = Blueprint("console_workflow", __name__, url_prefix="/console/admin")

DISTRICT = "district"  # the scope value of the district's own override
Errors = dict[str, tuple[str, str]]


def _kind() -> str:
    kind = request.values.get("kind", KINDS[0])
    return kind if kind in KINDS else KINDS[0]


def _scopes() -> list[tuple[str, str]]:
    """Where the viewer may publish: the district (its administrator) and the agencies
    it administers (every one for the district administrator, its own for an agency's)."""
    identity = current_identity()
    agencies = db.session.execute(select(Agency).order_by(Agency.code)).scalars().all()
    if "district_admin" in identity.roles:
        return [(DISTRICT, "")] + [(str(a.id), a.name) for a in agencies]
    return [(str(a.id), a.name) for a in agencies if a.code == identity.agency]


def options(definition: dict[str, Any]) -> dict[str, Any]:
    """What an override of this library definition may choose from."""
    stages = definition["stages"]
    return {
        "stages": [(s["id"], s["name"], s["name_en"]) for s in stages],
        "documents": sorted({d["kind"] for s in stages for d in s["documents"]}),
        "roles": [
            (r, *ROLES.get(r, (r, r)))
            for r in dict.fromkeys(a["role"] for s in stages for a in s["approvals"])
        ],
        "deadlines": [
            (d["id"], d["name"], d["count"], d["unit"], d["binds"], d["article"])
            for d in definition["deadlines"]
        ],
    }


def _effective_rows(kind: str, agencies: list[Agency]) -> list[dict[str, Any]]:
    rows = []
    for agency in agencies:
        effective = service.effective_for(db.session, agency.id, kind)
        rows.append({"agency": agency, "effective": effective})
    return rows


@bp.get("/workflow")
@requires("workflow.read")
def overrides(errors: Errors | None = None, status: int = 200):
    """The effective workflow per agency and procedure, the overrides, and the form."""
    kind = _kind()
    library = service.library_version(db.session, kind)
    agencies = db.session.execute(select(Agency).order_by(Agency.code)).scalars().all()
    shown = request.values.get("agency_id")
    detail = next((a for a in agencies if str(a.id) == shown), None)
    published = db.session.execute(
        select(WorkflowOverride)
        .where(WorkflowOverride.kind == kind)
        .order_by(WorkflowOverride.published_at.desc())
        .limit(50)
    ).scalars()
    identity = current_identity()
    return render_template(
        "admin/workflow.html",
        kinds=[(k, service.library_version(db.session, k).definition["name"]) for k in KINDS],
        kind=kind,
        library=library,
        rows=_effective_rows(kind, agencies),
        detail=detail and service.effective_for(db.session, detail.id, kind),
        detail_agency=detail,
        published=list(published),
        agency_names={a.id: a.name for a in agencies},
        options=options(library.definition),
        role_names=ROLES,
        scopes=_scopes(),
        may_publish=bool({"district_admin", "agency_admin"} & set(identity.roles)),
        errors=errors or {},
        values=request.form if errors else {},
        saved=request.args.get("saved"),
    ), status


def _delta(kind_options: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The form's choices as an override delta; a value not among the options is refused
    under its field (a forged form), and an empty form says what to choose."""
    form, delta, errors = request.form, {}, {}
    stage_ids = {s[0] for s in kind_options["stages"]}
    role_ids = {r[0] for r in kind_options["roles"]}
    deadlines = {d[0] for d in kind_options["deadlines"]}

    def chosen(field: str, allowed) -> str | None:
        value = form.get(field, "").strip()
        if value and value not in allowed:
            errors[field] = ("请从列表中选择。", "Choose from the list.")
        return value or None

    stage, role = chosen("approval_stage", stage_ids), chosen("approval_role", role_ids)
    if stage and role:
        delta["add_approvals"] = {stage: [role]}
    elif bool(stage) != bool(role):
        errors["approval_role" if stage else "approval_stage"] = (
            "请同时选择环节和审批角色。",
            "Choose both the stage and the approving role.",
        )
    doc_stage = chosen("document_stage", stage_ids)
    document = chosen("document", set(kind_options["documents"]))
    if doc_stage and document:
        delta["add_documents"] = {doc_stage: [document]}
    elif bool(doc_stage) != bool(document):
        errors["document" if doc_stage else "document_stage"] = (
            "请同时选择环节和文书。",
            "Choose both the stage and the document.",
        )
    deadline = chosen("deadline", deadlines)
    count = form.get("deadline_count", "").strip()
    if deadline:
        if not count.isdigit() or not 0 < int(count) <= 3650:
            errors["deadline_count"] = ("期限应为1至3650之间的整数。", "A whole number, 1 to 3650.")
        else:
            delta["deadlines"] = {deadline: {"count": int(count)}}
    if not delta and not errors:
        errors["_schema"] = (
            "请至少选择一项变更：增加审批、增加文书或调整期限。",
            "Choose at least one change: an approval, a document or a deadline.",
        )
    return delta, errors


def _scope(value: str) -> uuid.UUID | None:
    allowed = {s[0] for s in _scopes()}
    if value not in allowed:
        raise Problem(
            403,
            "outside-agency",
            "只能覆盖本部门的流程；区级覆盖须由区级管理员发布。",
            "You may only override your own agency's workflow; the district's needs the"
            " district administrator.",
        )
    return None if value == DISTRICT else uuid.UUID(value)


@bp.post("/workflow")
@requires("workflow.override.write")
def publish():
    kind = _kind()
    agency_id = _scope(request.form.get("scope", ""))
    delta, errors = _delta(options(service.library_version(db.session, kind).definition))
    if errors:
        return overrides(errors=errors, status=422)
    note = request.form.get("note", "").strip()[:500]
    command = PublishOverride(kind, delta, agency_id, note)
    try:
        entry = uow.run(
            current_tenant_id(), service.publish_override, command, current_identity().username
        )
    except DomainError as exc:
        db.session.rollback()
        problems = exc.fields or []
        shown = {"_schema": (exc.zh, exc.en)} | {
            "deadline_count" if p.field == "definition" else p.field: (p.zh, p.en)
            for p in problems[:1]
        }
        return overrides(errors=shown, status=422)
    return redirect(url_for("console_workflow.overrides", kind=kind, saved=entry.version))
