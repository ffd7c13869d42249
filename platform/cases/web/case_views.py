"""Case API: drafts, the case list with its next deadlines, a case with the actions the
law allows now, and one endpoint per action (its body schema documents what it needs)."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from yimen.platform.api.paging import page_of, paginate
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases import service
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.procedure import general as actions
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import Case
from yimen.platform.cases.schemas import (
    ACTION_SCHEMAS,
    CaseDetailOut,
    CaseOut,
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
    case.allowed_actions = rules.allowed_actions(service.definition_of(session, case), view)
    case.deadlines = deadlines.listing(session, case)
    case.flags = law_flags.flags_of(session, case)
    return case


def _mine(case_id: uuid.UUID) -> Case:
    """The case, if the caller's agency reaches it (agency_scope); others are 404."""
    return service.get_case(db.session, case_id)


@blp.route("/cases")
class Cases(MethodView):
    @requires("cases.read")
    @blp.arguments(CaseQuery, location="query")
    @blp.response(200, page_of(CaseOut))
    def get(self, args):
        """案件列表 (按最近期限排序) / Cases, nearest deadline first"""
        query = select(Case).order_by(
            Case.next_deadline.is_(None), Case.next_deadline, Case.created_at.desc()
        )
        if args.get("status"):
            query = query.where(Case.status == args["status"].value)
        if args.get("stage"):
            query = query.where(Case.stage == args["stage"])
        if args.get("overdue"):
            query = query.where(Case.next_deadline < service.today())
        if args.get("q"):
            query = query.where(
                or_(
                    Case.number.contains(args["q"], autoescape=True),
                    Case.facts.contains(args["q"], autoescape=True),
                )
            )
        return paginate(db.session, query, args["page"], args["page_size"])

    @requires("cases.handle")
    @blp.arguments(DraftIn)
    @blp.response(201, CaseDetailOut)
    def post(self, data):
        """新建案件草稿 (立案阶段) / Open a case draft at the filing stage"""
        agency = own_agency_id()
        if agency is None:
            from yimen.platform.api.problems import Problem

            raise Problem(
                403, "no-agency", "只有执法部门人员可以立案。", "Only agency staff open cases."
            )
        return detail(service.open_draft(db.session, data, agency, current_identity().username))


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
    summary = f"{rules.ACTION_NAMES.get(name, name)} / {name.replace('_', ' ')}"

    class ActionView(MethodView):
        @requires("cases.handle")
        @blp.arguments(schema)
        @blp.response(200, CaseDetailOut)
        def post(self, data, case_id: uuid.UUID):
            version = data.pop("version", None)
            case = _mine(case_id)
            return detail(actions.act(db.session, case, name, data, current_identity(), version))

    ActionView.post.__doc__ = f"{summary}\n---\n{(actions.HANDLERS[name].__doc__ or '').strip()}"
    ActionView.__name__ = f"{schema.__name__}View"
    return ActionView


for _name, _schema in ACTION_SCHEMAS.items():
    blp.route(f"/cases/<uuid:case_id>/actions/{_name}", endpoint=f"action_{_name}")(
        _action_view(_name, _schema)
    )
