"""The district's hearing thresholds (较大数额, 处罚法 第六十三条): set by provinces or
ministries, not nationally (e.g. 沪府令77号 for Shanghai), so each district keeps its own table; and the
flags a case carries for supervision, each with its rule and article (flags.py)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from yimen.platform.kernel.db import Base, TenantOwned, new_id, tenant_fk, utcnow


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
    source_number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Confirmed by the district's administrator as the district's own (thresholds.py):
    # until then the engine applies no more than the lowest standard it knows.
    confirmed_by: Mapped[str] = mapped_column(String(120), default="")
    confirmed_at: Mapped[dt.datetime | None]


class CaseFlag(Base, TenantOwned):
    """A fact supervision must see, with the rule and the article it offends (a late act
    recorded as it happened, the decision limit near or passed). At most one open flag
    per case and rule: the same fact is never flagged twice; `resolved_at` closes it."""

    __tablename__ = "case_flag"
    __table_args__ = (
        Index(
            "uq_case_flag_open",
            "tenant_id",
            "case_id",
            "rule",
            unique=True,
            postgresql_where=text("resolved_at IS NULL"),
            sqlite_where=text("resolved_at IS NULL"),
        ),
        tenant_fk("case_id", "enforcement_case"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(index=True)
    rule: Mapped[str] = mapped_column(String(60))
    article: Mapped[str] = mapped_column(String(200), default="")
    reason_zh: Mapped[str] = mapped_column(String(500), default="")
    reason_en: Mapped[str] = mapped_column(String(500), default="")
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
