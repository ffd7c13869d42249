"""The directory of a region: districts, their agencies, units and officers.

The records are kernel: the district is the tenancy every row belongs to, and the
officer's status and agency are the caller's identity that every request checks (the
token validator, the identity provider and every feature read them). The directory's
use cases (creating districts, changing officers, the rules they follow) are the
`yimen.tenants.directory` feature."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import JSON, Enum, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yimen.platform.kernel.db import (
    Base,
    TenantOwned,
    Timestamped,
    citus_reference,
    new_id,
    tenant_fk,
)


class TenantStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class TenantKind(enum.StrEnum):
    DISTRICT = "district"
    REGION = "region"  # the platform operator's own realm; holds no enforcement data


class AgencyKind(enum.StrEnum):
    """Agency kinds of DESIGN.md's domain model."""

    ENFORCEMENT = "enforcement"
    COMPREHENSIVE_BUREAU = "comprehensive_bureau"
    BUSINESS_REGULATOR = "business_regulator"
    LEGAL_AFFAIRS = "legal_affairs"
    PROCURATORATE = "procuratorate"
    POLICE = "police"
    DISCIPLINE = "discipline"
    TOWNSHIP = "township"
    OPERATOR = "operator"  # the platform operator's organisation, in the region realm


AGENCY_KIND_LABELS: dict[AgencyKind, tuple[str, str]] = {
    AgencyKind.ENFORCEMENT: ("行政执法部门", "Enforcement agency"),
    AgencyKind.COMPREHENSIVE_BUREAU: ("综合行政执法局", "Comprehensive enforcement bureau"),
    AgencyKind.BUSINESS_REGULATOR: ("业务主管部门", "Business regulator"),
    AgencyKind.LEGAL_AFFAIRS: ("司法行政(法制)部门", "Legal-affairs office"),
    AgencyKind.PROCURATORATE: ("人民检察院", "Procuratorate"),
    AgencyKind.POLICE: ("公安机关", "Police"),
    AgencyKind.DISCIPLINE: ("纪检监察机关", "Discipline inspection"),
    AgencyKind.TOWNSHIP: ("乡镇(街道)", "Township or subdistrict"),
    AgencyKind.OPERATOR: ("平台运营机构", "Platform operator"),
}


class UnitKind(enum.StrEnum):
    PROFESSIONAL = "professional"  # 专业分局
    TERRITORIAL = "territorial"  # 区域分局 / 中队
    TOWNSHIP_SQUAD = "township_squad"  # 乡镇(街道)执法中队
    OFFICE = "office"  # 内设科室


class OfficerStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


def _enum(e: type[enum.Enum]) -> Enum:
    return Enum(e, native_enum=False, length=32, values_callable=lambda x: [m.value for m in x])


class Tenant(Base, Timestamped):
    """A district (区/县): the hard boundary of data, identity and configuration."""

    __tablename__ = "tenant"
    __audited__ = True
    # The registry of districts: every distributed table's key to it holds on each node.
    __table_args__ = citus_reference()

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    division_code: Mapped[str] = mapped_column(String(6), unique=True)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    status: Mapped[TenantStatus] = mapped_column(_enum(TenantStatus), default=TenantStatus.ACTIVE)
    kind: Mapped[TenantKind] = mapped_column(
        _enum(TenantKind), default=TenantKind.DISTRICT, server_default=TenantKind.DISTRICT.value
    )
    suspended_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)


class Agency(Base, TenantOwned, Timestamped):
    __tablename__ = "agency"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        UniqueConstraint("tenant_id", "credit_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(160), default="")
    credit_code: Mapped[str] = mapped_column(String(18))
    kind: Mapped[AgencyKind] = mapped_column(_enum(AgencyKind))
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    has_compulsory_power: Mapped[bool] = mapped_column(default=False)
    doc_prefix: Mapped[str] = mapped_column(String(20), default="")
    staffing_quota: Mapped[int] = mapped_column(default=0)
    # The account fines are paid into, printed on the decision (处罚法 第六十七条):
    # {"name": 户名, "bank": 开户银行, "number": 账号}; None until the administrator sets it.
    payment_account: Mapped[dict | None] = mapped_column(JSON)

    units: Mapped[list[Unit]] = relationship(back_populates="agency", lazy="raise")


class Unit(Base, TenantOwned, Timestamped):
    """A sub-bureau, brigade, squad or office; units form a tree inside an agency."""

    __tablename__ = "unit"
    __audited__ = True
    __table_args__ = (tenant_fk("agency_id", "agency"), tenant_fk("parent_id", "unit"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agency_id: Mapped[uuid.UUID] = mapped_column(index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind))
    grid: Mapped[str] = mapped_column(String(200), default="")

    agency: Mapped[Agency] = relationship(back_populates="units", lazy="raise")


class Officer(Base, TenantOwned, Timestamped):
    """A person who signs in; enforcement officers also hold a certificate."""

    __tablename__ = "officer"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "username"),
        UniqueConstraint("tenant_id", "certificate_no"),
        tenant_fk("agency_id", "agency"),
        tenant_fk("unit_id", "unit"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agency_id: Mapped[uuid.UUID] = mapped_column(index=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    username: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(50))
    # Identity subject at the district's issuer (the `sub` claim).
    subject: Mapped[str] = mapped_column(String(64), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(40))
    certificate_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    certificate_valid_until: Mapped[dt.date | None]
    # 法律职业资格 (行政处罚法 第五十八条第二款): required of those who first took up legal
    # review after 2021-07-15; the certificate and its date, and the day of the first review.
    legal_qualification_no: Mapped[str | None] = mapped_column(String(40))
    legal_qualification_on: Mapped[dt.date | None]
    first_legal_review_on: Mapped[dt.date | None]
    status: Mapped[OfficerStatus] = mapped_column(
        _enum(OfficerStatus), default=OfficerStatus.ACTIVE
    )

    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="RoleAssignment.role"
    )

    @property
    def roles(self) -> list[str]:
        return [a.role for a in self.role_assignments]


class RoleAssignment(Base, TenantOwned):
    """An officer holds a role within an agency (or district-wide, agency_id NULL)."""

    __tablename__ = "role_assignment"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "officer_id", "role"),
        tenant_fk("officer_id", "officer"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    officer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(40))
