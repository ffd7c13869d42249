"""Request and response schemas of the directory API."""

from __future__ import annotations

import marshmallow as ma

from yimen.platform.api.paging import PageArgs
from yimen.platform.kernel.directory import AgencyKind, OfficerStatus, UnitKind
from yimen.platform.kernel.errors import Bilingual
from yimen.platform.kernel.permissions import ROLES

DOMAIN = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
ROLE = ma.fields.String(
    validate=ma.validate.OneOf(
        [r for r in ROLES if r not in ("platform_operator", "gateway_client")],
        error=Bilingual("角色不存在或不可分配。", "Unknown or unassignable role."),
    )
)


class PaymentAccountSchema(ma.Schema):
    """The account an agency's fines are paid into, as its decisions print it (处罚法
    第六十七条)."""

    name = ma.fields.String(
        required=True, validate=ma.validate.Length(min=2, max=100), metadata={"description": "户名"}
    )
    bank = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=2, max=100),
        metadata={"description": "开户银行"},
    )
    number = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            r"^[0-9][0-9 -]{5,38}[0-9]$",
            error=Bilingual("账号应为数字 (可含空格或连字符)。", "Digits, spaces or hyphens only."),
        ),
        metadata={"description": "账号"},
    )


class AgencySchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    credit_code = ma.fields.String()
    kind = ma.fields.Enum(AgencyKind, by_value=True)
    domains = ma.fields.List(ma.fields.String())
    has_compulsory_power = ma.fields.Boolean()
    doc_prefix = ma.fields.String()
    staffing_quota = ma.fields.Integer()
    payment_account = ma.fields.Nested(PaymentAccountSchema, allow_none=True)


class AgencyUpdateSchema(ma.Schema):
    """Fields a district administrator may change; everything else is refused."""

    name = ma.fields.String(validate=ma.validate.Length(min=2, max=100))
    name_en = ma.fields.String(validate=ma.validate.Length(max=160))
    domains = ma.fields.List(DOMAIN, validate=ma.validate.Length(max=30))
    has_compulsory_power = ma.fields.Boolean()
    doc_prefix = ma.fields.String(validate=ma.validate.Length(max=20))
    staffing_quota = ma.fields.Integer(validate=ma.validate.Range(min=0, max=100000))
    payment_account = ma.fields.Nested(
        PaymentAccountSchema,
        allow_none=True,
        metadata={"description": "罚款缴款账户 (户名、开户银行、账号)；null 清除"},
    )


class AgencyCreateSchema(AgencyUpdateSchema):
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            r"^[a-z0-9][a-z0-9_-]{0,39}$",
            error=Bilingual(
                "部门编码应为小写字母、数字、下划线或连字符。", "Lowercase letters, digits, _ or -."
            ),
        ),
    )
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=100))
    credit_code = ma.fields.String(required=True, validate=ma.validate.Length(equal=18))
    confirm_credit_code = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "确认校验位不符的信用代码无误 / confirm a code that fails the checksum"
        },
    )
    kind = ma.fields.Enum(AgencyKind, by_value=True, required=True)


class AgencyQuerySchema(PageArgs):
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=50), metadata={"description": "名称或编码包含"}
    )
    kind = ma.fields.Enum(AgencyKind, by_value=True)


class UnitSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    agency_id = ma.fields.UUID(required=True)
    parent_id = ma.fields.UUID(allow_none=True, load_default=None)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=100))
    kind = ma.fields.Enum(UnitKind, by_value=True, required=True)
    grid = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))


class UnitUpdateSchema(ma.Schema):
    parent_id = ma.fields.UUID(allow_none=True)
    name = ma.fields.String(validate=ma.validate.Length(min=2, max=100))
    kind = ma.fields.Enum(UnitKind, by_value=True)
    grid = ma.fields.String(validate=ma.validate.Length(max=200))


class UnitQuerySchema(PageArgs):
    agency_id = ma.fields.UUID()


class OfficerSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    agency_id = ma.fields.UUID()
    unit_id = ma.fields.UUID(allow_none=True)
    username = ma.fields.String()
    name = ma.fields.String()
    certificate_no = ma.fields.String(allow_none=True)
    certificate_domains = ma.fields.List(ma.fields.String())
    certificate_valid_until = ma.fields.Date(allow_none=True)
    legal_qualification_no = ma.fields.String(allow_none=True)
    legal_qualification_on = ma.fields.Date(allow_none=True)
    first_legal_review_on = ma.fields.Date(allow_none=True)
    status = ma.fields.Enum(OfficerStatus, by_value=True)
    roles = ma.fields.List(ma.fields.String(), dump_only=True)


class OfficerUpdateSchema(ma.Schema):
    unit_id = ma.fields.UUID(allow_none=True)
    name = ma.fields.String(validate=ma.validate.Length(min=2, max=50))
    certificate_no = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=4, max=40))
    certificate_domains = ma.fields.List(DOMAIN, validate=ma.validate.Length(max=30))
    certificate_valid_until = ma.fields.Date(allow_none=True)
    # 法律职业资格 (行政处罚法 第五十八条第二款): the certificate, the day it was granted,
    # and the day the officer first did legal review (set by the first review if empty).
    legal_qualification_no = ma.fields.String(
        allow_none=True, validate=ma.validate.Length(min=4, max=40)
    )
    legal_qualification_on = ma.fields.Date(allow_none=True)
    first_legal_review_on = ma.fields.Date(allow_none=True)

    @ma.validates_schema
    def _qualification_dated(self, data, **_):
        if data.get("legal_qualification_no") and not data.get("legal_qualification_on"):
            raise ma.ValidationError(
                Bilingual(
                    "请填写取得法律职业资格的日期。",
                    "Give the date the legal qualification was granted.",
                ),
                "legal_qualification_on",
            )


class OfficerCreateSchema(OfficerUpdateSchema):
    agency_id = ma.fields.UUID(required=True)
    username = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            r"^[a-z][a-z0-9._-]{2,63}$",
            error=Bilingual(
                "用户名应为3–64位小写字母、数字、点、下划线或连字符。",
                "3–64 lowercase letters, digits, . _ -.",
            ),
        ),
    )
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=50))
    roles = ma.fields.List(
        ROLE, load_default=lambda: ["officer"], validate=ma.validate.Length(max=12)
    )


class OfficerQuerySchema(PageArgs):
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=50))
    agency_id = ma.fields.UUID()
    status = ma.fields.Enum(OfficerStatus, by_value=True)


class RolesSchema(ma.Schema):
    roles = ma.fields.List(ROLE, required=True, validate=ma.validate.Length(max=12))


class StaffingSchema(ma.Schema):
    agency_id = ma.fields.UUID()
    name = ma.fields.String()
    staffing_quota = ma.fields.Integer()
    officers = ma.fields.Integer()
    certified = ma.fields.Integer()


class SettingChoiceSchema(ma.Schema):
    value = ma.fields.String()
    label = ma.fields.String()
    label_en = ma.fields.String()


class DistrictSettingSchema(ma.Schema):
    key = ma.fields.String()
    type = ma.fields.String(metadata={"description": "integer, text or choice"})
    value = ma.fields.Raw(metadata={"description": "the value in force (the default if unset)"})
    default = ma.fields.Raw()
    is_default = ma.fields.Boolean()
    label = ma.fields.String()
    label_en = ma.fields.String()
    help = ma.fields.String()
    help_en = ma.fields.String()
    minimum = ma.fields.Integer(allow_none=True)
    maximum = ma.fields.Integer(allow_none=True)
    choices = ma.fields.List(ma.fields.Nested(SettingChoiceSchema))


class DistrictSettingsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DistrictSettingSchema))


class DistrictSettingsPatchSchema(ma.Schema):
    """Some settings by key; null restores a default. Every key and value is checked by
    the registry (tenants/directory/district_settings.py), so that one answer names every
    mistake — unknown keys included — and nothing is written unless all are right."""

    class Meta:
        unknown = ma.INCLUDE
