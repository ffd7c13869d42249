"""Photos and videos a complainant attaches to a clue: sniffed, limited, kept in the
blob store under their SHA-256, all or none."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from sqlalchemy import BigInteger, Select, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from yimen.platform.api.problems import FieldError, Problem
from yimen.platform.kernel.blobs import BlobStore, BlobTooLarge, StoredBlob
from yimen.platform.kernel.blobs.uploads import Prefixed, display_name
from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow

# The limits of a complaint, in one place.
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# Sniffed media type -> extension. Phones take HEIC; MP4 for short videos.
ACCEPTED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "video/mp4": "mp4",
}
SNIFF_BYTES = 8192  # what filetype looks at
FIELD = "photos"


def max_body() -> int:
    """The largest complaint body: every file at its limit, and room for the fields."""
    return MAX_FILES * MAX_FILE_BYTES + 1024 * 1024


class ClueAttachment(Base, TenantOwned):
    __tablename__ = "clue_attachment"
    __table_args__ = (tenant_fk("clue_id", "clue"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    clue_id: Mapped[uuid.UUID] = mapped_column(index=True)
    blob_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))  # sniffed, never the client's
    filename: Mapped[str] = mapped_column(String(200), default="")  # for display only
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Upload:
    """One file stored for a clue that is not written yet."""

    blob: StoredBlob
    media_type: str
    filename: str


def _refused(zh: str, en: str) -> Problem:
    return Problem(422, "attachment-refused", zh, en, errors=[FieldError(FIELD, zh, en)])


def _store_one(store: BlobStore, number: int, name: str | None, stream: BinaryIO) -> Upload:
    head = stream.read(SNIFF_BYTES)
    kind = filetype.guess(head) if head else None
    if kind is None or kind.mime not in ACCEPTED:
        raise _refused(
            f"第{number}个文件不是允许的照片或视频格式 (JPEG、PNG、WebP、HEIC 或 MP4)。",
            f"File {number} is not an accepted photo or video (JPEG, PNG, WebP, HEIC or MP4).",
        )
    try:
        blob = store.put(Prefixed(head, stream), max_bytes=MAX_FILE_BYTES)
    except BlobTooLarge:
        mb = MAX_FILE_BYTES // (1024 * 1024)
        raise _refused(
            f"第{number}个文件超过{mb} MB，请压缩后再上传。",
            f"File {number} is larger than {mb} MB; make it smaller.",
        ) from None
    return Upload(blob, kind.mime, display_name(name))


def store_files(store: BlobStore, files: Sequence[tuple[str | None, BinaryIO]]) -> list[Upload]:
    """Store a complaint's files, or none of them: the first bad file (type sniffed
    from the content, size while reading, count) refuses the lot with a 422 on
    `photos`, and the blobs this call created are removed."""
    if len(files) > MAX_FILES:
        raise _refused(
            f"最多上传{MAX_FILES}个照片或视频文件。",
            f"At most {MAX_FILES} photo or video files.",
        )
    uploads: list[Upload] = []
    try:
        for number, (name, stream) in enumerate(files, start=1):
            uploads.append(_store_one(store, number, name, stream))
    except BaseException:
        discard(store, uploads)
        raise
    return uploads


def discard(store: BlobStore, uploads: Iterable[Upload]) -> None:
    """Remove the blobs a failed request created (not content that was already there)."""
    for upload in uploads:
        if upload.blob.created:
            store.delete(upload.blob.key)


def attach(session: Session, clue_id: uuid.UUID, uploads: Iterable[Upload]) -> None:
    """Add the rows in the caller's transaction: they are written with the clue or not."""
    for u in uploads:
        session.add(
            ClueAttachment(
                clue_id=clue_id,
                blob_key=u.blob.key,
                sha256=u.blob.sha256,
                size=u.blob.size,
                media_type=u.media_type,
                filename=u.filename,
            )
        )


def of_clue(clue_id: uuid.UUID) -> Select:
    return (
        select(ClueAttachment)
        .where(ClueAttachment.clue_id == clue_id)
        .order_by(ClueAttachment.created_at, ClueAttachment.id)
    )


def get(session: Session, clue_id: uuid.UUID, attachment_id: uuid.UUID) -> ClueAttachment:
    found = session.execute(
        of_clue(clue_id).where(ClueAttachment.id == attachment_id)
    ).scalar_one_or_none()
    if found is None:
        raise Problem(404, "not-found", "附件不存在。", "Attachment not found.")
    return found


def download_name(attachment: ClueAttachment) -> str:
    """The shown name with the extension of what the content is."""
    stem = attachment.filename.rsplit(".", 1)[0] if "." in attachment.filename else ""
    return f"{stem or attachment.id}.{ACCEPTED.get(attachment.media_type, 'bin')}"
