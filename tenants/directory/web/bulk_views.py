"""Bulk import API: download the template, upload a filled-in XLSX or CSV."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from yimen.platform.api.problems import Problem
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.tenants.directory import bulk
from yimen.tenants.directory.web.views import granter

blp = Blueprint("imports", __name__, description="批量导入 / Bulk import")

KINDS = {
    "agencies": (
        bulk.AGENCY_COLUMNS,
        lambda session, rows, _granter: bulk.import_agencies(session, rows),
    ),
    "officers": (bulk.OFFICER_COLUMNS, bulk.import_officers),
}
MAX_FILE_BYTES = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileSchema(ma.Schema):
    file = Upload(required=True)


class ImportResultSchema(ma.Schema):
    imported = ma.fields.Integer()


def _kind(kind: str):
    if kind not in KINDS:
        raise Problem(404, "not-found", "没有这种导入模板。", "No such import template.")
    return KINDS[kind]


@blp.route("/imports/templates/<kind>.xlsx")
class Template(MethodView):
    @requires("directory.import")
    @blp.response(200, content_type=XLSX)
    def get(self, kind: str):
        """下载导入模板 (agencies / officers) / Download an import template"""
        columns, _ = _kind(kind)
        return Response(
            bulk.template(columns),
            mimetype=XLSX,
            headers={"Content-Disposition": f"attachment; filename=yimen-{kind}-template.xlsx"},
        )


@blp.route("/imports/<kind>")
class Import(MethodView):
    @requires("directory.import")
    @blp.arguments(FileSchema, location="files")
    @blp.response(201, ImportResultSchema)
    def post(self, files: dict, kind: str):
        """批量导入 (全部行校验通过才写入) / Import a file: all rows or none"""
        columns, importer = _kind(kind)
        upload = files["file"]
        content = upload.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise Problem(
                413,
                "payload-too-large",
                "导入文件不能超过 5 MB。",
                "Import files are limited to 5 MB.",
            )
        rows = bulk.read_rows(content, upload.filename or "", columns)
        return {"imported": importer(db.session, rows, granter())}
