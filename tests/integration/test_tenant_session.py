"""The ORM session scopes every query and write to the current tenant (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yimen.platform.kernel.db import TenantMismatch, db, tenant_scope
from yimen.platform.kernel.directory import Agency, AgencyKind


def test_queries_return_only_the_current_tenants_rows(app, new_district):
    a, b = new_district("甲区"), new_district("乙区")
    for tenant in (a, b):
        with tenant_scope(tenant.id), db.new_session() as s:
            s.add(
                Agency(
                    code="zf",
                    name=f"{tenant.name}执法局",
                    credit_code=tenant.division_code * 3,
                    kind=AgencyKind.ENFORCEMENT,
                )
            )
            s.commit()
    with tenant_scope(a.id), db.new_session() as s:
        names = s.execute(select(Agency.name)).scalars().all()
    assert names == ["甲区执法局"]


def test_with_no_current_tenant_nothing_is_visible(app, new_district):
    with db.new_session() as s:
        assert s.execute(select(Agency)).scalars().all() == []


def test_a_row_cannot_be_written_into_another_tenant(app, new_district):
    a, b = new_district(), new_district()
    with tenant_scope(a.id), db.new_session() as s:
        s.add(
            Agency(
                tenant_id=b.id, code="x", name="越权", credit_code="1" * 18, kind=AgencyKind.POLICE
            )
        )
        with pytest.raises(TenantMismatch):
            s.flush()


def test_a_write_with_no_current_tenant_is_refused(app):
    with db.new_session() as s:
        s.add(Agency(code="x", name="无主", credit_code="2" * 18, kind=AgencyKind.POLICE))
        with pytest.raises(TenantMismatch):
            s.flush()
