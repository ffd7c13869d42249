"""Schemas of the power-list API."""

from __future__ import annotations

import marshmallow as ma

from yimen.platform.api.paging import PageArgs
from yimen.tenants.powers.domains import DOMAINS


class TierSchema(ma.Schema):
    tier = ma.fields.String()
    name = ma.fields.String()
    fine_min = ma.fields.Integer()
    fine_max = ma.fields.Integer()


class MatterSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    domain = ma.fields.String()
    law = ma.fields.String()
    article = ma.fields.String()
    legal_basis = ma.fields.String()
    penalty_kinds = ma.fields.List(ma.fields.String())
    fine_min = ma.fields.Integer(allow_none=True, metadata={"description": "元"})
    fine_max = ma.fields.Integer(allow_none=True, metadata={"description": "元"})
    fine_rule = ma.fields.String()
    benchmark = ma.fields.List(ma.fields.Nested(TierSchema))
    is_major = ma.fields.Boolean()
    criminal_threshold = ma.fields.String()
    version = ma.fields.Integer()


class CatalogQuery(PageArgs):
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=50))
    domain = ma.fields.String(validate=ma.validate.OneOf(list(DOMAINS)))


class AdoptSchema(ma.Schema):
    codes = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=20)),
        load_default=list,
        validate=ma.validate.Length(max=2000),
    )
    domain = ma.fields.String(validate=ma.validate.OneOf(list(DOMAINS)))
    on_major_list = ma.fields.Boolean(load_default=False)

    @ma.validates_schema
    def _something(self, data, **_):
        if not data.get("codes") and not data.get("domain"):
            raise ma.ValidationError("请给出事项编码或执法领域。", "codes")


class AdoptResultSchema(ma.Schema):
    adopted = ma.fields.Integer()


class AssignSchema(ma.Schema):
    agency_id = ma.fields.UUID(required=True)
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class TransferSchema(AssignSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


class PowerListItemSchema(ma.Schema):
    matter = ma.fields.Nested(MatterSchema, attribute="EnforcementMatter")
    on_major_list = ma.fields.Boolean()
    agency_id = ma.fields.UUID(allow_none=True)
    agency_name = ma.fields.String(allow_none=True)


class PowerListQuery(PageArgs):
    domain = ma.fields.String(validate=ma.validate.OneOf(list(DOMAINS)))
    agency_id = ma.fields.UUID()


class AssignmentSchema(ma.Schema):
    agency_id = ma.fields.UUID()
    agency_name = ma.fields.String()
    valid_from = ma.fields.AwareDateTime()
    valid_to = ma.fields.AwareDateTime(allow_none=True)
    reason = ma.fields.String()


class HistorySchema(ma.Schema):
    code = ma.fields.String()
    assignments = ma.fields.List(ma.fields.Nested(AssignmentSchema))
