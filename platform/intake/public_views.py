"""The public door: a citizen files a complaint and follows it with a receipt code."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.limits import limiter, no_phone, phone_key
from yimen.platform.api.problems import Bilingual, FieldError, Problem
from yimen.platform.auth.permissions import public
from yimen.platform.db import db, tenant_scope
from yimen.platform.intake import service
from yimen.platform.intake.model import Clue, Source
from yimen.platform.intake.views import MOBILE
from yimen.tenants.directory.model import Agency
from yimen.tenants.directory.service import district_or_404

blp = Blueprint(
    "public_intake", __name__, description="公众投诉举报与进度查询 / Public complaints and progress"
)

ACTION_LABELS = {
    "offered": ("已分派至承办部门", "Sent to the handling agency"),
    "accepted": ("已受理", "Accepted"),
    "transferred": ("已移送其他部门", "Transferred to another agency"),
    "submitted": ("已提交法制办协调", "Submitted to the legal-affairs office"),
    "designated": ("法制办已指定承办部门", "Handling agency designated"),
    "closed": ("已办结", "Closed"),
}


class ComplaintSchema(ma.Schema):
    matter_code = ma.fields.String(validate=ma.validate.Length(max=20))
    agency_id = ma.fields.UUID()
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=2000))
    place = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=200))
    occurred_at = ma.fields.AwareDateTime()
    anonymous = ma.fields.Boolean(load_default=False)
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=50))
    phone = ma.fields.String(validate=MOBILE)

    @ma.validates_schema
    def _phone_unless_anonymous(self, data, **_):
        if not data.get("anonymous") and not data.get("phone"):
            raise ma.ValidationError(
                Bilingual(
                    "实名投诉请填写手机号码，或选择匿名。",
                    "Give a mobile number, or file anonymously.",
                ),
                "phone",
            )


class ReceiptSchema(ma.Schema):
    receipt_code = ma.fields.String()
    status = ma.fields.String()
    agency = ma.fields.String(allow_none=True)


class ProgressQuery(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(equal=12))
    phone4 = ma.fields.String(validate=ma.validate.Regexp(r"^\d{4}$"))


class ProgressStepSchema(ma.Schema):
    step = ma.fields.String()
    step_en = ma.fields.String()
    agency = ma.fields.String(allow_none=True)
    at = ma.fields.AwareDateTime()


class ProgressSchema(ma.Schema):
    receipt_code = ma.fields.String()
    status = ma.fields.String()
    steps = ma.fields.List(ma.fields.Nested(ProgressStepSchema))


@blp.route("/public/<slug>/complaints")
class Complaints(MethodView):
    @public
    @limiter.limit(lambda: current_app.config.get("YIMEN_PUBLIC_RATE_LIMIT", "20 per hour"))
    @limiter.limit("5 per hour", key_func=phone_key, exempt_when=no_phone)
    @blp.arguments(ComplaintSchema)
    @blp.response(201, ReceiptSchema)
    def post(self, data, slug: str):
        """提交投诉举报 (获得回执码) / File a complaint and get a receipt code"""
        tenant = district_or_404(slug)
        fields = service.complaint_fields(data)
        with tenant_scope(tenant.id), db.new_session() as s:
            clue = service.register(
                s,
                {k: v for k, v in fields.items() if v is not None},
                Source.PUBLIC_WEB.value,
                "public",
            )
            agency = (
                s.execute(select(Agency.name).where(Agency.id == clue.agency_id)).scalar()
                if clue.agency_id
                else None
            )
            return {"receipt_code": clue.receipt_code, "status": clue.status, "agency": agency}


@blp.route("/public/<slug>/progress")
class Progress(MethodView):
    @public
    @limiter.limit("60 per hour")
    @blp.arguments(ProgressQuery, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, args, slug: str):
        """查询办理进度 (回执码 + 手机尾号后四位) / Progress by receipt code and the phone's last four digits"""
        tenant = district_or_404(slug)
        with tenant_scope(tenant.id), db.new_session() as s:
            clue = s.execute(
                select(Clue).where(Clue.receipt_code == args["code"].upper())
            ).scalar_one_or_none()
            # The same answer for an unknown code and a wrong phone: no probing.
            if clue is None or (
                not clue.anonymous and clue.complainant_phone[-4:] != args.get("phone4")
            ):
                raise Problem(
                    404,
                    "not-found",
                    "未找到该回执码，或手机尾号不符。",
                    "No such receipt code, or the phone digits do not match.",
                    errors=[FieldError("code", "未找到该回执码，或手机尾号不符。", "No match.")],
                )
            names = dict(s.execute(select(Agency.id, Agency.name)).all())
            steps = [
                {
                    "step": ACTION_LABELS[st.action][0],
                    "step_en": ACTION_LABELS[st.action][1],
                    "agency": names.get(st.agency_id),
                    "at": st.at,
                }
                for st in clue.steps
                if st.action in ACTION_LABELS
            ]
            return {"receipt_code": clue.receipt_code, "status": clue.status, "steps": steps}
