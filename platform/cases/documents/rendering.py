"""Rendering issued documents after commit: the PDF into the blob store, its hash into the
case's chain.

The issuing action (documents.issue) takes the number and fills the template inside its
own transaction, and keeps the filled HTML on the row (`case_document.html`): what the
document says is fixed when it is issued (处罚法 第五十九条: the decision as decided),
whatever the case becomes before the worker runs. When that transaction commits, each
document it issued is sent to the `render_document` actor (`install`: the outbox's
pattern: nothing leaves the process before the commit, a rolled-back issue sends
nothing). The actor, with no transaction and no lock held:

1. reads the row; a document that already has its PDF is done (a retry or a second
   message renders nothing);
2. renders the HTML to PDF (WeasyPrint) and puts it into the blob store under its SHA-256
   (content-addressed: writing the same bytes twice is one blob);
3. in one short transaction appends `document_rendered` to the case's hash-chained
   record (events.append locks the case row, as every append does) and sets the row's
   hash, size and blob key only if it is still pending (`UPDATE … WHERE sha256 IS NULL`):
   of two runs racing past step 1 exactly one commits its event; the other rolls back
   and removes the blob it created. A sealed kind gets its agency seal here, bound to
   that hash (处罚法 第五十九条: the decision bears the seal of the agency).

Until then the document is `pending`: the API says so (`pdf_status`), its PDF answers
409 with Retry-After, the console shows 生成中, and it cannot be signed. A message lost
on the way (the embedded broker keeps messages in memory) is found again by
`render_pending_documents`, every minute.

Documents issued before this existed keep their PDF in the row (`case_document.pdf`);
`pdf_bytes` reads either, and `move_to_blobs` (`yimen documents move-to-blobs`) moves the
old ones into the store.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid

import dramatiq
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, undefer

from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.documents.model import CaseDocument
from yimen.platform.cases.record import log as events
from yimen.platform.cases.record.model import Case
from yimen.platform.kernel.audit.recorder import Actor, acting_as
from yimen.platform.kernel.blobs import BlobStore
from yimen.platform.kernel.db import db, tenant_scope, utcnow

log = logging.getLogger(__name__)

QUEUE = "yimen.documents"
RENDERED = "document_rendered"  # the chain event that binds a document's SHA-256
SYSTEM_ACTOR = "system:documents"
JOB_ACTOR = Actor(SYSTEM_ACTOR)
RELAY_AFTER = dt.timedelta(minutes=2)  # a message sent at commit has had its chance
_store: BlobStore | None = None


def configure(store: BlobStore) -> None:
    """Called by the composition root with the blob store it chose."""
    global _store
    _store = store


def store() -> BlobStore:
    if _store is None:
        raise RuntimeError("the document blob store is not configured (create_app does it)")
    return _store


# --- the issuing side: sent once the transaction commits -----------------------------


def _send_after_commit(session: Session) -> None:
    for tenant_id, document_id in session.info.pop(documents.TO_RENDER, []):
        try:
            render_document.send(str(tenant_id), str(document_id))
        except dramatiq.errors.DramatiqError:
            log.warning("document %s not sent for rendering; the relay finds it", document_id)


def _forget(session: Session, _previous=None) -> None:
    session.info.pop(documents.TO_RENDER, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _send_after_commit):
        event.listen(session_class, "after_commit", _send_after_commit)
        event.listen(session_class, "after_soft_rollback", _forget)


# --- the worker's side --------------------------------------------------------------


def render_now(tenant_id: uuid.UUID, document_id: uuid.UUID) -> bool:
    """Render one pending document, store it and bind its hash; True when this call did
    it, False when there was nothing to do (already rendered, or no such document)."""
    with tenant_scope(tenant_id), acting_as(JOB_ACTOR):
        with db.new_session() as s:
            document = s.execute(
                select(CaseDocument)
                .where(CaseDocument.id == document_id)
                .options(undefer(CaseDocument.html))
            ).scalar_one_or_none()
            if document is None or document.sha256 is not None or document.html is None:
                return False
            kind, html = document.kind, document.html
        # No transaction is open from here to the put: rendering holds no lock.
        pdf = documents.render_pdf(html)
        blob = store().put(io.BytesIO(pdf))
        committed = False
        try:
            with db.new_session() as s:
                if _bind(s, document_id, blob.key, blob.sha256, blob.size):
                    s.commit()
                    committed = True
                else:
                    s.rollback()
        finally:
            if blob.created and not committed:
                store().delete(blob.key)  # another run's PDF is the document, or none yet
        if committed:
            return True
        log.info("document %s (%s) was rendered by another run", document_id, kind)
        return False


def _bind(session: Session, document_id: uuid.UUID, key: str, sha256: str, size: int) -> bool:
    """Append the chain event and fill the pending row; False when it is not pending."""
    document = session.get(CaseDocument, document_id)
    case = session.get(Case, document.case_id) if document else None
    if document is None or case is None or document.sha256 is not None:
        return False
    entry = {**documents.entry(document), "sha256": sha256, "size": size}
    events.append(session, case, RENDERED, case.stage, SYSTEM_ACTOR, {"documents": [entry]})
    done = session.execute(
        update(CaseDocument)
        .where(CaseDocument.id == document_id, CaseDocument.sha256.is_(None))
        .values(sha256=sha256, size=size, blob_key=key, html=None, rendered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return False
    session.refresh(document)
    documents.seal_if_sealed(session, document)
    return True


@dramatiq.actor(queue_name=QUEUE, max_retries=5, min_backoff=2_000, max_backoff=120_000)
def render_document(tenant_id: str, document_id: str) -> None:
    """Render an issued document into the blob store and bind its hash in the chain."""
    render_now(uuid.UUID(tenant_id), uuid.UUID(document_id))


def pending(before: dt.datetime | None = None) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant, document) of every document still waiting for its PDF, issued before
    `before` (all when None), over every district."""
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_ids = s.execute(select(Tenant.id)).scalars().all()
    found = []
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id), db.new_session() as s:
            query = select(CaseDocument.id).where(CaseDocument.sha256.is_(None))
            if before is not None:
                query = query.where(CaseDocument.issued_at < before)
            found += [(tenant_id, d) for d in s.execute(query).scalars()]
    return found


@dramatiq.actor(queue_name="yimen.system", max_retries=0)
def render_pending_documents() -> None:
    """Every minute: send again the documents whose message was lost (a restart of the
    embedded broker) or whose retries ran out."""
    for tenant_id, document_id in pending(utcnow() - RELAY_AFTER):
        render_document.send(str(tenant_id), str(document_id))


# --- documents issued before: their PDF from the row into the store ------------------


def move_to_blobs(batch: int = 100) -> int:
    """Move the PDFs kept in `case_document.pdf` into the blob store, district by
    district, `batch` rows per transaction; returns how many. The hash is checked
    against the row's before the bytes leave the row; running it again moves nothing."""
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_ids = s.execute(select(Tenant.id)).scalars().all()
    moved = 0
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            while True:
                with db.new_session() as s:
                    rows = (
                        s.execute(
                            select(CaseDocument)
                            .where(CaseDocument.pdf.is_not(None))
                            .options(undefer(CaseDocument.pdf))
                            .limit(batch)
                        )
                        .scalars()
                        .all()
                    )
                    if not rows:
                        break
                    for document in rows:
                        blob = store().put(io.BytesIO(document.pdf or b""))
                        if blob.sha256 != document.sha256:
                            raise ValueError(
                                f"document {document.id}: the stored PDF does not match its "
                                "SHA-256; nothing more was moved"
                            )
                        document.blob_key, document.pdf = blob.key, None
                    s.commit()
                    moved += len(rows)
    return moved
