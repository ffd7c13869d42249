"""Schemas of the power-list API."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from yimen.platform.api.paging import PageArgs
from yimen.platform.kernel.errors import Bilingual
from yimen.tenants.powers.domains import DOMAINS

CODE = ma.fields.String(validate=ma.validate.Length(min=1, max=20))
# Dates a power list can speak of: from the founding of the People's Republic to the far
# future (an absurd year is a field error, not an overflow).
_DATES = ma.validate.Range(
    min=dt.date(1949, 10, 1),
    max=dt.date(9999, 1, 1),
    error=Bilingual("日期应在 1949-10-01 之后。", "The date must be after 1949-10-01."),
)
_DOMAIN = ma.fields.String(
    validate=ma.validate.OneOf(
        list(DOMAINS), error=Bilingual("未知执法领域。", "Unknown enforcement domain.")
    )
)


class ProvisionSchema(ma.Schema):
    law = ma.fields.String(
        metadata={"description": "法律、法规名称，如《中华人民共和国大气污染防治法》"}
    )
    article = ma.fields.String(metadata={"description": "条，如 第九十九条"})
    clause = ma.fields.String(metadata={"description": "款、项，如 第一款第(一)项"})


class TierSchema(ma.Schema):
    tier = ma.fields.String(metadata={"description": "reduced / lighter / ordinary / heavier"})
    name = ma.fields.String(metadata={"description": "减轻 / 从轻 / 一般 / 从重"})
    party_type = ma.fields.String(metadata={"description": "any / organisation / individual"})
    circumstances = ma.fields.String()
    fine_min = ma.fields.Integer(metadata={"description": "元 (yuan)"})
    fine_max = ma.fields.Integer(metadata={"description": "元 (yuan)"})
    other_penalties = ma.fields.List(ma.fields.String())


class ThresholdSchema(ma.Schema):
    metric = ma.fields.String()
    label = ma.fields.String()
    value = ma.fields.Integer()
    unit = ma.fields.String()


class MatterSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    domain = ma.fields.String()
    law = ma.fields.String(metadata={"description": "处罚依据的法律 / the penalty provision's law"})
    article = ma.fields.String(metadata={"description": "处罚依据的条款 / its article and clause"})
    legal_basis = ma.fields.String(metadata={"description": "处罚依据全文 / law + article"})
    penalty_basis = ma.fields.Nested(ProvisionSchema)
    basis = ma.fields.List(
        ma.fields.Nested(ProvisionSchema),
        attribute="violated",
        metadata={"description": "违法依据 / the provisions the act violates"},
    )
    penalty_kinds = ma.fields.List(ma.fields.String())
    party_type = ma.fields.String()
    fine_min = ma.fields.Integer(allow_none=True, metadata={"description": "元 (yuan)"})
    fine_max = ma.fields.Integer(allow_none=True, metadata={"description": "元 (yuan)"})
    fine_rule = ma.fields.String()
    benchmark = ma.fields.List(ma.fields.Nested(TierSchema))
    is_major = ma.fields.Boolean()
    criminal_threshold = ma.fields.String()
    threshold_values = ma.fields.List(ma.fields.Nested(ThresholdSchema))
    version = ma.fields.Integer()
    effective_from = ma.fields.Date()
    effective_to = ma.fields.Date(allow_none=True)


class CatalogQuery(PageArgs):
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=50))
    domain = _DOMAIN
    major = ma.fields.Boolean()


class CatalogImportResultSchema(ma.Schema):
    imported = ma.fields.Integer(metadata={"description": "行数 / rows read"})
    created = ma.fields.Integer()
    changed = ma.fields.Integer(metadata={"description": "新版本 / matters with a new version"})


class AdoptSchema(ma.Schema):
    codes = ma.fields.List(CODE, load_default=list, validate=ma.validate.Length(max=2000))
    domain = _DOMAIN
    on_major_list = ma.fields.Boolean(load_default=False)

    @ma.validates_schema
    def _something(self, data, **_):
        if not data.get("codes") and not data.get("domain"):
            raise ma.ValidationError(
                Bilingual("请给出事项编码或执法领域。", "Give matter codes or a domain."), "codes"
            )


class AdoptResultSchema(ma.Schema):
    adopted = ma.fields.Integer()
    already = ma.fields.Integer(metadata={"description": "已认领而跳过 / already on the list"})


class AdoptionUpdateSchema(ma.Schema):
    on_major_list = ma.fields.Boolean(
        required=True,
        metadata={"description": "列入本区重大执法决定法制审核目录 / on the major-decision list"},
    )


class AssignSchema(ma.Schema):
    agency_id = ma.fields.UUID(required=True)
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    effective = ma.fields.Date(
        validate=_DATES,
        metadata={"description": "生效日期 (默认即时) / effective date, default now"},
    )


class TransferSchema(AssignSchema):
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=2, max=500),
        metadata={"description": "划转依据，如编办文件 / the decision behind the transfer"},
    )


class PowerListItemSchema(ma.Schema):
    matter = ma.fields.Nested(MatterSchema, attribute="EnforcementMatter")
    on_major_list = ma.fields.Boolean()
    adopted_at = ma.fields.AwareDateTime()
    agency_id = ma.fields.UUID(allow_none=True)
    agency_name = ma.fields.String(allow_none=True)
    since = ma.fields.AwareDateTime(allow_none=True)


class PowerListQuery(PageArgs):
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=50))
    domain = _DOMAIN
    agency_id = ma.fields.UUID()
    unassigned = ma.fields.Boolean()


class AssignmentSchema(ma.Schema):
    agency_id = ma.fields.UUID()
    agency_name = ma.fields.String()
    valid_from = ma.fields.AwareDateTime()
    valid_to = ma.fields.AwareDateTime(allow_none=True)
    reason = ma.fields.String()


class HistorySchema(ma.Schema):
    code = ma.fields.String()
    assignments = ma.fields.List(ma.fields.Nested(AssignmentSchema))


class HolderQuery(ma.Schema):
    on = ma.fields.Date(
        validate=_DATES, metadata={"description": "日期 (默认现在) / date, default now"}
    )


class HolderSchema(ma.Schema):
    code = ma.fields.String()
    on = ma.fields.Date(allow_none=True)
    agency_id = ma.fields.UUID(allow_none=True)
    agency_name = ma.fields.String(allow_none=True)
