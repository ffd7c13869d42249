"""Case API: drafts, the case list with its next deadlines, a case with the actions the
law allows now, and one endpoint per action (its body schema documents what it needs)."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.problems import Problem
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases import listing, service
from yimen.platform.cases import registry as actions
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.record.model import Case
from yimen.platform.cases.record.typed import CaseDecision
from yimen.platform.cases.registry import ACTION_SCHEMAS
from yimen.platform.cases.schemas import (
    CaseDetailOut,
    CasePage,
    CaseQuery,
    DraftIn,
    DraftUpdate,
)
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.tenants.directory.web.views import own_agency_id

blp = Blueprint("cases", __name__, description="案件办理 / Cases")


def detail(case: Case) -> Case:
    """The case with what the law allows now and its running periods (read-only extras)."""
    session = db.session
    law_flags.sweep_on_read(session, case)  # the decision limit near or passed, a seizure kept late
    view = service.view_of(session, case, documents.issued_kinds(session, case.id))
    case.allowed_actions = actions.allowed_actions(service.definition_of(session, case), view)
    case.stage_details = view.details  # `details` with the typed records where they were
    case.deadlines = deadlines.listing(session, case)
    case.flags = law_flags.flags_of(session, case)
    return case


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _mine(case_id: uuid.UUID) -> Case:
    """The case, if the caller's agency reaches it (agency_scope); others are 404."""
    return service.get_case(db.session, case_id)


@blp.route("/cases")
class Cases(MethodView):
    @requires("cases.read")
    @blp.arguments(CaseQuery, location="query")
    @blp.response(200, CasePage)
    def get(self, args):
        """案件列表 (按最近期限排序) / Cases, nearest deadline first
        ---
        Paging: `page` (numbered pages), or `after` — the `next` of the previous answer —
        for the rows after that one: as fast deep in the list as at its head (`page` is
        then null). `next` is null on the last page. The cases are those the caller's
        agency takes part in (agency_scope), the district's for district-wide readers."""
        query = select(Case).options(*listing.LIST_ONLY)
        if args.get("status"):
            query = query.where(Case.status == args["status"].value)
        if args.get("stage"):
            query = query.where(Case.stage == args["stage"])
        if args.get("overdue"):
            query = query.where(listing.DEADLINE_KEY < service.today())
        if args.get("q"):
            query = listing.api_search(query, args["q"], _dialect())
        query = _decided(query, args)
        try:
            return listing.page(
                db.session, query, args["page"], args["page_size"], args.get("after")
            )
        except listing.BadCursor as exc:
            raise Problem(
                422,
                "bad-cursor",
                "翻页参数 after 无效，请使用上一页返回的 next。",
                "Invalid 'after': pass the 'next' of the previous page.",
            ) from exc

    @requires("cases.handle")
    @blp.arguments(DraftIn)
    @blp.response(201, CaseDetailOut)
    def post(self, data):
        """新建案件草稿 (立案阶段) / Open a case draft at the filing stage"""
        agency = own_agency_id()
        if agency is None:
            raise Problem(
                403, "no-agency", "只有执法部门人员可以立案。", "Only agency staff open cases."
            )
        return detail(service.open_draft(db.session, data, agency, current_identity().username))


DECISION_FILTERS = ("decided_from", "decided_to", "fine_min_fen", "fine_max_fen")


def _decided(query, args: dict):
    """Decided cases by the decision's date and fine (the typed record, record/typed.py)."""
    if not any(args.get(k) is not None for k in DECISION_FILTERS):
        return query
    decision = CaseDecision
    query = query.join(
        decision, (decision.case_id == Case.id) & (decision.tenant_id == Case.tenant_id)
    ).where(decision.decided_on.is_not(None))
    if args.get("decided_from") is not None:
        query = query.where(decision.decided_on >= args["decided_from"])
    if args.get("decided_to") is not None:
        query = query.where(decision.decided_on <= args["decided_to"])
    if args.get("fine_min_fen") is not None:
        query = query.where(decision.fine_fen >= args["fine_min_fen"])
    if args.get("fine_max_fen") is not None:
        query = query.where(decision.fine_fen <= args["fine_max_fen"])
    return query


@blp.route("/cases/<uuid:case_id>")
class CaseItem(MethodView):
    @requires("cases.read")
    @blp.response(200, CaseDetailOut)
    def get(self, case_id: uuid.UUID):
        """案件详情：当前环节、可进行的操作、期限 / A case, what the law allows now, its deadlines"""
        return detail(_mine(case_id))

    @requires("cases.handle")
    @blp.arguments(DraftUpdate)
    @blp.response(200, CaseDetailOut)
    def patch(self, data, case_id: uuid.UUID):
        """修改立案信息 (仅草稿) / Edit a draft"""
        version = data.pop("version")
        return detail(service.update_draft(db.session, _mine(case_id), data, version))


def _action_view(name: str, schema: type) -> type[MethodView]:
    """The endpoint of one declared action; its OpenAPI summary and description are the
    declaration's name and the handler's docstring."""
    spec = actions.SPECS[name]
    summary = f"{spec.label_zh} / {name.replace('_', ' ')}"

    class ActionView(MethodView):
        @requires("cases.handle")
        @blp.arguments(schema)
        @blp.response(200, CaseDetailOut)
        def post(self, data, case_id: uuid.UUID):
            version = data.pop("version", None)
            case = _mine(case_id)
            return detail(actions.act(db.session, case, name, data, current_identity(), version))

    ActionView.post.__doc__ = f"{summary}\n---\n{spec.doc}"
    ActionView.__name__ = f"{schema.__name__}View"
    return ActionView


for _name, _schema in ACTION_SCHEMAS.items():
    blp.route(f"/cases/<uuid:case_id>/actions/{_name}", endpoint=f"action_{_name}")(
        _action_view(_name, _schema)
    )
