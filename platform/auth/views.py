"""/api/v1/me: who the token says you are."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.permissions import requires

blp = Blueprint("me", __name__, description="当前身份 / The caller")


class MeSchema(ma.Schema):
    subject = ma.fields.String()
    username = ma.fields.String()
    name = ma.fields.String()
    district = ma.fields.String(attribute="tenant_slug")
    issuer = ma.fields.String()
    agency = ma.fields.String(allow_none=True)
    roles = ma.fields.Function(lambda i: sorted(i.roles))
    client_id = ma.fields.String(allow_none=True)
    is_service_account = ma.fields.Boolean()


@blp.route("/me")
class Me(MethodView):
    @requires("self.read")
    @blp.response(200, MeSchema)
    def get(self):
        """当前登录身份 / The signed-in identity"""
        return current_identity()
