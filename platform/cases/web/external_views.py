"""Cases pulled from vertical sector systems, read-only: the district's supervisory roles
read all of them, an agency's staff their own agency's (the agency scope; anything else
is not found). A natural person's name and number are shown masked to whoever is not of
the agency that owns the case. The owning agency's officers and head confirm or reject a
proposed match; the district administrator sets whether a connector's pulled cases also
go on to disclosure and credit."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.paging import PageArgs, page_list, page_of, paginate
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases.external import service
from yimen.platform.cases.external.model import ExternalCase, MatchState
from yimen.platform.kernel.db import db
from yimen.platform.kernel.errors import Bilingual, not_found
from yimen.platform.kernel.identity import Identity
from yimen.platform.kernel.permissions import AGENCY_PARTICIPANTS, requires
from yimen.platform.kernel.uow import uow

blp = Blueprint(
    "external_cases",
    __name__,
    description="垂直系统案件 (只读) / Cases pulled from vertical sector systems (read-only)",
)
CONNECTOR = ma.validate.Regexp(
    r"^[a-z][a-z0-9_-]{0,39}$",
    error=Bilingual("连接器名称无效。", "Not a connector name."),
)


def _mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _mask_number(number: str) -> str:
    return f"{number[:6]}********{number[-4:]}" if len(number) == 18 else ""


def _shown(row: ExternalCase, viewer: Identity) -> dict:
    """The row as this viewer may see it: a person's name and number masked unless the
    viewer works in the agency that owns the case."""
    own = (
        row.agency_id is not None
        and viewer.agency == row.agency_code
        and bool(viewer.roles & AGENCY_PARTICIPANTS)
    )
    person = row.party_kind == "person"
    return {
        "id": row.id,
        "connector": row.connector,
        "upstream_id": row.upstream_id,
        "agency_code": row.agency_code,
        "agency_id": row.agency_id,
        "party_kind": row.party_kind,
        "party_name": _mask_name(row.party_name) if person and not own else row.party_name,
        "credit_code": _mask_number(row.credit_code) if person else row.credit_code,
        "matter_code": row.matter_code,
        "matter_name": row.matter_name,
        "decision_number": row.decision_number,
        "decision_date": row.decision_date,
        "fine_fen": row.fine_fen,
        "status": row.status,
        "upstream_updated_at": row.upstream_updated_at,
        "case_id": row.case_id,
        "match_state": row.match_state,
        "match_reason": row.match_reason,
        "matched_by": row.matched_by,
        "matched_at": row.matched_at,
    }


class ExternalCaseSchema(ma.Schema):
    id = ma.fields.UUID()
    connector = ma.fields.String(metadata={"description": "来源连接器 (该案件的 origin)"})
    upstream_id = ma.fields.String(metadata={"description": "垂直系统中的案件编号"})
    agency_code = ma.fields.String()
    agency_id = ma.fields.UUID(allow_none=True)
    party_kind = ma.fields.String()
    party_name = ma.fields.String(metadata={"description": "自然人姓名对非本部门人员脱敏"})
    credit_code = ma.fields.String()
    matter_code = ma.fields.String()
    matter_name = ma.fields.String()
    decision_number = ma.fields.String()
    decision_date = ma.fields.Date(allow_none=True)
    fine_fen = ma.fields.Integer(allow_none=True)
    status = ma.fields.String()
    upstream_updated_at = ma.fields.AwareDateTime()
    case_id = ma.fields.UUID(
        allow_none=True, metadata={"description": "本区案件: 已关联、已确认或待确认的建议"}
    )
    match_state = ma.fields.String(
        metadata={"description": "unmatched | linked | proposed | confirmed | rejected"}
    )
    match_reason = ma.fields.String()
    matched_by = ma.fields.String()
    matched_at = ma.fields.AwareDateTime(allow_none=True)


class ExternalCaseArgs(PageArgs):
    match_state = ma.fields.String(
        validate=ma.validate.OneOf(
            [s.value for s in MatchState],
            error=Bilingual("匹配状态无效。", "Not a match state."),
        )
    )
    connector = ma.fields.String(validate=CONNECTOR)


class DecisionIn(ma.Schema):
    case_id = ma.fields.UUID(
        required=True, metadata={"description": "所见的建议匹配案件 (已变化则不处理)"}
    )
    confirm = ma.fields.Boolean(required=True, metadata={"description": "true 确认，false 否定"})


class SourceSchema(ma.Schema):
    connector = ma.fields.String(dump_only=True)
    onward = ma.fields.Boolean(
        required=True, metadata={"description": "拉取的案件是否同时用于公示和信用 (默认否)"}
    )
    watermark = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    last_full_pass_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    last_run_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    last_error = ma.fields.String(dump_only=True)
    updated_by = ma.fields.String(dump_only=True)


@blp.route("/external-cases")
class ExternalCases(MethodView):
    @requires("external_cases.read")
    @blp.arguments(ExternalCaseArgs, location="query")
    @blp.response(200, page_of(ExternalCaseSchema))
    def get(self, args):
        """垂直系统拉取的案件 / Cases pulled from vertical systems

        Newest decision first. Supervisory roles read the district's; an agency's staff
        their agency's.
        """
        query = select(ExternalCase).order_by(
            ExternalCase.decision_date.desc().nulls_last(), ExternalCase.upstream_id
        )
        if "match_state" in args:
            query = query.where(ExternalCase.match_state == args["match_state"])
        if "connector" in args:
            query = query.where(ExternalCase.connector == args["connector"])
        page = paginate(db.session, query, args["page"], args["page_size"])
        viewer = current_identity()
        return {**page, "items": [_shown(row, viewer) for row in page["items"]]}


@blp.route("/external-cases/<uuid:external_case_id>")
class ExternalCaseItem(MethodView):
    @requires("external_cases.read")
    @blp.response(200, ExternalCaseSchema)
    def get(self, external_case_id: uuid.UUID):
        """一条拉取的案件 / One pulled case"""
        row = db.session.get(ExternalCase, external_case_id)
        if row is None:
            raise not_found("没有这条外部案件。", "No such external case.")
        return _shown(row, current_identity())


@blp.route("/external-cases/<uuid:external_case_id>/match")
class ExternalCaseMatch(MethodView):
    @requires("external_cases.match")
    @blp.arguments(DecisionIn)
    @blp.response(200, ExternalCaseSchema)
    def post(self, body, external_case_id: uuid.UUID):
        """确认或否定匹配建议 / Confirm or reject a proposed match"""
        command = service.DecideProposal(external_case_id, body["case_id"], body["confirm"])
        row = service.decide_proposal(uow, current_identity(), command)
        return _shown(row, current_identity())


@blp.route("/external-sources")
class ExternalSources(MethodView):
    @requires("external_cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(SourceSchema))
    def get(self, args):
        """各垂直系统的拉取状态与设置 / Each vertical system's pulls and setting"""
        return page_list(service.sources(db.session), args["page"], args["page_size"])


@blp.route("/external-sources/<connector>")
class ExternalSourceItem(MethodView):
    @requires("external_cases.settings")
    @blp.arguments(SourceSchema)
    @blp.response(200, SourceSchema)
    def put(self, body, connector: str):
        """设置是否同时用于公示和信用 / Whether pulled cases also go to disclosure and credit"""
        try:
            CONNECTOR(connector)
        except ma.ValidationError:
            raise not_found("没有这个连接器。", "No such connector.") from None
        return service.set_onward(
            uow, current_identity(), service.SetOnward(connector, body["onward"])
        )
