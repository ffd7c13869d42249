"""Documents of a case: the list, one document's record with its signatures, its PDF, and
signing it. An agency's staff reach only their agency's cases; another district's cases
do not exist for them (404).

A document is numbered when its action commits and its PDF is rendered by a worker
right after (documents/rendering.py): until then `pdf_status` is `pending`, `sha256` and
`size` are null, and its PDF answers 409 `document-pending` with Retry-After (the
document exists and will be there; the client asks again — a 202 would announce a body
that a PDF client would take for the PDF)."""

from __future__ import annotations

import base64
import binascii
import uuid
from urllib.parse import quote

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import undefer

from yimen.platform.api.paging import PageArgs, page_of, paginate
from yimen.platform.api.problems import Bilingual, Problem, problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.documents.model import CaseDocument, DocumentSignature, SignerRole
from yimen.platform.cases.record.model import Case
from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.platform.web.blobs import blob_store

blp = Blueprint("case_documents", __name__, description="案件文书 / Case documents")


class SignatureOut(ma.Schema):
    id = ma.fields.UUID()
    signer = ma.fields.String()
    signer_role = ma.fields.String(
        metadata={"description": "officer | party | witness | agency_seal"}
    )
    image_sha256 = ma.fields.String(allow_none=True)
    pdf_sha256 = ma.fields.String(metadata={"description": "SHA-256 of the PDF signed"})
    signed_at = ma.fields.DateTime()
    signed_by = ma.fields.String()


class DocumentOut(ma.Schema):
    id = ma.fields.UUID()
    case_id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"description": "文书种类, e.g. 行政处罚决定书"})
    number = ma.fields.String(allow_none=True, metadata={"description": "文书字号"})
    year = ma.fields.Integer()
    template_version = ma.fields.String()
    sha256 = ma.fields.String(
        allow_none=True, metadata={"description": "SHA-256 of the PDF; null while pending"}
    )
    size = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(metadata={"description": "draft | issued | void"})
    pdf_status = ma.fields.Function(
        documents.pdf_status,
        metadata={
            "description": "pending (生成中: numbered, the PDF being generated) | ready",
            "enum": ["pending", "ready"],
        },
    )
    issued_at = ma.fields.DateTime()
    issued_by = ma.fields.String()
    pdf_url = ma.fields.Method("_pdf_url")

    def _pdf_url(self, document: CaseDocument) -> str:
        return f"/api/v1/cases/{document.case_id}/documents/{document.id}.pdf"


class DocumentDetailOut(DocumentOut):
    signatures = ma.fields.List(ma.fields.Nested(SignatureOut))


def _png(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ma.ValidationError(
            Bilingual("签名图像须为 base64 编码的 PNG。", "Must be a base64-encoded PNG.")
        ) from None


class SignatureIn(ma.Schema):
    signer = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "签名人: officer username, party or witness name"},
    )
    signer_role = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(
            [r.value for r in SignerRole if r is not SignerRole.AGENCY_SEAL],
            error=Bilingual(
                "签名身份应为 officer、party 或 witness。", "officer, party or witness."
            ),
        ),
    )
    image_png = ma.fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "手写签名图像, base64 PNG, ≤ 256 KB"},
    )

    @ma.post_load
    def decode(self, data, **_kw):
        if data.get("image_png"):
            data["image_png"] = _png(data["image_png"])
        return data


def _case(case_id: uuid.UUID) -> Case:
    case = db.session.get(Case, case_id)  # one the caller's agency reaches (agency_scope)
    if case is None:
        raise Problem(404, "not-found", "案件不存在。", "Case not found.")
    return case


def _document(case_id: uuid.UUID, doc_id: uuid.UUID, with_pdf: bool = False) -> CaseDocument:
    """The document of a case the caller may read; `with_pdf` loads an old row's PDF."""
    case = _case(case_id)
    query = select(CaseDocument).where(CaseDocument.id == doc_id, CaseDocument.case_id == case.id)
    if with_pdf:
        query = query.options(undefer(CaseDocument.pdf))
    document = db.session.execute(query).scalar_one_or_none()
    if document is None:
        raise Problem(404, "not-found", "文书不存在。", "Document not found.")
    return document


def _with_signatures(document: CaseDocument) -> CaseDocument:
    document.signatures = (
        db.session.execute(  # type: ignore[attr-defined] - for the schema
            select(DocumentSignature)
            .where(DocumentSignature.document_id == document.id)
            .order_by(DocumentSignature.signed_at)
        )
        .scalars()
        .all()
    )
    return document


@blp.route("/cases/<uuid:case_id>/documents")
class Documents(MethodView):
    @requires("cases.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(DocumentOut))
    def get(self, args, case_id):
        """案件文书列表 (按签发时间) / The case's documents, in order of issue"""
        case = _case(case_id)
        query = (
            select(CaseDocument)
            .where(CaseDocument.case_id == case.id)
            .order_by(CaseDocument.issued_at, CaseDocument.id)
        )
        return paginate(db.session, query, args["page"], args["page_size"])


@blp.route("/cases/<uuid:case_id>/documents/<uuid:doc_id>")
class Document(MethodView):
    @requires("cases.read")
    @blp.response(200, DocumentDetailOut)
    def get(self, case_id, doc_id):
        """文书信息及签名 / A document with its signatures"""
        return _with_signatures(_document(case_id, doc_id))


def pdf_or_pending(document: CaseDocument) -> bytes:
    """The PDF, or 409 document-pending with Retry-After while it is being generated."""
    try:
        return documents.pdf_bytes(document, blob_store())
    except documents.DocumentPending as exc:
        problem = problem_of(exc)
        problem.headers["Retry-After"] = str(documents.RETRY_AFTER_SECONDS)
        raise problem from None


@blp.route("/cases/<uuid:case_id>/documents/<uuid:doc_id>.pdf")
class DocumentPdf(MethodView):
    @requires("cases.read")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(409, description="生成中 / document-pending: retry after Retry-After")
    def get(self, case_id, doc_id):
        """文书 PDF (在线预览) / The document's PDF, shown inline"""
        document = _document(case_id, doc_id, with_pdf=True)
        pdf = pdf_or_pending(document)
        name = f"{document.kind}{('-' + document.number) if document.number else ''}.pdf"
        disposition = f"inline; filename=\"{document.id}.pdf\"; filename*=UTF-8''{quote(name)}"
        return Response(
            pdf,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": disposition,
                "X-Content-Type-Options": "nosniff",
                "ETag": f'"{document.sha256}"',
            },
        )


@blp.route("/cases/<uuid:case_id>/documents/<uuid:doc_id>/signatures")
class Signatures(MethodView):
    @requires("cases.handle")
    @blp.arguments(SignatureIn)
    @blp.response(201, SignatureOut)
    def post(self, data, case_id, doc_id):
        """签名 (绑定所签 PDF 的 SHA-256) / Sign: bound to the SHA-256 of the PDF signed"""
        document = _document(case_id, doc_id)
        return documents.add_signature(db.session, document, data, current_identity().username)
