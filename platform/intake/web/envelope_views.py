"""The raw requests upper-level systems sent the district's inbound services, for audit.

They hold personal data (a reporter's name and phone) as sent: only the district
administrator reads them (`gateway.envelopes.read`); the list shows who sent what and how
it was answered, an item the envelope itself.
"""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.gateway.inbox.model import InboundEnvelope
from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.kernel.db import db
from yimen.platform.kernel.errors import NotFound
from yimen.platform.kernel.permissions import requires

blp = Blueprint(
    "gateway_envelopes",
    __name__,
    description="上级系统来报原文 (审计) / Raw inbound requests, for audit",
)


class EnvelopeSchema(ma.Schema):
    id = ma.fields.UUID()
    connector = ma.fields.String()
    operation = ma.fields.String()
    client_id = ma.fields.String(metadata={"description": "发送方的机器客户端 / the sender"})
    natural_key = ma.fields.String(metadata={"description": "对方的记录编号 / the sender's id"})
    outcome = ma.fields.String(metadata={"description": "OK 或错误码 / OK or the fault's code"})
    received_at = ma.fields.AwareDateTime()


class EnvelopeItemSchema(EnvelopeSchema):
    envelope = ma.fields.Function(
        lambda row: row.envelope.decode("utf-8", errors="replace"),
        metadata={"description": "请求原文 (含个人信息) / the raw request, personal data included"},
    )


class EnvelopeQuery(PageArgs):
    natural_key = ma.fields.String(validate=ma.validate.Length(min=1, max=120))


@blp.route("/gateway/envelopes")
class Envelopes(MethodView):
    @requires("gateway.envelopes.read")
    @blp.arguments(EnvelopeQuery, location="query")
    @blp.response(200, page_of(EnvelopeSchema))
    def get(self, args):
        """上级系统来报记录 (新的在前) / Inbound requests, newest first"""
        query = select(InboundEnvelope).order_by(
            InboundEnvelope.received_at.desc(), InboundEnvelope.id
        )
        if args.get("natural_key"):
            query = query.where(InboundEnvelope.natural_key == args["natural_key"])
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/gateway/envelopes/<uuid:envelope_id>")
class EnvelopeItem(MethodView):
    @requires("gateway.envelopes.read")
    @blp.response(200, EnvelopeItemSchema)
    def get(self, envelope_id: uuid.UUID):
        """来报原文 / One inbound request as it was sent"""
        row = db.session.get(InboundEnvelope, envelope_id)
        if row is None:
            raise NotFound("not-found", "没有该记录。", "No such request.")
        return row
