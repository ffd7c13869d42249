"""Workflow API: the platform library, district and agency overrides, effective definitions."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.api.problems import Problem
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.permissions import requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.workflow import service
from yimen.tenants.workflow.contracts import PublishLibrary, PublishOverride
from yimen.tenants.workflow.model import WorkflowDefinition, WorkflowOverride
from yimen.tenants.workflow.rules import diff
from yimen.tenants.workflow.statutory import KINDS

blp = Blueprint("workflow", __name__, description="流程配置 / Workflow configuration")

STR_LIST = ma.fields.List(
    ma.fields.String(validate=ma.validate.Length(min=1, max=60)),
    validate=ma.validate.Length(max=30),
)
PER_STAGE = ma.fields.Dict(
    keys=ma.fields.String(validate=ma.validate.Length(max=40)), values=STR_LIST
)


class NewStageSchema(ma.Schema):
    id = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$"))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=60))
    name_en = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))
    after = ma.fields.String(validate=ma.validate.Length(max=40))
    documents = STR_LIST
    approvals = STR_LIST


class DeadlineChangeSchema(ma.Schema):
    count = ma.fields.Integer(validate=ma.validate.Range(min=0, max=3650))
    roll_forward = ma.fields.Boolean()


class DeltaSchema(ma.Schema):
    add_stages = ma.fields.List(
        ma.fields.Nested(NewStageSchema), validate=ma.validate.Length(max=20)
    )
    remove_stages = STR_LIST
    add_documents = PER_STAGE
    remove_documents = PER_STAGE
    add_approvals = PER_STAGE
    remove_approvals = PER_STAGE
    deadlines = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(max=40)),
        values=ma.fields.Nested(DeadlineChangeSchema),
    )


class OverrideInSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    agency_id = ma.fields.UUID(
        load_default=None, metadata={"description": "空为区级覆盖 / empty for the district level"}
    )
    delta = ma.fields.Nested(DeltaSchema, required=True)
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class OverrideSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String()
    agency_id = ma.fields.UUID(allow_none=True)
    version = ma.fields.Integer()
    delta = ma.fields.Dict()
    note = ma.fields.String()
    published_by = ma.fields.String()
    published_at = ma.fields.AwareDateTime()


class DefinitionSchema(ma.Schema):
    kind = ma.fields.String()
    version = ma.fields.Integer()
    definition = ma.fields.Dict()
    note = ma.fields.String()
    published_by = ma.fields.String()
    published_at = ma.fields.AwareDateTime()


class PublishSchema(ma.Schema):
    definition = ma.fields.Dict(required=True)
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class EffectiveSchema(ma.Schema):
    kind = ma.fields.String()
    key = ma.fields.String(
        metadata={"description": "案件据此固定所用流程版本 / the pin a case keeps"}
    )
    library_version = ma.fields.Integer()
    district_version = ma.fields.Integer(allow_none=True)
    agency_version = ma.fields.Integer(allow_none=True)
    fingerprint = ma.fields.String()
    definition = ma.fields.Dict()


class EffectiveQuery(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    agency_id = ma.fields.UUID(required=True)


class DiffQuery(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    from_version = ma.fields.Integer(
        required=True, data_key="from", validate=ma.validate.Range(min=1, max=100000)
    )
    to_version = ma.fields.Integer(
        required=True, data_key="to", validate=ma.validate.Range(min=1, max=100000)
    )


class OverrideQuery(PageArgs):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))


@blp.route("/workflow/library")
class Library(MethodView):
    @requires("workflow.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(DefinitionSchema))
    def get(self, args):
        """平台流程库 (各版本) / The platform library, every version"""
        query = select(WorkflowDefinition).order_by(
            WorkflowDefinition.kind, WorkflowDefinition.version.desc()
        )
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/workflow/library/<kind>")
class LibraryKind(MethodView):
    @requires("workflow.library.write")
    @blp.arguments(PublishSchema)
    @blp.response(201, DefinitionSchema)
    def post(self, data, kind: str):
        """发布新版本 (不得低于法定要求) / Publish a new library version"""
        command = PublishLibrary(kind, data["definition"], data["note"])
        return uow.run(
            current_tenant_id(), service.publish_library, command, current_identity().username
        )


@blp.route("/workflow/diff")
class Diff(MethodView):
    @requires("workflow.read")
    @blp.arguments(DiffQuery, location="query")
    @blp.response(200)
    def get(self, args):
        """两个版本的差异 / What changed between two library versions"""
        old = service.library_version(db.session, args["kind"], args["from_version"]).definition
        new = service.library_version(db.session, args["kind"], args["to_version"]).definition
        return diff(old, new)


@blp.route("/workflow/overrides")
class Overrides(MethodView):
    @requires("workflow.read")
    @blp.arguments(OverrideQuery, location="query")
    @blp.response(200, page_of(OverrideSchema))
    def get(self, args):
        """本区及各部门的流程覆盖 / The district's and its agencies' overrides"""
        query = select(WorkflowOverride).order_by(
            WorkflowOverride.kind, WorkflowOverride.version.desc()
        )
        if args.get("kind"):
            query = query.where(WorkflowOverride.kind == args["kind"])
        return paginate(db.session, query, args["page"], args["page_size"])

    @requires("workflow.override.write")
    @blp.arguments(OverrideInSchema)
    @blp.response(201, OverrideSchema)
    def post(self, data):
        """发布区级或部门级覆盖 (可增加、不可删减法定环节) / Publish an override"""
        identity = current_identity()
        if data["agency_id"] is None and "district_admin" not in identity.roles:
            raise Problem(
                403,
                "forbidden",
                "只有区级管理员可以发布区级覆盖。",
                "Only a district administrator may override the district.",
            )
        if data["agency_id"] is not None and "district_admin" not in identity.roles:
            own = db.session.execute(
                select(Agency.id).where(Agency.code == identity.agency)
            ).scalar()
            if own != data["agency_id"]:
                raise Problem(
                    403,
                    "outside-agency",
                    "只能覆盖本部门的流程。",
                    "You may only override your own agency's workflow.",
                )
        command = PublishOverride(**data)
        return uow.run(current_tenant_id(), service.publish_override, command, identity.username)


@blp.route("/workflow/effective")
class EffectiveView(MethodView):
    @requires("workflow.read")
    @blp.arguments(EffectiveQuery, location="query")
    @blp.response(200, EffectiveSchema)
    def get(self, args):
        """某部门当前生效的流程 (平台→区→部门) / The definition in force for an agency"""
        if (
            db.session.execute(select(Agency.id).where(Agency.id == args["agency_id"])).scalar()
            is None
        ):
            raise Problem(404, "not-found", "本区没有该部门。", "No such agency in this district.")
        return service.effective_for(db.session, args["agency_id"], args["kind"])
