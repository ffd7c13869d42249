"""Inbox rows and pull cursors, in the tenant of the district the record is for."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, TenantOwned, new_id, utcnow


class InboxRecord(Base, TenantOwned):
    """One record from outside, once per (connector, natural key): a replay is a no-op.
    `processed_at` and `result` (the clue's receipt code for a 12345 order) say what
    became of it; `error` the last reason it could not be handled yet. The payload may
    hold personal data (a reporter's phone): it is never logged."""

    __tablename__ = "gateway_inbox"
    __table_args__ = (UniqueConstraint("tenant_id", "connector", "natural_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(String(40))
    natural_key: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    result: Mapped[str] = mapped_column(String(120), default="")
    error: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(default=0)


class PullCursor(Base, TenantOwned):
    """Where a district's pull of a source stands (the upstream's own cursor)."""

    __tablename__ = "gateway_cursor"
    __table_args__ = (UniqueConstraint("tenant_id", "connector", "stream"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(String(40))
    stream: Mapped[str] = mapped_column(String(60))
    cursor: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundEnvelope(Base, TenantOwned):
    """The raw request of every authenticated call on an inbound service (a SOAP
    envelope as it came), kept for audit: who sent it, on which connector and operation,
    the record's natural key when it named one, and how it was answered (`OK` or the
    fault's code). It holds personal data (a reporter's phone): it is never logged, and
    only the district administrator reads it."""

    __tablename__ = "gateway_envelope"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(60))
    client_id: Mapped[str] = mapped_column(String(64))
    natural_key: Mapped[str] = mapped_column(String(120), default="", index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)


class SeenNonce(Base, TenantOwned):
    """A WS-Security nonce an inbound service accepted, per sender, for as long as a
    token carrying it could be fresh: shared by every process serving the district, so a
    captured request sent again to another process is refused too."""

    __tablename__ = "gateway_nonce"
    __table_args__ = (UniqueConstraint("tenant_id", "username", "nonce"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(100))
    created: Mapped[dt.datetime] = mapped_column(index=True)
