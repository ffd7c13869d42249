"""Officers read the photos and videos attached to a clue (the public never does)."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.intake import attachments, service
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.platform.web.blobs import blob_store, send_blob

blp = Blueprint(
    "clue_attachments", __name__, description="线索附件 (照片、视频) / Clue attachments"
)


class AttachmentSchema(ma.Schema):
    id = ma.fields.UUID()
    clue_id = ma.fields.UUID()
    filename = ma.fields.String(metadata={"description": "上传时的文件名，仅供显示 / display only"})
    media_type = ma.fields.String(metadata={"description": "按内容识别的类型 / sniffed type"})
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


@blp.route("/clues/<uuid:clue_id>/attachments")
class Attachments(MethodView):
    @requires("clues.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(AttachmentSchema))
    def get(self, args, clue_id: uuid.UUID):
        """线索的附件 / The attachments of a clue"""
        service.readable_clue(db.session, clue_id)
        return paginate(db.session, attachments.of_clue(clue_id), args["page"], args["page_size"])


@blp.route("/clues/<uuid:clue_id>/attachments/<uuid:attachment_id>")
class AttachmentFile(MethodView):
    @requires("clues.read")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, clue_id: uuid.UUID, attachment_id: uuid.UUID):
        """下载附件 (按识别的类型，作为附件下载) / Download an attachment
        ---
        Sent with the sniffed Content-Type, as an attachment, with nosniff."""
        service.readable_clue(db.session, clue_id)
        found = attachments.get(db.session, clue_id, attachment_id)
        return send_blob(
            blob_store(), found.blob_key, found.media_type, attachments.download_name(found)
        )
