"""Worker bookkeeping (region-wide, not tenant-owned)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, citus_local, utcnow


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeat"
    __table_args__ = citus_local()  # each worker process's own row, read by /readyz

    worker: Mapped[str] = mapped_column(String(100), primary_key=True)
    beat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    beats: Mapped[int] = mapped_column(default=0)
