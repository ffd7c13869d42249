"""Clue API for officers, hotline operators and the legal-affairs office."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.api.problems import Bilingual
from yimen.platform.auth.guard import current_identity
from yimen.platform.auth.permissions import requires
from yimen.platform.db import db
from yimen.platform.intake import service
from yimen.platform.intake.model import Source
from yimen.platform.intake.rules import Status
from yimen.tenants.directory.views import own_agency_id

blp = Blueprint("clues", __name__, description="线索与投诉 / Clues and complaints")

MOBILE = ma.validate.Regexp(
    r"^1[3-9]\d{9}$",
    error=Bilingual("请输入正确的11位手机号码。", "Enter a valid mainland mobile number."),
)
OUTCOMES = (
    "no_violation",
    "not_our_jurisdiction",
    "corrected_on_spot",
    "case_filed",
    "could_not_verify",
)


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
    steps = ma.fields.List(ma.fields.Nested(StepSchema))


class RegisterSchema(ma.Schema):
    source = ma.fields.Enum(Source, by_value=True, load_default=Source.PATROL)
    matter_code = ma.fields.String(validate=ma.validate.Length(max=20))
    agency_id = ma.fields.UUID()
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=2000))
    place = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=200))
    occurred_at = ma.fields.AwareDateTime()
    anonymous = ma.fields.Boolean(load_default=False)
    complainant_name = ma.fields.String(load_default="", validate=ma.validate.Length(max=50))
    complainant_phone = ma.fields.String(load_default="", validate=MOBILE)


class QueueQuery(PageArgs):
    status = ma.fields.Enum(Status, by_value=True)


class ClueTransferSchema(ma.Schema):
    to_agency_id = ma.fields.UUID(required=True)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


class ReasonSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


class CloseSchema(ma.Schema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))


class DesignateSchema(ma.Schema):
    handler_agency_id = ma.fields.UUID(required=True)
    joint_agency_ids = ma.fields.List(
        ma.fields.UUID(), load_default=list, validate=ma.validate.Length(max=10)
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


def _actor() -> str:
    return current_identity().username


@blp.route("/clues")
class Clues(MethodView):
    @requires("clues.read")
    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, page_of(ClueSchema))
    def get(self, args):
        """线索队列 (本部门或全区，逾期在前) / The clue queue, overdue first"""
        status = args.get("status").value if args.get("status") else None
        return paginate(
            db.session,
            service.queue_query(own_agency_id(), status),
            args["page"],
            args["page_size"],
        )

    @requires("clues.register")
    @blp.arguments(RegisterSchema)
    @blp.response(201, ClueSchema)
    def post(self, data):
        """登记线索 (巡查、检查、热线代录) / Register a clue"""
        source = data.pop("source").value
        return service.register(db.session, data, source, _actor())


@blp.route("/clues/<uuid:clue_id>")
class ClueItem(MethodView):
    @requires("clues.read")
    @blp.response(200, ClueSchema)
    def get(self, clue_id: uuid.UUID):
        """线索详情与流转记录 / A clue and its history"""
        return service.get_clue(db.session, clue_id)


def _route(action: str, clue_id: uuid.UUID, **kwargs):
    identity = current_identity()
    return service.route(db.session, clue_id, action, identity.username, identity.agency, **kwargs)


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
        """办结 (须写明结果) / Close with an outcome"""
        return _route("close", clue_id, **data)


@blp.route("/clues/<uuid:clue_id>/designate")
class Designate(MethodView):
    @requires("clues.arbitrate")
    @blp.arguments(DesignateSchema)
    @blp.response(200, ClueSchema)
    def post(self, data, clue_id: uuid.UUID):
        """法制办指定承办 (牵头及配合部门) / Designate the handler (lead and joint agencies)"""
        return service.designate(
            db.session,
            clue_id,
            data["handler_agency_id"],
            data["joint_agency_ids"],
            data["reason"],
            _actor(),
        )
