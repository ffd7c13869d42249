"""The gateway's tables: the connectors a region offers, each district's subscriptions
to them, and one delivery row per event and connector."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, TenantOwned, citus_reference, new_id, utcnow

PENDING, SENT, HELD, DEAD, SKIPPED = "pending", "sent", "held", "dead", "skipped"
STATUSES = (PENDING, SENT, HELD, DEAD, SKIPPED)
UNSENT = (PENDING, HELD, DEAD)  # what holds the later records of the same aggregate


class GatewayConnector(Base):
    """A connector the platform operator offers the region (region-wide reference data):
    what it is, where it sends by default, which event types it can take, how fast."""

    __tablename__ = "gateway_connector"
    __table_args__ = citus_reference()

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # soap | rest | sms
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    default_endpoint: Mapped[str] = mapped_column(String(300), default="")
    event_types: Mapped[list] = mapped_column(JSON, default=list)
    rate_limit: Mapped[str] = mapped_column(String(40), default="")  # "20/second"; "" = none
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GatewaySubscription(Base, TenantOwned):
    """A district's use of one connector: on or off, which events of which agencies
    (none listed: all), where to, and the credentials (encrypted, never read back)."""

    __tablename__ = "gateway_subscription"
    __table_args__ = (UniqueConstraint("tenant_id", "connector"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(
        String(40), ForeignKey("gateway_connector.name", ondelete="RESTRICT")
    )
    enabled: Mapped[bool] = mapped_column(default=False)
    event_types: Mapped[list] = mapped_column(JSON, default=list)
    agency_codes: Mapped[list] = mapped_column(JSON, default=list)
    endpoint: Mapped[str] = mapped_column(String(300), default="")
    credentials: Mapped[str] = mapped_column(Text, default="")  # a MultiFernet token
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GatewayDelivery(Base, TenantOwned):
    """One event for one connector. `key` is `event_id:connector`, so publishing the
    same event again adds nothing. `in_doubt` says an attempt may have reached the
    upstream without our knowing its outcome (an ambiguous failure, or a worker that died
    mid-call): the next attempt asks the upstream before it sends again."""

    __tablename__ = "gateway_delivery"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        Index("ix_gateway_delivery_due", "tenant_id", "status", "next_attempt_at"),
        Index("ix_gateway_delivery_order", "tenant_id", "connector", "aggregate_key", "sequence"),
        # a day's sent rows (reconciliation); not led by (tenant_id, connector): with that
        # prefix the planner, before statistics, probed it for the claim's "older unsent
        # row" check and scanned a district's whole backlog for every row
        Index("ix_gateway_delivery_sent", "tenant_id", "sent_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[uuid.UUID]
    connector: Mapped[str] = mapped_column(String(40))
    aggregate_key: Mapped[str] = mapped_column(String(80))
    sequence: Mapped[int]
    topic: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    in_doubt: Mapped[bool] = mapped_column(default=False)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    upstream_ref: Mapped[str] = mapped_column(String(120), default="")
    decided_by: Mapped[str] = mapped_column(String(120), default="")  # who re-drove / skipped
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class GatewayReconciliation(Base, TenantOwned):
    """One comparison, for one connector and one day (UTC), of what we delivered with what
    the upstream says it holds: counts and hashes of both sides, and the drift — records
    missing upstream (re-sent), extra upstream (reported: we never sent them) and
    differing (same record, another data version). A later run for the same day replaces
    it."""

    __tablename__ = "gateway_reconciliation"
    __table_args__ = (UniqueConstraint("tenant_id", "connector", "day"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(String(40))
    day: Mapped[dt.date]
    sent_count: Mapped[int] = mapped_column(default=0)
    upstream_count: Mapped[int] = mapped_column(default=0)
    sent_hash: Mapped[str] = mapped_column(String(64), default="")
    upstream_hash: Mapped[str] = mapped_column(String(64), default="")
    missing: Mapped[list] = mapped_column(JSON, default=list)  # our keys the upstream lacks
    extra: Mapped[list] = mapped_column(JSON, default=list)  # upstream keys we never sent
    differing: Mapped[list] = mapped_column(JSON, default=list)
    resent: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(300), default="")
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GatewayBackfill(Base, TenantOwned):
    """A district's backfill of its existing cases to one connector: where it got to
    (`cursor`, the last case id published, in id order), so that an interrupted run goes
    on from there, and how far along it is (for the console's progress bar)."""

    __tablename__ = "gateway_backfill"
    __table_args__ = (UniqueConstraint("tenant_id", "connector"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    connector: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | done
    cursor: Mapped[str] = mapped_column(String(40), default="")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)  # cases looked at
    published: Mapped[int] = mapped_column(default=0)  # events published
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
