"""Public site: the region's districts and each district's page. No sign-in."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from yimen.platform.auth.permissions import public
from yimen.platform.db import db, tenant_scope
from yimen.tenants.directory.model import AGENCY_KIND_LABELS, Agency, AgencyKind, Tenant, TenantKind
from yimen.tenants.directory.service import district_or_404

bp = Blueprint("public", __name__)

# Agencies the public deals with first; oversight bodies after them.
_ORDER = {kind: n for n, kind in enumerate(AgencyKind)}


@bp.get("/")
@public
def home():
    with db.new_session() as s:
        districts = (
            s.execute(
                select(Tenant)
                .where(Tenant.kind == TenantKind.DISTRICT)
                .order_by(Tenant.division_code)
            )
            .scalars()
            .all()
        )
    return render_template("public/home.html", districts=districts)


@bp.get("/t/<slug>/")
@public
def district(slug: str):
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        agencies = s.execute(select(Agency).order_by(Agency.code)).scalars().all()
    agencies = sorted(agencies, key=lambda a: (_ORDER[a.kind], a.code))
    return render_template(
        "public/district.html", tenant=tenant, agencies=agencies, kinds=AGENCY_KIND_LABELS
    )
