"""Creating a district and filling its directory (used by the CLI, the demo and tests)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yimen.platform.api.problems import FieldError, Problem
from yimen.platform.idp.model import Credential
from yimen.platform.kernel.db import tenant_scope
from yimen.platform.kernel.directory import (
    Agency,
    AgencyKind,
    Officer,
    RoleAssignment,
    Tenant,
    TenantKind,
    TenantStatus,
    Unit,
    UnitKind,
)
from yimen.platform.kernel.feature import DistrictDefault
from yimen.tenants.directory.rules import OK, check_division_code, check_slug
from yimen.tenants.identity import tasks as provisioning
from yimen.tenants.identity.ports import DistrictRef

REGION_SLUG = "platform"


def set_tenant_status(
    session: Session, tenant_id: uuid.UUID, status: TenantStatus, reason: str = ""
) -> Tenant:
    """Suspend or resume a district. Its officers are refused at once (the token
    validator reads the status on every request); its public pages stay readable."""
    session.rollback()
    with tenant_scope(tenant_id):  # the audit entry belongs to the district concerned
        tenant = session.execute(select(Tenant).where(Tenant.id == tenant_id)).scalar_one_or_none()
        if tenant is None or tenant.kind != TenantKind.DISTRICT:
            raise Problem(404, "not-found", "区不存在。", "District not found.")
        tenant.status = status
        tenant.suspended_reason = reason if status == TenantStatus.SUSPENDED else ""
        session.commit()
    return tenant


class TenantExists(Problem):
    def __init__(self, field: str, value: str) -> None:
        zh = f"{'标识' if field == 'slug' else '行政区划代码'} {value} 已被其他区使用。"
        en = f"The {field} {value} is already used by another district."
        super().__init__(409, "tenant-exists", zh, en, errors=[FieldError(field, zh, en)])


def create_tenant(
    session: Session,
    slug: str,
    name: str,
    division_code: str,
    public_url: str,
    name_en: str = "",
    kind: TenantKind = TenantKind.DISTRICT,
    defaults: Iterable[DistrictDefault] = (),
) -> Tenant:
    """A district, written in one transaction under the new district's id (so its audit
    entry is its own). The identity provider is asked through the provisioning port only:
    what must exist at once (the built-in provider's signing key and console client) in
    this transaction, the rest by the provisioning job. `defaults` are what the other
    features give every new district (the composition root collects them from each
    `Feature.district_defaults`); each runs in the new district's scope and only flushes.
    (`public_url` is kept for the callers; the adapter knows its own.)"""
    slug_ok = OK if kind == TenantKind.REGION and slug == REGION_SLUG else check_slug(slug)
    for verdict, field_name in (
        (slug_ok, "slug"),
        (check_division_code(division_code), "division_code"),
    ):
        if not verdict.ok:
            raise Problem(
                422,
                "invalid-tenant",
                verdict.zh,
                verdict.en,
                errors=[FieldError(field_name, verdict.zh, verdict.en)],
            )
    taken = session.execute(
        select(Tenant.slug, Tenant.division_code).where(
            or_(Tenant.slug == slug, Tenant.division_code == division_code)
        )
    ).first()
    session.rollback()
    if taken:
        field = "slug" if taken.slug == slug else "division_code"
        raise TenantExists(field, slug if field == "slug" else division_code)
    tenant_id = uuid.uuid4()
    with tenant_scope(tenant_id):
        tenant = Tenant(
            id=tenant_id,
            slug=slug,
            name=name,
            name_en=name_en,
            division_code=division_code,
            kind=kind,
        )
        session.add(tenant)
        session.flush()
        provisioning.provisioner().district_created(session, DistrictRef(slug, name))
        provisioning.request(session, "district", tenant.id)
        if kind == TenantKind.DISTRICT:
            for give_default in defaults:
                give_default(session)
        session.commit()
    return tenant


@dataclass
class OfficerSpec:
    username: str
    name: str
    roles: tuple[str, ...] = ("officer",)
    certificate_no: str | None = None
    domains: tuple[str, ...] = ()
    valid_until: dt.date | None = None
    unit: str | None = None
    legal_qualification_no: str | None = None  # 法律职业资格 (处罚法 第五十八条第二款)
    legal_qualification_on: dt.date | None = None


@dataclass
class AgencySpec:
    code: str
    name: str
    name_en: str
    credit_code: str
    kind: AgencyKind
    domains: tuple[str, ...] = ()
    doc_prefix: str = ""
    has_compulsory_power: bool = False
    staffing_quota: int = 0
    units: tuple[tuple[str, UnitKind], ...] = ()
    officers: tuple[OfficerSpec, ...] = field(default_factory=tuple)


def add_agency(session: Session, spec: AgencySpec, password_hash: str | None = None) -> Agency:
    """Adds an agency with its units and officers to the current tenant; with
    `password_hash` (werkzeug format) each officer can sign in at the built-in provider."""
    agency = Agency(
        code=spec.code,
        name=spec.name,
        name_en=spec.name_en,
        credit_code=spec.credit_code,
        kind=spec.kind,
        domains=list(spec.domains),
        doc_prefix=spec.doc_prefix,
        has_compulsory_power=spec.has_compulsory_power,
        staffing_quota=spec.staffing_quota,
    )
    session.add(agency)
    session.flush()
    units = {}
    for unit_name, kind in spec.units:
        unit = Unit(agency_id=agency.id, name=unit_name, kind=kind)
        session.add(unit)
        units[unit_name] = unit
    session.flush()
    for o in spec.officers:
        officer_id = uuid.uuid4()
        officer = Officer(
            id=officer_id,
            agency_id=agency.id,
            username=o.username,
            name=o.name,
            subject=str(officer_id),
            certificate_no=o.certificate_no,
            certificate_domains=list(o.domains),
            certificate_valid_until=o.valid_until,
            unit_id=units[o.unit].id if o.unit else None,
            legal_qualification_no=o.legal_qualification_no,
            legal_qualification_on=o.legal_qualification_on,
        )
        session.add(officer)
        session.flush()
        for role in o.roles:
            session.add(RoleAssignment(officer_id=officer.id, role=role))
        if password_hash:
            session.add(Credential(officer_id=officer.id, password_hash=password_hash))
    session.flush()
    return agency
