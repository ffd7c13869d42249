"""Provisioning jobs, written in the same transaction as the directory change, and the
actions an officer must complete at the built-in provider before working."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATUSES = (PENDING, RUNNING, DONE, FAILED)


class ProvisioningTask(Base, TenantOwned):
    """One directory change to mirror at the identity provider. `last_error` holds
    the adapter's own message (step and status code), never personal data."""

    __tablename__ = "provisioning_task"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(20))  # district / agency / officer
    entity_id: Mapped[uuid.UUID]
    operation: Mapped[str] = mapped_column(String(20))  # ensure / roles / enable / disable
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


UPDATE_PASSWORD = "UPDATE_PASSWORD"


class RequiredAction(Base, TenantOwned):
    """Something the officer must do at their next sign-in to the built-in provider,
    named as Keycloak names its required actions (`UPDATE_PASSWORD`). The sign-in
    form reads these; completing the action deletes the row."""

    __tablename__ = "identity_required_action"
    __table_args__ = (
        UniqueConstraint("tenant_id", "officer_id", "action"),
        tenant_fk("officer_id", "officer"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    officer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
