"""Power-list API: the regional catalog, and the district's adoption and assignment."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import page_of, paginate
from yimen.platform.api.spreadsheet import XLSX, read_upload
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.permissions import requires
from yimen.platform.kernel.uow import uow
from yimen.tenants.directory.web.bulk_views import FileSchema
from yimen.tenants.directory.web.views import own_agency_id
from yimen.tenants.powers import matters, service, xlsx
from yimen.tenants.powers.contracts import AdoptMatters, AssignMatter, SetMajor, TransferMatter
from yimen.tenants.powers.schemas import (
    AdoptionUpdateSchema,
    AdoptResultSchema,
    AdoptSchema,
    AssignmentSchema,
    AssignSchema,
    CatalogImportResultSchema,
    CatalogQuery,
    HistorySchema,
    HolderQuery,
    HolderSchema,
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
            matters.catalog_query(args.get("q"), args.get("domain"), args.get("major")),
            args["page"],
            args["page_size"],
        )


@blp.route("/matters/<code>")
class Matter(MethodView):
    @requires("powers.catalog.read")
    @blp.response(200, MatterSchema)
    def get(self, code: str):
        """执法事项详情 (法律依据、裁量基准、移送标准) / One matter"""
        return matters.get_matter(db.session, code)


@blp.route("/matters.xlsx")
class CatalogFile(MethodView):
    @requires("powers.catalog.read")
    @blp.response(200, content_type=XLSX)
    def get(self):
        """导出目录 (XLSX：事项、裁量基准、移送标准) / Export the catalog"""
        return Response(
            xlsx.export(db.session),
            mimetype=XLSX,
            headers={"Content-Disposition": "attachment; filename=yimen-matters.xlsx"},
        )

    @requires("powers.catalog.write")
    @blp.arguments(FileSchema, location="files")
    @blp.response(201, CatalogImportResultSchema)
    def post(self, files):
        """导入目录 (按编码新增或更新，全部行校验通过才写入) / Import the catalog: all rows or none"""
        upload = files["file"]
        content = read_upload(upload)
        return uow.run(current_tenant_id(), xlsx.import_file, content, upload.filename or "")


@blp.route("/power-list")
class PowerList(MethodView):
    @requires("powers.read")
    @blp.arguments(PowerListQuery, location="query")
    @blp.response(200, page_of(PowerListItemSchema))
    def get(self, args):
        """本区权责清单 (含当前承担部门) / The district's power list"""
        query = service.power_list_query(
            args.get("domain"),
            own_agency_id() or args.get("agency_id"),
            args.get("q"),
            args.get("unassigned"),
        )
        return paginate(db.session, query, args["page"], args["page_size"], rows=True)


@blp.route("/power-list/adoptions")
class Adoptions(MethodView):
    @requires("powers.adopt")
    @blp.arguments(AdoptSchema)
    @blp.response(201, AdoptResultSchema)
    def post(self, data):
        """认领目录事项 (按编码或领域) / Adopt catalog matters"""
        return uow.run(current_tenant_id(), service.adopt, AdoptMatters(**data))


@blp.route("/power-list/<code>")
class PowerListItem(MethodView):
    @requires("powers.read")
    @blp.response(200, PowerListItemSchema)
    def get(self, code: str):
        """本区清单中的一项 (含当前承担部门) / One matter of the district's list"""
        return service.power_list_item(db.session, code, own_agency_id())

    @requires("powers.adopt")
    @blp.arguments(AdoptionUpdateSchema)
    @blp.response(200, PowerListItemSchema)
    def patch(self, data, code: str):
        """列入或移出本区重大执法决定目录 / Put on or take off the major-decision list"""
        uow.run(current_tenant_id(), service.set_major, SetMajor(code, data["on_major_list"]))
        return service.power_list_item(db.session, code)


@blp.route("/power-list/<code>/assignment")
class Assignment(MethodView):
    @requires("powers.assign")
    @blp.arguments(AssignSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, data, code: str):
        """指定承担部门 (同一时间只能一个) / Assign the matter to one agency"""
        uow.run(current_tenant_id(), service.assign, AssignMatter(code, **data))
        return service.history(db.session, code)[-1]


@blp.route("/power-list/<code>/transfer")
class Transfer(MethodView):
    @requires("powers.assign")
    @blp.arguments(TransferSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, data, code: str):
        """划转给另一部门 (原承担记录保留为历史) / Transfer the matter; history is kept"""
        uow.run(current_tenant_id(), service.transfer, TransferMatter(code, **data))
        return service.history(db.session, code)[-1]


@blp.route("/power-list/<code>/history")
class History(MethodView):
    @requires("powers.read")
    @blp.response(200, HistorySchema)
    def get(self, code: str):
        """承担部门的变更历史 / Who held the matter, when"""
        return {"code": code, "assignments": service.history(db.session, code)}


@blp.route("/power-list/<code>/holder")
class Holder(MethodView):
    @requires("powers.read")
    @blp.arguments(HolderQuery, location="query")
    @blp.response(200, HolderSchema)
    def get(self, args, code: str):
        """某日由哪个部门承担 (默认现在) / Which agency held the matter on a date"""
        service.adoption_of(db.session, code)  # 404 for a matter the district lacks
        agency = service.holder_of(db.session, code, args.get("on"))
        return {
            "code": code,
            "on": args.get("on"),
            "agency_id": agency.id if agency else None,
            "agency_name": agency.name if agency else None,
        }
