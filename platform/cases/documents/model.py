"""Issued instruments of a case (文书), their signatures, and the counters that number them.

A document's PDF is stored with its SHA-256; a signature records the hash of the exact
PDF it covers, so a later change to the stored bytes is visible. Numbers (文书字号) come
from `document_counter`, one row per agency, kind and year, incremented under a row lock
inside the issuing transaction (numbering.py): a rolled-back issue leaves no gap.

A document is numbered and its template filled inside the issuing transaction (`html`,
loaded only on demand); its PDF is rendered after commit by a worker into the blob store
(platform/kernel/blobs) under its SHA-256 (`blob_key`), and the hash is bound by a chain
event (documents/rendering.py). Until then `sha256`, `size` and `blob_key` are None: the
document is pending. Documents issued before the blob store was used keep their PDF in
the row (`pdf`, loaded only on demand) until `yimen documents move-to-blobs` moves it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from yimen.platform.cases.record.model import case_reach
from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow
from yimen.platform.kernel.db.agency_scope import scoped_by_agency


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    VOID = "void"


class SignerRole(enum.StrEnum):
    OFFICER = "officer"  # 执法人员
    PARTY = "party"  # 当事人
    WITNESS = "witness"  # 见证人
    AGENCY_SEAL = "agency_seal"  # 行政机关印章


class DocumentCounter(Base, TenantOwned):
    """The last number given for (agency, kind, year); `kind` is the document kind, or
    "案件" for case numbers (案号)."""

    __tablename__ = "document_counter"
    __table_args__ = (
        UniqueConstraint("tenant_id", "agency_id", "kind", "year"),
        tenant_fk("agency_id", "agency"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agency_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)


class CaseDocument(Base, TenantOwned):
    __tablename__ = "case_document"
    __table_args__ = (
        UniqueConstraint("tenant_id", "agency_id", "number"),
        tenant_fk("case_id", "enforcement_case"),
        tenant_fk("agency_id", "agency"),
        # The few documents waiting for the worker, for its relay (documents/rendering.py).
        Index(
            "ix_case_document_pending",
            "tenant_id",
            "issued_at",
            postgresql_where=text("sha256 IS NULL"),
            sqlite_where=text("sha256 IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    agency_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))
    number: Mapped[str | None] = mapped_column(String(60))  # None for records (笔录)
    serial: Mapped[int | None]  # the counter value inside `number`
    year: Mapped[int]
    template_version: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str | None] = mapped_column(String(64))  # None while pending
    size: Mapped[int | None]
    blob_key: Mapped[str | None] = mapped_column(String(200))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # before the blob store
    html: Mapped[str | None] = deferred(mapped_column(Text))  # the filled template, until rendered
    rendered_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(10), default=DocumentStatus.ISSUED.value)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(120))


# An agency reaches the documents of the cases it takes part in (agency_scope).
scoped_by_agency(CaseDocument, case_reach(CaseDocument.case_id))


class DocumentSignature(Base, TenantOwned):
    """One signature or seal on a document: who, in what capacity, when, and the SHA-256
    of the PDF it was put on."""

    __tablename__ = "document_signature"
    __table_args__ = (tenant_fk("document_id", "case_document"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    document_id: Mapped[uuid.UUID] = mapped_column(index=True)
    signer: Mapped[str] = mapped_column(String(200))  # officer username, party or agency name
    signer_role: Mapped[str] = mapped_column(String(20))
    image: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # PNG, small
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signed_by: Mapped[str] = mapped_column(String(120))  # the account that recorded it
