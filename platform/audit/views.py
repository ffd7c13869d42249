"""The audit trail of the caller's district, for administrators and discipline."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.kernel.audit.model import AuditEntry
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires

blp = Blueprint("audit", __name__, description="管理操作审计 / Administrative audit trail")


class AuditEntrySchema(ma.Schema):
    id = ma.fields.UUID()
    at = ma.fields.AwareDateTime()
    actor = ma.fields.String()
    actor_issuer = ma.fields.String()
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = ma.fields.String()
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)
    request_id = ma.fields.String(allow_none=True)


class AuditQuerySchema(PageArgs):
    entity = ma.fields.String(validate=ma.validate.Length(max=60))
    entity_id = ma.fields.String(validate=ma.validate.Length(max=64))
    actor = ma.fields.String(validate=ma.validate.Length(max=120))


@blp.route("/audit")
class Audit(MethodView):
    @requires("audit.read")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, page_of(AuditEntrySchema))
    def get(self, args):
        """审计记录 (最新在前) / Audit entries, newest first"""
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id)
        for key in ("entity", "entity_id", "actor"):
            if args.get(key):
                query = query.where(getattr(AuditEntry, key) == args[key])
        return paginate(db.session, query, args["page"], args["page_size"])
