"""Versioned procedure definitions (platform) and overrides (district or agency)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, TenantOwned, citus_reference, new_id, tenant_fk, utcnow


class WorkflowDefinition(Base):
    """A published version of a procedure in the platform library; immutable."""

    __tablename__ = "workflow_definition"
    __table_args__ = (UniqueConstraint("kind", "version"), citus_reference())

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    definition: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    published_by: Mapped[str] = mapped_column(String(120))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WorkflowOverride(Base, TenantOwned):
    """A district's (agency_id NULL) or an agency's delta on a procedure; each version is
    kept, the newest is in force, and cases pin the versions they started under."""

    __tablename__ = "workflow_override"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "agency_id", "version"),
        tenant_fk("agency_id", "agency"),
    )
    __audited__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    version: Mapped[int]
    delta: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    published_by: Mapped[str] = mapped_column(String(120))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
