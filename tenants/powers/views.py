"""Power-list API: the regional catalog and the district's adoption and assignment."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import page_of, paginate
from yimen.platform.auth.permissions import requires
from yimen.platform.db import db
from yimen.tenants.directory.bulk import read_rows
from yimen.tenants.directory.bulk_views import MAX_FILE_BYTES, XLSX, FileSchema, ImportResultSchema
from yimen.tenants.directory.views import own_agency_id
from yimen.tenants.powers import service, xlsx
from yimen.tenants.powers.schemas import (
    AdoptResultSchema,
    AdoptSchema,
    AssignmentSchema,
    AssignSchema,
    CatalogQuery,
    HistorySchema,
    MatterSchema,
    PowerListItemSchema,
    PowerListQuery,
    TransferSchema,
)

blp = Blueprint(
    "powers",
    __name__,
    description="执法事项目录与权责清单 / Enforcement matters and the power list",
)


@blp.route("/matters")
class Matters(MethodView):
    @requires("powers.catalog.read")
    @blp.arguments(CatalogQuery, location="query")
    @blp.response(200, page_of(MatterSchema))
    def get(self, args):
        """执法事项目录 / The regional catalog of enforcement matters"""
        return paginate(
            db.session,
            service.catalog_query(args.get("q"), args.get("domain")),
            args["page"],
            args["page_size"],
        )


@blp.route("/matters/<code>")
class Matter(MethodView):
    @requires("powers.catalog.read")
    @blp.response(200, MatterSchema)
    def get(self, code: str):
        """执法事项详情 (法律依据、裁量基准、移送标准) / One matter"""
        return service.get_matter(db.session, code)


@blp.route("/matters.xlsx")
class CatalogFile(MethodView):
    @requires("powers.catalog.read")
    @blp.response(200, content_type=XLSX)
    def get(self):
        """导出目录 (XLSX) / Export the catalog"""
        return Response(
            xlsx.export(db.session),
            mimetype=XLSX,
            headers={"Content-Disposition": "attachment; filename=yimen-matters.xlsx"},
        )

    @requires("powers.catalog.write")
    @blp.arguments(FileSchema, location="files")
    @blp.response(201, ImportResultSchema)
    def post(self, files):
        """导入目录 (按编码新增或更新，全部行校验通过才写入) / Import the catalog: all rows or none"""
        content = files["file"].read(MAX_FILE_BYTES + 1)
        return {
            "imported": xlsx.import_rows(
                db.session, read_rows(content, files["file"].filename or "", xlsx.COLUMNS)
            )
        }


@blp.route("/power-list")
class PowerList(MethodView):
    @requires("directory.read")
    @blp.arguments(PowerListQuery, location="query")
    @blp.response(200, page_of(PowerListItemSchema))
    def get(self, args):
        """本区权责清单 (含当前承担部门) / The district's power list"""
        query = service.power_list_query(
            args.get("domain"), own_agency_id() or args.get("agency_id")
        )
        return paginate(db.session, query, args["page"], args["page_size"], rows=True)


@blp.route("/power-list/adoptions")
class Adoptions(MethodView):
    @requires("powers.adopt")
    @blp.arguments(AdoptSchema)
    @blp.response(201, AdoptResultSchema)
    def post(self, data):
        """认领目录事项 (按编码或领域) / Adopt catalog matters"""
        return {
            "adopted": service.adopt(
                db.session, data["codes"], data.get("domain"), data["on_major_list"]
            )
        }


@blp.route("/power-list/<code>/assignment")
class Assignment(MethodView):
    @requires("powers.assign")
    @blp.arguments(AssignSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, data, code: str):
        """指定承担部门 (同一时间只能一个) / Assign the matter to one agency"""
        assignment = service.assign(db.session, code, data["agency_id"], data["reason"])
        return service.history(db.session, code)[-1] | {"agency_id": assignment.agency_id}


@blp.route("/power-list/<code>/transfer")
class Transfer(MethodView):
    @requires("powers.assign")
    @blp.arguments(TransferSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, data, code: str):
        """划转给另一部门 (保留历史) / Transfer the matter to another agency; history kept"""
        service.transfer(db.session, code, data["agency_id"], data["reason"])
        return service.history(db.session, code)[-1]


@blp.route("/power-list/<code>/history")
class History(MethodView):
    @requires("directory.read")
    @blp.response(200, HistorySchema)
    def get(self, code: str):
        """承担部门的变更历史 / Who held the matter, when"""
        return {"code": code, "assignments": service.history(db.session, code)}
