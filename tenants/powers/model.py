"""The catalog (region-wide) and each district's adoption and assignment (tenant-owned)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yimen.platform.kernel.db import (
    Base,
    TenantOwned,
    Timestamped,
    citus_reference,
    new_id,
    tenant_fk,
    utcnow,
)
from yimen.tenants.powers.rules import provision


class EnforcementMatter(Base, Timestamped):
    """执法事项: a violation, its legal basis and penalties, from the regional catalog.

    `law` + `article` are the penalty provision (处罚依据, the article that sets the
    penalty, clause included); `basis` lists the provisions the act violates (违法依据)
    as [{law, article, clause}] where they are not the penalty article itself. Amounts
    are whole yuan. `version` counts changes of legal substance; `effective_from` /
    `effective_to` bound the entry's validity (处罚法 第三十七条: the law at the time of
    the act applies, so a case can tell which version held)."""

    __tablename__ = "enforcement_matter"
    __table_args__ = citus_reference()

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(40), index=True)
    law: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(60))
    basis: Mapped[list[dict]] = mapped_column(JSON, default=list)
    penalty_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    party_type: Mapped[str] = mapped_column(String(20), default="any")
    fine_min: Mapped[int | None]  # yuan
    fine_max: Mapped[int | None]
    fine_rule: Mapped[str] = mapped_column(Text, default="")
    benchmark: Mapped[list[dict]] = mapped_column(JSON, default=list)
    is_major: Mapped[bool] = mapped_column(default=False)
    criminal_threshold: Mapped[str] = mapped_column(Text, default="")
    threshold_values: Mapped[list[dict]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    effective_from: Mapped[dt.date] = mapped_column(default=dt.date.today)
    effective_to: Mapped[dt.date | None]
    origin: Mapped[str] = mapped_column(String(10), default="starter")  # starter | import

    @property
    def legal_basis(self) -> str:
        return f"{self.law}{self.article}"

    @property
    def penalty_basis(self) -> dict:
        return provision(self.law, self.article) or {
            "law": self.law,
            "article": self.article,
            "clause": "",
        }

    @property
    def violated(self) -> list[dict]:
        """The provisions violated: `basis`, or the penalty article where none is given."""
        return self.basis or [self.penalty_basis]

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


class MatterAdoption(Base, TenantOwned):
    """A district takes a catalog matter onto its power list."""

    __tablename__ = "matter_adoption"
    __table_args__ = (UniqueConstraint("tenant_id", "matter_id"),)
    __audited__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    matter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enforcement_matter.id"), index=True)
    adopted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    on_major_list: Mapped[bool] = mapped_column(default=False)

    matter: Mapped[EnforcementMatter] = relationship(lazy="joined")


class MatterAssignment(Base, TenantOwned):
    """Which agency holds an adopted matter, from when to when. At most one current
    assignment per adoption, guaranteed by a partial unique index."""

    __tablename__ = "matter_assignment"
    __table_args__ = (
        Index(
            "uq_matter_assignment_current",
            "tenant_id",
            "adoption_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
            sqlite_where=text("valid_to IS NULL"),
        ),
        tenant_fk("adoption_id", "matter_adoption"),
        tenant_fk("agency_id", "agency"),
    )
    __audited__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    adoption_id: Mapped[uuid.UUID] = mapped_column(index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(index=True)
    valid_from: Mapped[dt.datetime] = mapped_column(default=utcnow)
    valid_to: Mapped[dt.datetime | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
