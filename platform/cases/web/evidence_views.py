"""Evidence files of a case over the API: stream one up (the raw file as the body, what
it is in headers), list them, download one (处罚法 第四十六条、第四十七条)."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases import service
from yimen.platform.cases.evidence import files as evidence
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.platform.web.blobs import accepts_uploads, blob_store, send_blob

blp = Blueprint("case_evidence", __name__, description="案件证据文件 / Case evidence files")


def evidence_limit() -> int:
    return current_app.extensions["yimen.settings"].evidence_max_bytes


def _body_limit() -> int:
    """One byte over the limit: werkzeug refuses a streamed body that reaches its limit
    even when it ends there; the store refuses past the exact limit."""
    return evidence_limit() + 1


def _mine(case_id: uuid.UUID):
    return service.get_case(db.session, case_id)


class EvidenceSchema(ma.Schema):
    id = ma.fields.UUID()
    case_id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"description": "处罚法 第四十六条 的证据种类"})
    kind_label = ma.fields.Function(lambda e: evidence.KIND_NAMES.get(e.kind, e.kind))
    title = ma.fields.String()
    media_type = ma.fields.String(metadata={"description": "按内容识别的类型 / sniffed type"})
    size = ma.fields.Integer()
    sha256 = ma.fields.String(metadata={"description": "与案件全过程记录中的一致 / as chained"})
    captured_at = ma.fields.AwareDateTime(allow_none=True)
    latitude = ma.fields.Float(allow_none=True)
    longitude = ma.fields.Float(allow_none=True)
    device = ma.fields.String()
    uploaded_by = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    client_id = ma.fields.String(allow_none=True)


def _header(name: str, description: str, required: bool = False) -> dict:
    return {
        "in": "header",
        "name": name,
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "description": "文件本身 (原始字节，流式上传，不超过 YIMEN_EVIDENCE_MAX_BYTES，默认 2 GB)"
        " / the file itself as the raw body, streamed",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    "parameters": [
        _header("X-Evidence-Kind", "证据种类：" + " | ".join(evidence.KIND_NAMES), True),
        _header("X-Evidence-Title", "证据名称，百分号编码的 UTF-8 / percent-encoded UTF-8", True),
        _header("X-Captured-At", "拍摄/采集时间，带时区的 ISO 8601 / with offset"),
        _header(
            "X-Collected-On",
            "证据收集日期 (默认拍摄之日)，不晚于今天、不早于违法行为开始之日 / collected on",
        ),
        _header("X-Captured-Lat", "纬度 / latitude (WGS-84 degrees)"),
        _header("X-Captured-Lng", "经度 / longitude (WGS-84 degrees)"),
        _header("X-Device", "采集设备，百分号编码 / capturing device, percent-encoded"),
        _header("X-Client-Id", "离线记录编号：重复上传返回已有证据 / offline id: re-sent = same"),
    ],
}


@blp.route("/cases/<uuid:case_id>/evidence")
class EvidenceFiles(MethodView):
    @requires("cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(EvidenceSchema))
    def get(self, args, case_id: uuid.UUID):
        """案件的证据文件 / The evidence files of a case"""
        _mine(case_id)
        return paginate(db.session, evidence.of_case(case_id), args["page"], args["page_size"])

    @requires("cases.handle")
    @accepts_uploads(_body_limit)
    @blp.doc(**UPLOAD_DOC)
    @blp.response(201, EvidenceSchema)
    @blp.alt_response(200, description="同一离线记录编号已上传过：返回原证据 / already uploaded")
    @blp.alt_response(413, description="超过大小上限，未保存 / too large, nothing stored")
    @blp.alt_response(422, description="种类、名称或文件格式不符，未保存 / refused, nothing stored")
    def post(self, case_id: uuid.UUID):
        """上传证据文件 (照片、视频、录音、文档) / Upload an evidence file
        ---
        The body is read in chunks into the blob store while its SHA-256 is computed;
        the type is sniffed from the content. The file is recorded as an add_evidence
        action, its SHA-256 in the case's hash chain; a refused action keeps nothing."""
        case = _mine(case_id)
        capture = evidence.read_capture(request.headers)
        if (earlier := evidence.resent(db.session, case, capture.client_id)) is not None:
            return earlier, 200
        evidence.check_takes_evidence(case)
        db.session.rollback()  # no transaction stays open while the file streams in
        store = blob_store()
        try:  # werkzeug refuses a declared length past the limit, or a longer stream
            stored = evidence.store_file(store, request.stream, evidence_limit())
        except RequestEntityTooLarge:
            raise evidence.too_large(evidence_limit()) from None
        found, new = evidence.record(
            db.session, store, _mine(case_id), stored, capture, current_identity()
        )
        return found, 201 if new else 200


@blp.route("/cases/<uuid:case_id>/evidence/<uuid:evidence_id>/content")
class EvidenceContent(MethodView):
    @requires("cases.read")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, case_id: uuid.UUID, evidence_id: uuid.UUID):
        """下载证据文件 (支持 Range 断点续传) / Download an evidence file (Range supported)
        ---
        Sent as an attachment with the sniffed type and nosniff; the ETag is its SHA-256."""
        _mine(case_id)
        found = evidence.get(db.session, case_id, evidence_id)
        return send_blob(
            blob_store(),
            found.blob_key,
            found.media_type,
            evidence.download_name(found),
            size=found.size,
            etag=found.sha256,
        )
