"""Clue API for officers, hotline operators and the legal-affairs office."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import PageArgs, page_list, page_of, paginate
from yimen.platform.api.problems import Bilingual
from yimen.platform.auth.guard import current_identity
from yimen.platform.intake import rules, service
from yimen.platform.intake.model import Clue, Source
from yimen.platform.intake.rules import Status
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires

blp = Blueprint("clues", __name__, description="线索与投诉 / Clues and complaints")

MOBILE = ma.validate.Regexp(
    r"^1[3-9]\d{9}$",
    error=Bilingual("请输入正确的11位手机号码。", "Enter a valid mainland mobile number."),
)
OUTCOMES = rules.CLOSING_OUTCOMES


class StepSchema(ma.Schema):
    action = ma.fields.String()
    agency_id = ma.fields.UUID(allow_none=True)
    reason = ma.fields.String()
    at = ma.fields.AwareDateTime()


class ClueSchema(ma.Schema):
    id = ma.fields.UUID()
    receipt_code = ma.fields.String()
    source = ma.fields.String()
    matter_code = ma.fields.String(allow_none=True)
    description = ma.fields.String()
    place = ma.fields.String()
    anonymous = ma.fields.Boolean()
    complainant_phone = ma.fields.Function(
        lambda c: service.mask_phone(c.complainant_phone),
        metadata={"description": "已脱敏 / masked"},
    )
    status = ma.fields.String()
    agency_id = ma.fields.UUID(allow_none=True)
    transfers = ma.fields.Integer()
    designated = ma.fields.Boolean()
    joint_agency_ids = ma.fields.List(ma.fields.String())
    accept_due = ma.fields.Date(allow_none=True)
    escalated_at = ma.fields.AwareDateTime(allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    outcome_label = ma.fields.Function(
        lambda c: rules.OUTCOMES[c.outcome][0] if c.outcome else None,
        metadata={"description": "办理结果 (中文)"},
    )
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    reopened = ma.fields.Integer()
    satisfaction = ma.fields.Integer(allow_none=True)
    group_id = ma.fields.UUID(allow_none=True)
    latitude = ma.fields.Float(allow_none=True)
    longitude = ma.fields.Float(allow_none=True)
    source_ref = ma.fields.String(allow_none=True)
    received_at = ma.fields.AwareDateTime(allow_none=True)
    urgency = ma.fields.String(
        allow_none=True,
        metadata={"description": "12345工单等级：normal 普通 / urgent 紧急 (12345 order's level)"},
    )
    reply_due = ma.fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "12345工单办理时限 / the hotline's deadline for an answer"},
    )
    steps = ma.fields.List(ma.fields.Nested(StepSchema))


class RegisterSchema(ma.Schema):
    source = ma.fields.Enum(
        Source,
        by_value=True,
        metadata={
            "description": "默认巡查发现；公安民警为公安移送 / patrol; police for the police"
        },
    )
    matter_code = ma.fields.String(validate=ma.validate.Length(max=20))
    agency_id = ma.fields.UUID()
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=2000))
    place = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=200))
    occurred_at = ma.fields.AwareDateTime()
    latitude = ma.fields.Float(validate=ma.validate.Range(min=-90, max=90))
    longitude = ma.fields.Float(validate=ma.validate.Range(min=-180, max=180))
    anonymous = ma.fields.Boolean(load_default=False)
    complainant_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=50))
    complainant_phone = ma.fields.String(load_default="", validate=MOBILE)
    source_ref = ma.fields.String(
        validate=ma.validate.Regexp(
            r"^[0-9A-Za-z\-\s]{1,64}$",
            error=Bilingual(
                "编号只能由字母、数字和连字符组成，最长64位。",
                "Letters, digits and hyphens only, at most 64.",
            ),
        ),
        metadata={
            "description": "12345工单号 (12345热线必填) 或12319来电编号：同一编号只登记一次 / "
            "the 12345 work-order number (required for 12345) or the 12319 call id"
        },
    )
    received_at = ma.fields.AwareDateTime(
        metadata={"description": "来电时间 (不能晚于现在) / when the hotline took the call"}
    )


INBOUND_SOURCES = (Source.UPPER_LEVEL, Source.POLICE, Source.HOTLINE_12345)


class InboundSchema(RegisterSchema):
    source = ma.fields.Enum(
        Source,
        by_value=True,
        required=True,
        validate=ma.validate.OneOf(
            INBOUND_SOURCES,
            error=Bilingual(
                "来源须为 upper_level(上级系统)、police(公安) 或 hotline_12345(12345热线工单)。",
                "source must be upper_level, police or hotline_12345.",
            ),
        ),
    )
    source_ref = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=64),
        metadata={
            "description": "发送方的线索编号 (12345为工单号)：重复发送、或坐席已登记的同一工单，"
            "只有一条线索 / the sender's id (the 12345 work-order number): one clue per id"
        },
    )


class QueueQuery(PageArgs):
    status = ma.fields.Enum(Status, by_value=True)
    escalated = ma.fields.Boolean(
        metadata={"description": "仅看逾期升级的线索 / only clues escalated as overdue"}
    )


class ClueTransferSchema(ma.Schema):
    to_agency_id = ma.fields.UUID(required=True)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


class ReasonSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


class CloseSchema(ma.Schema):
    outcome = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(
            OUTCOMES,
            error=Bilingual(
                "请选择办理结果：未发现违法行为、不属本部门管辖并已转交、当场改正或无法核实。",
                f"Choose one of: {', '.join(OUTCOMES)}.",
            ),
        ),
    )
    note = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=2, max=500),
        metadata={"description": "核查及处理情况 / what was found and done"},
    )


class MergeSchema(ma.Schema):
    into_clue_id = ma.fields.UUID(required=True)


class CandidateSchema(ma.Schema):
    clue = ma.fields.Nested(ClueSchema)
    score = ma.fields.Float()
    metres = ma.fields.Float(allow_none=True)
    place_similarity = ma.fields.Float()
    text_similarity = ma.fields.Float()


class FiguresSchema(ma.Schema):
    agency_id = ma.fields.UUID()
    agency_code = ma.fields.String()
    agency = ma.fields.String()
    received = ma.fields.Integer()
    accepted = ma.fields.Integer()
    escalated = ma.fields.Integer()
    reopened = ma.fields.Integer()
    satisfaction = ma.fields.Float(allow_none=True)


class CaseDraftSchema(ma.Schema):
    id = ma.fields.UUID()
    clue_id = ma.fields.UUID()
    agency_id = ma.fields.UUID()
    matter_code = ma.fields.String(allow_none=True)
    stage = ma.fields.String()
    status = ma.fields.String()
    facts = ma.fields.String()


class DesignateSchema(ma.Schema):
    handler_agency_id = ma.fields.UUID(required=True)
    joint_agency_ids = ma.fields.List(
        ma.fields.UUID(), load_default=list, validate=ma.validate.Length(max=10)
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


def registering_source(data: dict) -> str:
    """The source of an officer's register: as given; else a police officer's clue is the
    police's and anyone else's a patrol's."""
    if data.get("source") is not None:
        return data["source"].value
    police = service.police_registers(current_identity())
    return Source.POLICE.value if police else Source.PATROL.value


def registered_complaint(data: dict, channel: str) -> service.SubmitComplaint:
    """An officer's RegisterSchema fields (the API, the hotline page, the gateway's
    inbound clues) as the command."""
    return service.SubmitComplaint(
        channel=channel,
        description=data["description"],
        place=data["place"],
        matter_code=data.get("matter_code"),
        agency_id=data.get("agency_id"),
        occurred_at=data.get("occurred_at"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        anonymous=data.get("anonymous", False),
        name=data.get("complainant_name", ""),
        phone=data.get("complainant_phone", ""),
        source_ref=data.get("source_ref"),
        received_at=data.get("received_at"),
    )


def _readable(clue_id: uuid.UUID) -> Clue:
    """The clue if the caller reaches it (agency_scope); one out of reach is 404, as if
    it did not exist (service.readable_clue)."""
    return service.readable_clue(db.session, clue_id)


@blp.route("/clues")
class Clues(MethodView):
    @requires("clues.read")
    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, page_of(ClueSchema))
    def get(self, args):
        """线索队列 (本部门或全区，逾期在前) / The clue queue, overdue first"""
        status = args.get("status").value if args.get("status") else None
        query = service.queue_query(status)
        if args.get("escalated") is not None:
            query = query.where(
                Clue.escalated_at.is_not(None) if args["escalated"] else Clue.escalated_at.is_(None)
            )
        return paginate(db.session, query, args["page"], args["page_size"])

    @requires("clues.register")
    @blp.arguments(RegisterSchema)
    @blp.response(201, ClueSchema)
    @blp.alt_response(200, schema=ClueSchema, description="同一工单已登记：返回已有线索 / known")
    def post(self, data):
        """登记线索 (巡查、检查、热线代录、公安民警发现) / Register a clue
        ---
        A 12345 work order (source hotline_12345 with its number in source_ref) already
        registered, by hand or pushed by the 12345 platform, answers 200 with that clue."""
        command = registered_complaint(data, registering_source(data))
        submitted = service.intake.submit_complaint(command, current_identity())
        return submitted.clue, 201 if submitted.created else 200


@blp.route("/clues/<uuid:clue_id>")
class ClueItem(MethodView):
    @requires("clues.read")
    @blp.response(200, ClueSchema)
    def get(self, clue_id: uuid.UUID):
        """线索详情与流转记录 / A clue and its history"""
        return _readable(clue_id)


def _route(action: str, clue_id: uuid.UUID, **kwargs):
    _readable(clue_id)
    return service.intake.route(service.RouteClue(clue_id, action, **kwargs), current_identity())


@blp.route("/clues/<uuid:clue_id>/accept")
class Accept(MethodView):
    @requires("clues.route")
    @blp.response(200, ClueSchema)
    def post(self, clue_id: uuid.UUID):
        """受理 / Accept"""
        return _route("accept", clue_id)


@blp.route("/clues/<uuid:clue_id>/transfer")
class Transfer(MethodView):
    @requires("clues.route")
    @blp.arguments(ClueTransferSchema)
    @blp.response(200, ClueSchema)
    def post(self, data, clue_id: uuid.UUID):
        """移送 (最多两次) / Transfer (at most twice)"""
        return _route("transfer", clue_id, **data)


@blp.route("/clues/<uuid:clue_id>/submit")
class Submit(MethodView):
    @requires("clues.route")
    @blp.arguments(ReasonSchema)
    @blp.response(200, ClueSchema)
    def post(self, data, clue_id: uuid.UUID):
        """提交法制办裁定 / Submit to the legal-affairs office"""
        return _route("submit", clue_id, **data)


@blp.route("/clues/<uuid:clue_id>/close")
class Close(MethodView):
    @requires("clues.route")
    @blp.arguments(CloseSchema)
    @blp.response(200, ClueSchema)
    def post(self, data, clue_id: uuid.UUID):
        """办结 (须写明结果及核查情况；未立案即不予立案) / Close with what happened"""
        return _route("close", clue_id, **data)


@blp.route("/clues/<uuid:clue_id>/file-case")
class FileCase(MethodView):
    @requires("clues.route")
    @blp.response(201, CaseDraftSchema)
    def post(self, clue_id: uuid.UUID):
        """转为案件 (生成立案阶段的案件草稿) / Convert to a case draft at the filing stage"""
        _route("file_case", clue_id)
        return service.case_of(db.session, clue_id)


@blp.route("/clues/<uuid:clue_id>/duplicates")
class Duplicates(MethodView):
    @requires("clues.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(CandidateSchema))
    def get(self, args, clue_id: uuid.UUID):
        """疑似重复的未办结线索 (同一事项、地点相近、时间相近、描述相似) / Proposed duplicates"""
        clue = _readable(clue_id)
        found = [
            {
                "clue": other,
                "score": m.score,
                "metres": m.metres,
                "place_similarity": m.place_similarity,
                "text_similarity": m.text_similarity,
            }
            for other, m in service.duplicate_candidates(db.session, clue)
        ]
        return page_list(found, args["page"], args["page_size"])


@blp.route("/clues/<uuid:clue_id>/merge")
class Merge(MethodView):
    @requires("clues.route")
    @blp.arguments(MergeSchema)
    @blp.response(200, ClueSchema)
    def post(self, data, clue_id: uuid.UUID):
        """确认重复并合并到另一线索的组 / Confirm a duplicate and merge it into that clue's group"""
        _readable(clue_id)
        command = service.MergeClue(clue_id, data["into_clue_id"])
        return service.intake.merge(command, current_identity())


@blp.route("/clues/figures")
class Figures(MethodView):
    @requires("clues.supervise")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(FiguresSchema))
    def get(self, args):
        """各部门线索办理情况 (受理、逾期升级、被反馈未解决、满意度) / Per-agency figures"""
        return page_list(service.agency_figures(db.session), args["page"], args["page_size"])


@blp.route("/clues/inbound")
class Inbound(MethodView):
    @requires("clues.inbound")
    @blp.arguments(InboundSchema)
    @blp.response(201, ClueSchema)
    @blp.alt_response(200, schema=ClueSchema, description="重复发送：返回已有线索 / a replay")
    def post(self, data):
        """上级系统、公安推送线索 (按对方编号去重) / A clue from an upper-level system or the police"""
        command = registered_complaint(data, data["source"].value)
        submitted = service.intake.submit_complaint(command, current_identity())
        return submitted.clue, 201 if submitted.created else 200


@blp.route("/clues/<uuid:clue_id>/designate")
class Designate(MethodView):
    @requires("clues.arbitrate")
    @blp.arguments(DesignateSchema)
    @blp.response(200, ClueSchema)
    def post(self, data, clue_id: uuid.UUID):
        """法制办指定承办 (牵头及配合部门) / Designate the handler (lead and joint agencies)"""
        _readable(clue_id)
        command = service.DesignateHandler(
            clue_id, data["handler_agency_id"], data["joint_agency_ids"], data["reason"]
        )
        return service.intake.designate(command, current_identity())
