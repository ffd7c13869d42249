"""Rules-of-law reference for the case engine: the district's hearing thresholds
(较大数额, 处罚法 第六十三条) and the sector procedure profiles (市场监管, 住建, 交通运输 procedure rules)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import PageArgs, page_list, page_of
from yimen.platform.api.problems import Bilingual
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law import thresholds as law_service
from yimen.platform.cases.law.limits import CONFISCATION, FINE, ORGANISATION, PERSON
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires

blp = Blueprint("case_law", __name__, description="办案规则 / Rules of law for cases")


class HearingThresholdSchema(ma.Schema):
    party_kind = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(
            (PERSON, ORGANISATION),
            error=Bilingual("须为 person 或 organisation。", "Must be person or organisation."),
        ),
    )
    kind = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(
            (FINE, CONFISCATION),
            error=Bilingual("须为 fine 或 confiscation。", "Must be fine or confiscation."),
        ),
    )
    amount_fen = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(
            min=1,
            max=10**13,
            error=Bilingual("金额 (分) 须为正数。", "The amount in fen must be positive."),
        ),
    )
    source = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=300),
        metadata={"description": "所依据规定的名称 (含书名号) 及条款"},
    )
    source_number = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=100),
        metadata={"description": "所依据规定的文号，如 广东省人民政府令第294号"},
    )
    updated_by = ma.fields.String(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)
    confirmed = ma.fields.Boolean(
        dump_only=True, metadata={"description": "区管理员已确认为本区标准"}
    )
    confirmed_by = ma.fields.String(dump_only=True)
    confirmed_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    in_force_fen = ma.fields.Integer(
        dump_only=True,
        metadata={"description": "现行适用的标准 (未确认时不高于已知最低标准)"},
    )


class HearingThresholdsIn(ma.Schema):
    items = ma.fields.List(
        ma.fields.Nested(HearingThresholdSchema), required=True, validate=ma.validate.Length(max=10)
    )
    source = ma.fields.String(
        validate=ma.validate.Length(max=300),
        metadata={"description": "各条未注明时适用的规定名称"},
    )
    source_number = ma.fields.String(
        validate=ma.validate.Length(max=100),
        metadata={"description": "各条未注明时适用的规定文号"},
    )


class SectorProfileSchema(ma.Schema):
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    procedure_rule = ma.fields.String()
    lead_check_days = ma.fields.Integer(allow_none=True)
    lead_check_unit = ma.fields.String()
    lead_check_extension_days = ma.fields.Integer(allow_none=True)
    lead_check_article = ma.fields.String()
    statement_days = ma.fields.Integer()
    statement_article = ma.fields.String()
    legal_review_days = ma.fields.Integer(allow_none=True)
    legal_review_article = ma.fields.String()
    decision_days = ma.fields.Integer()
    first_extension_days = ma.fields.Integer()
    second_extension = ma.fields.Boolean()
    second_extension_max_days = ma.fields.Integer(allow_none=True)
    decision_article = ma.fields.String()
    excluded_pauses = ma.fields.Function(lambda p: sorted(p.excluded_pauses))
    fifteen_days_are_working_days = ma.fields.Boolean()
    verified = ma.fields.Boolean()
    note_zh = ma.fields.String()
    note_en = ma.fields.String()


@blp.route("/cases/hearing-thresholds")
class HearingThresholds(MethodView):
    @requires("cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(HearingThresholdSchema))
    def get(self, args):
        """本区听证较大数额标准 / The district's hearing thresholds

        Each row says whether the district's administrator confirmed it and the amount
        in force (`in_force_fen`): until confirmed, no higher than the lowest standard
        the platform knows.
        """
        rows = law_service.described(db.session)
        return page_list(rows, args["page"], args["page_size"])

    @requires("cases.thresholds.write")
    @blp.arguments(HearingThresholdsIn)
    @blp.response(200, page_of(HearingThresholdSchema))
    def put(self, body):
        """确认本区较大数额标准 (整体替换，注明依据) / Confirm the district's thresholds

        The whole table, each row citing the provincial or ministerial rule that sets it
        (`source` with its name in 《》, `source_number` its 文号; the body's own `source`
        and `source_number` apply to rows that give none). Saving confirms them.
        """
        cited = {k: body[k] for k in ("source", "source_number") if k in body}
        law_service.replace_thresholds(
            db.session, body["items"], current_identity().username, cited
        )
        rows = law_service.described(db.session)
        return page_list(rows, 1, len(rows) or 1)


@blp.route("/cases/sector-profiles")
class SectorProfiles(MethodView):
    @requires("cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(SectorProfileSchema))
    def get(self, args):
        """行业程序规定参数 / Sector procedure profiles"""
        return page_list(list(law.PROFILES), args["page"], args["page_size"])
