"""Evidence files of a case: photos, videos, sound recordings and documents an officer
collects (处罚法 第四十六条 的证据, 第四十七条 的全过程记录), streamed into the blob
store under their SHA-256 — up to YIMEN_EVIDENCE_MAX_BYTES (2 GB), never whole in
memory — with what the device says about the capture (time, place, device).

Each file is also an `add_evidence` action of the case engine: its SHA-256 goes into
the hash-chained record, so the file can later be checked against the chain. A file the
engine refuses (the case is not at a stage that takes evidence) leaves no blob and no
row. An offline record re-sent by the mobile app with the same client id is the same
evidence, stored once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import filetype
from sqlalchemy import BigInteger, Float, Select, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from yimen.platform.cases import registry as actions
from yimen.platform.cases.law import entered_dates
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import Case, case_reach
from yimen.platform.cases.registry import act
from yimen.platform.cases.schemas import EVIDENCE_KINDS
from yimen.platform.cases.service import refused
from yimen.platform.kernel.blobs import BlobStore, BlobTooLarge, StoredBlob
from yimen.platform.kernel.blobs.uploads import Prefixed as _Prefixed
from yimen.platform.kernel.blobs.uploads import display_name
from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow
from yimen.platform.kernel.db.agency_scope import scoped_by_agency
from yimen.platform.kernel.errors import Conflict, FieldProblem, Invalid, TooLarge, not_found
from yimen.platform.kernel.identity import Identity

SHANGHAI = ZoneInfo("Asia/Shanghai")
SNIFF_BYTES = 8192  # what filetype looks at
# Sniffed media type -> extension. Never the client's Content-Type or file name.
PHOTOS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/avif": "avif",
    "image/gif": "gif",
    "image/tiff": "tif",
    "image/bmp": "bmp",
}
VIDEOS = {"video/mp4": "mp4", "video/quicktime": "mov", "video/3gpp": "3gp"}
AUDIO = {"audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/x-wav": "wav", "audio/amr": "amr"}
DOCUMENTS = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
ACCEPTED = PHOTOS | VIDEOS | AUDIO | DOCUMENTS
KIND_NAMES = {
    "documentary": "书证",
    "physical": "物证",
    "audio_visual": "视听资料",
    "electronic_data": "电子数据",
    "witness": "证人证言",
    "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见",
    "inspection_record": "勘验笔录、现场笔录",
}


class CaseEvidence(Base, TenantOwned):
    """One evidence file of a case; its sha256 is the one in the case's chain."""

    __tablename__ = "case_evidence"
    __table_args__ = (
        UniqueConstraint("tenant_id", "client_id"),
        tenant_fk("case_id", "enforcement_case"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    blob_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))  # sniffed, never the client's
    kind: Mapped[str] = mapped_column(String(30))  # 处罚法 第四十六条, EVIDENCE_KINDS
    title: Mapped[str] = mapped_column(String(200))
    captured_at: Mapped[dt.datetime | None]  # as the device says
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    device: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    client_id: Mapped[str | None] = mapped_column(String(100))  # the mobile app's own id


# An agency reaches the evidence of the cases it takes part in (agency_scope).
scoped_by_agency(CaseEvidence, case_reach(CaseEvidence.case_id))


@dataclass(frozen=True)
class Capture:
    """What the uploader says about the file (headers of the upload)."""

    kind: str
    title: str
    captured_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    device: str = ""
    client_id: str | None = None
    collected: dt.date | None = None  # the day the agency collected it, as entered

    def collected_on(self, act_started: dt.date | None) -> dt.date:
        """The day of collection (law/entered_dates.py checks it): as entered; else the
        capture's day in Shanghai — unless the capture is older than the act (a photo of
        the place before), which this case collected the day it was uploaded; else today."""
        if self.collected is not None:
            return self.collected
        today = utcnow().astimezone(SHANGHAI).date()
        if self.captured_at is None:
            return today
        captured = self.captured_at.astimezone(SHANGHAI).date()
        return today if act_started is not None and captured < act_started else captured


def act_started(case: Case) -> dt.date | None:
    return entered_dates.record_of(case, {})["act_started"]  # type: ignore[return-value]


def _invalid(header: str, zh: str, en: str) -> Invalid:
    return Invalid("invalid-evidence", zh, en, fields=[FieldProblem(header, zh, en)])


def _text(headers: Mapping[str, str], name: str, limit: int, label: str) -> str:
    raw = headers.get(name, "")
    try:
        if not raw.isascii():  # raw UTF-8 in a header arrives as Latin-1 mojibake
            raise UnicodeDecodeError("utf-8", b"", 0, 0, "not percent-encoded")
        value = unquote(raw, encoding="utf-8", errors="strict").strip()
    except UnicodeDecodeError:
        raise _invalid(
            name, f"{label}须为百分号编码的 UTF-8 文本。", f"{name} must be percent-encoded UTF-8."
        ) from None
    if len(value) > limit:
        raise _invalid(name, f"{label}最多{limit}个字。", f"{name} has at most {limit} characters.")
    return value


def _coordinate(headers: Mapping[str, str], name: str, bound: float) -> float | None:
    raw = headers.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -bound <= value <= bound:  # nan fails too
        raise _invalid(
            name,
            f"{name} 须为 -{bound:g} 至 {bound:g} 之间的度数。",
            f"{name}: degrees within ±{bound:g}.",
        )
    return value


def _captured_at(headers: Mapping[str, str]) -> dt.datetime | None:
    raw = headers.get("X-Captured-At", "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise _invalid(
            "X-Captured-At",
            "拍摄/采集时间须为带时区的 ISO 8601 时间，如 2026-11-20T09:30:00+08:00。",
            "X-Captured-At must be an ISO 8601 time with an offset, e.g. 2026-11-20T09:30:00+08:00.",
        )
    return value


def _collected(headers: Mapping[str, str]) -> dt.date | None:
    raw = headers.get("X-Collected-On", "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _invalid(
            "X-Collected-On",
            "证据收集日期须为 ISO 8601 日期，如 2026-11-20。",
            "X-Collected-On must be an ISO 8601 date, e.g. 2026-11-20.",
        ) from None


def read_capture(headers: Mapping[str, str]) -> Capture:
    """The upload's headers, checked before a byte of the file is read."""
    kind = headers.get("X-Evidence-Kind", "").strip()
    if kind not in EVIDENCE_KINDS:
        raise _invalid(
            "X-Evidence-Kind",
            "证据种类须为《行政处罚法》第四十六条规定的八种之一：" + "、".join(KIND_NAMES.values()),
            "X-Evidence-Kind must be one of the eight kinds of 处罚法 第四十六条: "
            + ", ".join(EVIDENCE_KINDS),
        )
    title = _text(headers, "X-Evidence-Title", 200, "证据名称")
    if not title:
        raise _invalid("X-Evidence-Title", "请填写证据名称。", "X-Evidence-Title is required.")
    return Capture(
        collected=_collected(headers),
        kind=kind,
        title=title,
        captured_at=_captured_at(headers),
        latitude=_coordinate(headers, "X-Captured-Lat", 90),
        longitude=_coordinate(headers, "X-Captured-Lng", 180),
        device=_text(headers, "X-Device", 200, "采集设备"),
        client_id=_text(headers, "X-Client-Id", 100, "离线记录编号") or None,
    )


def by_client_id(session: Session, client_id: str | None) -> CaseEvidence | None:
    if not client_id:
        return None
    return session.execute(
        select(CaseEvidence).where(CaseEvidence.client_id == client_id)
    ).scalar_one_or_none()


def resent(session: Session, case: Case, client_id: str | None) -> CaseEvidence | None:
    """The evidence an earlier upload with this client id created (a re-sync from the
    mobile app); the same id on another case is a 409."""
    found = by_client_id(session, client_id)
    if found is not None and found.case_id != case.id:
        raise Conflict(
            "client-id-reused",
            "该离线记录编号已用于其他案件的证据。",
            "This offline record id was already used for evidence of another case.",
        )
    return found


def check_takes_evidence(case: Case) -> None:
    """Refuse before reading the body when the case is at no stage that takes evidence
    (the engine checks again when it records it)."""
    view = rules.CaseView(procedure=case.procedure, stage=case.stage, status=case.status)
    try:
        actions.check_where("add_evidence", view)
    except rules.Refusal as exc:
        raise refused(exc) from exc


def _head(stream: BinaryIO) -> bytes:
    """Up to SNIFF_BYTES from the start (a chunked body may hand out less per read)."""
    head = b""
    while len(head) < SNIFF_BYTES and (chunk := stream.read(SNIFF_BYTES - len(head))):
        head += chunk
    return head


def too_large(limit: int) -> TooLarge:
    mb = limit / (1024 * 1024)
    return TooLarge(
        "evidence-too-large",
        f"证据文件超过{mb:g} MB 的上限，未保存。",
        f"The evidence file is larger than {mb:g} MB; nothing was stored.",
    )


def store_file(store: BlobStore, stream: BinaryIO, limit: int) -> tuple[StoredBlob, str]:
    """Sniff the type from the first bytes, then stream the file into the store, hashing
    as it goes; past `limit` the reading stops (TooLarge) and nothing is kept."""
    head = _head(stream)
    sniffed = filetype.guess(head) if head else None
    if sniffed is None or sniffed.mime not in ACCEPTED:
        raise _invalid(
            "body",
            "文件内容不是可接受的证据格式 (照片、MP4/MOV 视频、MP3/M4A/WAV/AMR 录音、PDF 或 Office 文档)。",
            "The content is not an accepted evidence format (photo, MP4/MOV video, "
            "MP3/M4A/WAV/AMR audio, PDF or an office document).",
        )
    try:
        blob = store.put(_Prefixed(head, stream), max_bytes=limit)
    except BlobTooLarge:
        raise too_large(limit) from None
    return blob, sniffed.mime


def record(
    session: Session,
    store: BlobStore,
    case: Case,
    stored: tuple[StoredBlob, str],
    capture: Capture,
    identity: Identity,
    version: int | None = None,
) -> tuple[CaseEvidence, bool]:
    """The evidence row and the engine's add_evidence event, in one commit. On any
    refusal or failure the blob this upload created is removed. Returns the evidence
    and whether it is new (False: the same client id won a race and is returned).
    `version`: the case as the uploader saw it (the console's form), else the latest."""
    blob, media_type = stored
    evidence = CaseEvidence(
        case_id=case.id,
        blob_key=blob.key,
        sha256=blob.sha256,
        size=blob.size,
        media_type=media_type,
        kind=capture.kind,
        title=capture.title,
        captured_at=capture.captured_at,
        latitude=capture.latitude,
        longitude=capture.longitude,
        device=capture.device,
        uploaded_by=identity.username,
        client_id=capture.client_id,
    )
    data = {
        "kind": capture.kind,
        "title": capture.title,
        "sha256": blob.sha256,
        "collected_on": capture.collected_on(act_started(case)).isoformat(),
    }
    if capture.client_id:
        data["client_id"] = capture.client_id
    try:
        session.add(evidence)
        act(session, case, "add_evidence", data, identity, version)
        if evidence in session.new:  # the engine had this client id already: not written
            raise _AlreadyRecorded
    except (_AlreadyRecorded, IntegrityError):
        session.rollback()
        _discard(store, blob)
        if (earlier := resent(session, case, capture.client_id)) is not None:
            return earlier, False
        if capture.client_id:
            raise Conflict(
                "client-id-reused",
                "该离线记录编号已用于其他操作。",
                "This offline record id was already used for another action.",
            ) from None
        raise Conflict(
            "concurrent-change",
            "案件刚被他人处理，请重新上传。",
            "Someone else just acted on this case; upload again.",
        ) from None
    except BaseException:
        session.rollback()
        _discard(store, blob)
        raise
    return evidence, True


class _AlreadyRecorded(Exception):
    pass


def _discard(store: BlobStore, blob: StoredBlob) -> None:
    """Only a blob this upload created (the same content may belong to other records)."""
    if blob.created:
        store.delete(blob.key)


def of_case(case_id: uuid.UUID) -> Select:
    return (
        select(CaseEvidence)
        .where(CaseEvidence.case_id == case_id)
        .order_by(CaseEvidence.created_at, CaseEvidence.id)
    )


def get(session: Session, case_id: uuid.UUID, evidence_id: uuid.UUID) -> CaseEvidence:
    found = session.execute(
        of_case(case_id).where(CaseEvidence.id == evidence_id)
    ).scalar_one_or_none()
    if found is None:
        raise not_found("证据不存在。", "Evidence not found.")
    return found


def download_name(evidence: CaseEvidence) -> str:
    """The title as the file name, with the extension of what the content is."""
    return (
        f"{display_name(evidence.title) or evidence.id}.{ACCEPTED.get(evidence.media_type, 'bin')}"
    )
