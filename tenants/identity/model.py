"""Provisioning jobs, written in the same transaction as the directory change."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.db import Base, TenantOwned, new_id, utcnow

PENDING, DONE, FAILED = "pending", "done", "failed"


class ProvisioningTask(Base, TenantOwned):
    __tablename__ = "provisioning_task"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(20))  # district / agency / officer
    entity_id: Mapped[uuid.UUID]
    operation: Mapped[str] = mapped_column(String(20))  # ensure / enable / disable
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
