"""Request and response schemas of the directory API."""

from __future__ import annotations

import marshmallow as ma
from yimen.platform.api.paging import PageArgs
from yimen.tenants.directory.model import AgencyKind, UnitKind

DOMAIN = ma.fields.String(validate=ma.validate.Length(min=1, max=40))


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


class AgencyUpdateSchema(ma.Schema):
    """Fields a district administrator may change; everything else is refused."""

    name = ma.fields.String(validate=ma.validate.Length(min=2, max=100))
    name_en = ma.fields.String(validate=ma.validate.Length(max=160))
    domains = ma.fields.List(DOMAIN, validate=ma.validate.Length(max=30))
    has_compulsory_power = ma.fields.Boolean()
    doc_prefix = ma.fields.String(validate=ma.validate.Length(max=20))
    staffing_quota = ma.fields.Integer(validate=ma.validate.Range(min=0, max=100000))


class AgencyQuerySchema(PageArgs):
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=50), metadata={"description": "名称或编码包含"}
    )
    kind = ma.fields.Enum(AgencyKind, by_value=True)


class UnitSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    agency_id = ma.fields.UUID()
    parent_id = ma.fields.UUID(allow_none=True)
    name = ma.fields.String()
    kind = ma.fields.Enum(UnitKind, by_value=True)
    grid = ma.fields.String()


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
    status = ma.fields.String(attribute="status.value")


class OfficerQuerySchema(PageArgs):
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=50))
    agency_id = ma.fields.UUID()
