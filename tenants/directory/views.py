"""Directory API: agencies, units and officers of the caller's district."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import page_of, paginate
from yimen.platform.auth.permissions import requires
from yimen.platform.db import db
from yimen.tenants.directory import service
from yimen.tenants.directory.schemas import (
    AgencyQuerySchema,
    AgencySchema,
    AgencyUpdateSchema,
    OfficerQuerySchema,
    OfficerSchema,
    UnitQuerySchema,
    UnitSchema,
)

blp = Blueprint(
    "directory", __name__, description="执法部门、单位与人员 / Agencies, units and officers"
)


@blp.route("/agencies")
class Agencies(MethodView):
    @requires("directory.read")
    @blp.arguments(AgencyQuerySchema, location="query")
    @blp.response(200, page_of(AgencySchema))
    def get(self, args):
        """本区执法部门列表 / List the district's agencies"""
        query = service.agency_query(args.get("q"), args.get("kind"))
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/agencies/<uuid:agency_id>")
class AgencyItem(MethodView):
    @requires("directory.read")
    @blp.response(200, AgencySchema)
    def get(self, agency_id: uuid.UUID):
        """执法部门详情 / One agency"""
        return service.get_agency(db.session, agency_id)

    @requires("directory.agency.update")
    @blp.arguments(AgencyUpdateSchema)
    @blp.response(200, AgencySchema)
    def patch(self, changes: dict, agency_id: uuid.UUID):
        """修改执法部门 / Update an agency"""
        return service.update_agency(db.session, agency_id, changes)


@blp.route("/units")
class Units(MethodView):
    @requires("directory.read")
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, page_of(UnitSchema))
    def get(self, args):
        """单位列表 / List units"""
        return paginate(
            db.session, service.unit_query(args.get("agency_id")), args["page"], args["page_size"]
        )


@blp.route("/officers")
class Officers(MethodView):
    @requires("directory.read")
    @blp.arguments(OfficerQuerySchema, location="query")
    @blp.response(200, page_of(OfficerSchema))
    def get(self, args):
        """执法人员列表 / List officers"""
        query = service.officer_query(args.get("q"), args.get("agency_id"))
        return paginate(db.session, query, args["page"], args["page_size"])
