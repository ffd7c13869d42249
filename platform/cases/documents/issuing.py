"""The standard instruments of a case (文书): which a stage needs, rendering to PDF,
numbering, storing and signing.

- `required_documents(definition, stage_id)` — the kinds the pinned workflow's stage needs.
- `render(kind, context) -> bytes` — a PDF (WeasyPrint, Noto CJK); `UnknownKind` for a
  kind without a template.
- `issue(session, case, kind, context, actor) -> CaseDocument` — number (gapless per
  agency, kind and year; numbering.py), fill the template from the case and `context`
  (document_context.py lists the keys each kind reads) and keep the filled HTML on the
  row, pending. It flushes and never commits: the number is the caller's only if its
  transaction commits, and only then is the document sent to be rendered
  (documents/rendering.py: after commit, a worker renders the PDF into the blob store, binds
  its SHA-256 with a chain event and, for kinds that carry the agency's seal, records
  the seal as a signature over that hash). No PDF is rendered while the number's row
  lock is held.
- `pdf_bytes(document, store)` — the PDF of a rendered document: from the blob store, or
  from the row for documents issued before the store was used; `DocumentPending` while
  the worker has not rendered it.
- `sign(session, document, signer, role, image_png, actor)` — a signature bound to the
  SHA-256 of the PDF it was put on.
- `issued_kinds(session, case_id)`, `case_number(session, case)` for the case engine.

Templates are Jinja HTML under templates/documents/, loaded by an environment of their
own (not Flask's), so that a worker can issue without a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.cases.documents import context as document_context
from yimen.platform.cases.documents import numbering
from yimen.platform.cases.documents.model import (
    CaseDocument,
    DocumentSignature,
    DocumentStatus,
    SignerRole,
)
from yimen.platform.cases.record.model import Case
from yimen.platform.kernel.blobs import BlobNotFound, BlobStore
from yimen.platform.kernel.db import current_tenant_id, new_id, utcnow
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import Conflict, FieldProblem, Invalid, Unavailable

TEMPLATES = Path(__file__).parent / "templates" / "documents"
TO_RENDER = "yimen_documents_to_render"  # session.info: issued in this transaction
PZ = "《中华人民共和国行政处罚法》"
QZ = "《中华人民共和国行政强制法》"
# WeasyPrint logs each rendering step at INFO; the access log is enough.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Kind:
    template: str
    sealed: bool = False  # the agency's seal is applied at issue (处罚法 第五十九条)
    required: tuple[tuple[str, str], ...] = ()  # (context path, what it is), article below
    article: str = ""


_DECISION_REQUIRED = (
    ("party.name", "当事人的姓名或者名称"),
    ("party.address", "当事人的地址"),
    ("case.facts", "违反法律、法规、规章的事实和证据"),
    ("penalty_text", "行政处罚的种类"),
    ("penalty_basis", "行政处罚的依据"),
)

KINDS: dict[str, Kind] = {
    "立案审批表": Kind("filing_approval.html"),
    "不予立案决定书": Kind("not_filed.html", True, (("reason", "不予立案的理由"),)),
    "现场检查笔录": Kind("inspection_record.html"),
    "现场笔录": Kind("measure_record.html"),  # 行政强制法 第十八条第(七)项
    "询问笔录": Kind("inquiry_record.html"),
    "责令改正通知书": Kind(
        "correction_order.html", True, (("content", "改正的内容"),), f"{PZ}第二十八条"
    ),
    "查封扣押决定书": Kind(
        "seizure_decision.html",
        True,
        (
            *_DECISION_REQUIRED[:2],
            ("measure.reason", "查封、扣押的理由"),
            ("measure.basis", "查封、扣押的依据"),
            ("measure.items_list", "查封、扣押财物的名称、数量"),
        ),
        f"{QZ}第二十四条",
    ),
    "查封扣押清单": Kind(
        "seizure_inventory.html",
        False,
        (("measure.items_list", "查封、扣押财物的名称、数量"),),
        f"{QZ}第二十四条",
    ),
    "延长查封、扣押期限决定书": Kind(
        "seizure_extension.html", True, (("extension.reason", "延长的理由"),), f"{QZ}第二十五条"
    ),
    "检测、检验、检疫、技术鉴定期间告知书": Kind(
        "testing_notice.html",
        True,
        (("testing.what", "检测、检验、检疫或者技术鉴定的事项"),),
        f"{QZ}第二十五条第三款",
    ),
    "解除查封、扣押决定书": Kind(
        "seizure_release.html",
        True,
        (("release.ground_text", "解除的理由"), ("release.returned", "退还的财物")),
        f"{QZ}第二十八条",
    ),
    "先行登记保存通知书": Kind(
        "preservation_notice.html",
        True,
        (("preservation.items", "先行登记保存的证据"),),
        f"{PZ}第五十六条",
    ),
    "行政处罚事先告知书": Kind(
        "prior_notice.html",
        True,
        _DECISION_REQUIRED[:1] + _DECISION_REQUIRED[2:],
        f"{PZ}第四十四条",
    ),
    "听证通知书": Kind("hearing_notice.html", True),
    "听证笔录": Kind("hearing_record.html"),
    "法制审核意见书": Kind(
        "legal_review.html", False, (("opinion", "审核意见"),), f"{PZ}第五十八条"
    ),
    "集体讨论记录": Kind("discussion_record.html"),
    "行政处罚决定书": Kind("decision.html", True, _DECISION_REQUIRED, f"{PZ}第五十九条"),
    "不予行政处罚决定书": Kind(
        "no_penalty_decision.html",
        True,
        (
            *_DECISION_REQUIRED[:2],
            ("ground_text", "不予行政处罚的事实和理由"),
            ("basis", "不予行政处罚的依据"),
        ),
        f"{PZ}第五十七条",
    ),
    "当场处罚决定书": Kind("on_spot_decision.html", True, _DECISION_REQUIRED, f"{PZ}第五十二条"),
    "送达回证": Kind("service_receipt.html"),
    "催告书": Kind("demand.html", True),
    "强制执行决定书": Kind("execution_decision.html", True),
    "强制执行申请书": Kind("court_application.html", True),
    "代履行决定书": Kind(
        "substitute_performance.html",
        True,
        (
            ("party.name", "当事人的姓名或者名称"),
            ("reason", "代履行的理由和依据"),
            ("method", "代履行的方式和时间"),
            ("target", "代履行的标的"),
            ("budget_yuan", "费用预算"),
            ("performer", "代履行人"),
        ),
        "《中华人民共和国行政强制法》第五十一条",
    ),
    "结案审批表": Kind("closure_approval.html"),
}


class UnknownKind(LookupError):
    """A document kind with no template."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"no template for document kind {kind!r}; known: {', '.join(KINDS)}")
        self.kind = kind


def unknown_kind(kind: str) -> Invalid:
    return Invalid(
        "document-kind-unknown",
        f"文书「{kind}」没有模板，无法生成。",
        f"There is no template for the document '{kind}'.",
    )


def required_documents(definition: dict, stage_id: str) -> list[str]:
    """The kinds of document the stage `stage_id` of a pinned workflow definition needs."""
    for stage in definition.get("stages", []):
        if stage["id"] == stage_id:
            return [d["kind"] for d in stage.get("documents", [])]
    raise KeyError(f"no stage {stage_id!r} in workflow {definition.get('kind')!r}")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def template_version(kind: str) -> str:
    """The first 12 hex digits of the SHA-256 over the kind's template and its includes."""
    digest = hashlib.sha256()
    for name in ("_base.html", "_party.html", "_officers_sign.html", spec(kind).template):
        digest.update((TEMPLATES / name).read_bytes())
    return f"t-{digest.hexdigest()[:12]}"


def spec(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind(kind) from None


def render_html(kind: str, context: dict) -> str:
    kind_spec = spec(kind)
    values = {"title": kind, "sealed": kind_spec.sealed, "number": None, **context}
    return _environment().get_template(kind_spec.template).render(values)


def render(kind: str, context: dict) -> bytes:
    """The PDF of a document of `kind` filled with `context`."""
    return render_pdf(render_html(kind, context))


def render_pdf(html: str) -> bytes:
    """The PDF of a filled template (WeasyPrint, Noto CJK)."""
    from weasyprint import HTML  # imported late: ~0.3 s, and only rendering needs it

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def _value(context: dict, path: str):
    value = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def check_complete(kind: str, context: dict) -> None:
    """A document whose mandatory contents are missing is not issued."""
    kind_spec = spec(kind)
    missing = [(path, what) for path, what in kind_spec.required if not _value(context, path)]
    if missing:
        raise Invalid(
            "document-incomplete",
            f"「{kind}」缺少法定内容：{'、'.join(w for _, w in missing)}（{kind_spec.article}）。",
            f"The {kind} lacks mandatory contents ({kind_spec.article}).",
            fields=[
                FieldProblem(path, f"缺少{what}。", f"Missing: {path}.") for path, what in missing
            ],
        )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def issue(
    session: Session,
    case: Case,
    kind: str,
    context: dict,
    actor: str,
    *,
    now: dt.datetime | None = None,
) -> CaseDocument:
    """Number a document of `kind` for `case` and fill its template; does not commit.
    The PDF is rendered after the caller commits (documents/rendering.py): until then the
    document is pending (`sha256` is None)."""
    kind_spec = KINDS.get(kind)
    if kind_spec is None:
        raise unknown_kind(kind)
    now = now or utcnow()
    agency = session.get(Agency, case.agency_id)
    values = document_context.build(session, case, kind, dict(context))
    check_complete(kind, values)  # before a number is taken
    number, serial = None, None
    if numbering.numbered(kind):
        number, serial = numbering.next_number(session, agency, kind, now)
    values.update(
        number=number,
        issued_on_zh=document_context.zh_date(now),
        issued_by=actor,
        sealed=kind_spec.sealed,
    )
    document = CaseDocument(
        id=new_id(),
        case_id=case.id,
        agency_id=case.agency_id,
        kind=kind,
        number=number,
        serial=serial,
        year=numbering.year_of(now),
        template_version=template_version(kind),
        html=render_html(kind, values),  # what it says is fixed now; the PDF follows
        status=DocumentStatus.ISSUED.value,
        issued_at=now,
        issued_by=actor,
    )
    session.add(document)
    session.flush()
    # Sent to the worker when the caller's transaction commits (rendering.install).
    tenant = document.tenant_id or current_tenant_id()
    session.info.setdefault(TO_RENDER, []).append((tenant, document.id))
    return document


def entry(document: CaseDocument) -> dict:
    """How a chain event names a document it issued: its id, kind and number (its hash
    is bound by the `document_rendered` event that follows once it is rendered)."""
    return {"id": str(document.id), "kind": document.kind, "number": document.number}


def is_pending(document: CaseDocument) -> bool:
    """Issued, its PDF not rendered yet."""
    return document.sha256 is None


def pdf_status(document: CaseDocument) -> str:
    return "pending" if is_pending(document) else "ready"


class DocumentPending(Conflict):
    """The document is numbered and issued; its PDF is still being generated."""


RETRY_AFTER_SECONDS = 5


def pending_error() -> DocumentPending:
    return DocumentPending(
        "document-pending",
        "文书正在生成中，请稍后再试。",
        "The document is being generated; try again in a few seconds.",
        extra={"pdf_status": "pending", "retry_after": RETRY_AFTER_SECONDS},
    )


def pdf_bytes(document: CaseDocument, store: BlobStore) -> bytes:
    """The PDF of a rendered document: from the blob store, or from the row for a
    document issued before the store was used (`pdf` must then be loaded)."""
    if is_pending(document):
        raise pending_error()
    if document.blob_key:
        try:
            with store.open(document.blob_key) as stream:
                return stream.read()
        except BlobNotFound:
            raise Unavailable(
                "document-file-missing",
                "文书 PDF 文件暂时无法读取，请联系系统管理员。",
                "The document's PDF cannot be read from the file store; tell the operator.",
            ) from None
    if document.pdf is None:
        raise pending_error()
    return document.pdf


def seal_if_sealed(session: Session, document: CaseDocument) -> None:
    """The agency's seal on a sealed kind, as a signature over the rendered PDF's hash
    (处罚法 第五十九条: the decision bears the seal of the agency), dated at issue."""
    if not spec(document.kind).sealed or document.sha256 is None:
        return
    agency = session.get(Agency, document.agency_id)
    _seal(session, document, agency, document.issued_by, document.issued_at)


def _seal(session: Session, document: CaseDocument, agency: Agency, actor: str, now) -> None:
    session.add(
        DocumentSignature(
            document_id=document.id,
            signer=agency.name,
            signer_role=SignerRole.AGENCY_SEAL.value,
            pdf_sha256=document.sha256,
            signed_at=now,
            signed_by=actor,
        )
    )


MAX_SIGNATURE_PNG = 256 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sign(
    session: Session,
    document: CaseDocument,
    signer: str,
    role: str,
    image_png: bytes | None,
    actor: str = "",
) -> DocumentSignature:
    """Record a signature on the document's current PDF; does not commit."""
    errors: list[FieldProblem] = []
    if role not in {r.value for r in SignerRole}:
        errors.append(FieldProblem("signer_role", "签名身份不正确。", "Unknown signer role."))
    if not signer.strip():
        errors.append(FieldProblem("signer", "须填写签名人。", "Name the signer."))
    if image_png is not None and (
        not image_png.startswith(PNG_MAGIC) or len(image_png) > MAX_SIGNATURE_PNG
    ):
        errors.append(
            FieldProblem("image", "签名图像须为 256 KB 以内的 PNG。", "A PNG of 256 KB at most.")
        )
    if errors:
        raise Invalid("invalid-signature", "签名无效。", "Invalid signature.", fields=errors)
    if is_pending(document):
        raise pending_error()  # a signature binds the hash of the PDF it is put on
    if document.status != DocumentStatus.ISSUED.value:
        raise Conflict(
            "document-not-issued", "该文书未签发或已作废。", "The document is not issued."
        )
    signature = DocumentSignature(
        document_id=document.id,
        signer=signer.strip(),
        signer_role=role,
        image=image_png,
        image_sha256=sha256(image_png) if image_png else None,
        pdf_sha256=document.sha256,
        signed_at=utcnow(),
        signed_by=actor,
    )
    session.add(signature)
    session.flush()
    return signature


def add_signature(session: Session, document: CaseDocument, data: dict, actor: str):
    """Use case: record a signature and commit."""
    signature = sign(
        session, document, data["signer"], data["signer_role"], data.get("image_png"), actor
    )
    session.commit()
    return signature


def issued_kinds(session: Session, case_id: uuid.UUID) -> frozenset[str]:
    """The kinds issued for a case (not void)."""
    rows = session.execute(
        select(CaseDocument.kind).where(
            CaseDocument.case_id == case_id, CaseDocument.status == DocumentStatus.ISSUED.value
        )
    ).scalars()
    return frozenset(rows)


def case_number(session: Session, case: Case, *, now: dt.datetime | None = None) -> str:
    """The case number (案号) given at filing approval: 玄综执立〔2026〕3号, gapless like
    the documents' numbers."""
    agency = session.get(Agency, case.agency_id)
    number, _ = numbering.next_number(session, agency, numbering.CASE_NUMBER, now or utcnow())
    return number
