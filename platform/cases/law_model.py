"""The district's hearing thresholds (较大数额, 处罚法 第六十三条): set by provinces or
ministries, not nationally (rules.md §1.4), so each district keeps its own table."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.db import Base, TenantOwned, new_id, utcnow


class HearingThreshold(Base, TenantOwned):
    """From `amount_fen` (inclusive) a fine or a confiscation carries the hearing right
    for a person (个人, 个体工商户 too) or an organisation; `source` names the rule."""

    __tablename__ = "hearing_threshold"
    __table_args__ = (UniqueConstraint("tenant_id", "party_kind", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    party_kind: Mapped[str] = mapped_column(String(20))  # person | organisation
    kind: Mapped[str] = mapped_column(String(20))  # fine | confiscation
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
