"""Platform operator: the region's districts, created, suspended and resumed by API."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.api.problems import Problem
from yimen.platform.audit.views import AuditEntrySchema
from yimen.platform.kernel.audit.model import AuditEntry
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Tenant, TenantKind, TenantStatus
from yimen.platform.kernel.permissions import requires
from yimen.tenants.directory.onboarding import create_tenant, set_tenant_status

blp = Blueprint("tenants", __name__, description="区(租户)管理 / Districts of the region")


class TenantSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    slug = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=40))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=100))
    name_en = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))
    division_code = ma.fields.String(required=True, metadata={"description": "GB/T 2260 六位代码"})
    status = ma.fields.Enum(TenantStatus, by_value=True, dump_only=True)
    suspended_reason = ma.fields.String(dump_only=True)
    issuer = ma.fields.Method("_issuer", dump_only=True)

    def _issuer(self, tenant: Tenant) -> str:
        return current_app.extensions["yimen.settings"].builtin_issuer(tenant.slug)


class SuspendSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=500))


@blp.route("/tenants")
class Tenants(MethodView):
    @requires("platform.tenants.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(TenantSchema))
    def get(self, args):
        """本区域各区 / The districts of the region"""
        query = (
            select(Tenant).where(Tenant.kind == TenantKind.DISTRICT).order_by(Tenant.division_code)
        )
        return paginate(db.session, query, args["page"], args["page_size"])

    @requires("platform.tenants.write")
    @blp.arguments(TenantSchema)
    @blp.response(201, TenantSchema)
    def post(self, data):
        """开通一个区 (即时生效，无需重启) / Create a district; live at once, no restart"""
        public_url = current_app.extensions["yimen.settings"].public_url
        defaults = current_app.extensions["yimen.district_defaults"]
        return create_tenant(db.session, public_url=public_url, defaults=defaults, **data)


@blp.route("/tenants/<uuid:tenant_id>/suspend")
class Suspend(MethodView):
    @requires("platform.tenants.write")
    @blp.arguments(SuspendSchema)
    @blp.response(200, TenantSchema)
    def post(self, data, tenant_id: uuid.UUID):
        """暂停一个区 (其人员立即无法使用) / Suspend a district; its officers are refused at once"""
        return set_tenant_status(db.session, tenant_id, TenantStatus.SUSPENDED, data["reason"])


@blp.route("/tenants/<uuid:tenant_id>/resume")
class Resume(MethodView):
    @requires("platform.tenants.write")
    @blp.response(200, TenantSchema)
    def post(self, tenant_id: uuid.UUID):
        """恢复一个区 / Resume a district"""
        return set_tenant_status(db.session, tenant_id, TenantStatus.ACTIVE)


@blp.route("/tenants/<uuid:tenant_id>/audit")
class TenantAudit(MethodView):
    @requires("platform.tenants.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(AuditEntrySchema))
    def get(self, args, tenant_id: uuid.UUID):
        """某区的管理操作审计 (平台运营方跨区查阅，本次查阅亦记入该区审计) / A district's audit trail"""
        from yimen.platform.kernel.audit.recorder import record_read

        with db.new_session() as s:
            if (
                s.execute(
                    select(Tenant.id).where(
                        Tenant.id == tenant_id, Tenant.kind == TenantKind.DISTRICT
                    )
                ).scalar()
                is None
            ):
                raise Problem(404, "not-found", "区不存在。", "District not found.")
        with tenant_scope(tenant_id), db.new_session() as s:
            record_read(s, tenant_id, "audit_entry", str(tenant_id))
            page = paginate(
                s,
                select(AuditEntry).order_by(AuditEntry.at.desc()),
                args["page"],
                args["page_size"],
            )
            s.commit()
            return page
