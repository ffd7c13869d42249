"""Public site: the region's districts and each district's page. No sign-in.

A suspended district's pages stay readable (what has been published stays published);
only the services that take something in from the public say they are paused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, redirect, render_template, url_for
from sqlalchemy import select

from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import (
    AGENCY_KIND_LABELS,
    Agency,
    AgencyKind,
    Tenant,
    TenantKind,
    TenantStatus,
)
from yimen.platform.kernel.permissions import public
from yimen.platform.web.pages import harden
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers.domains import DOMAINS

bp = Blueprint("public", __name__)
bp.after_request(harden)

# Agencies the public deals with first (the comprehensive bureau takes most complaints),
# oversight bodies after them.
_ORDER = {
    kind: n
    for n, kind in enumerate(
        (
            AgencyKind.COMPREHENSIVE_BUREAU,
            AgencyKind.ENFORCEMENT,
            AgencyKind.BUSINESS_REGULATOR,
            AgencyKind.TOWNSHIP,
            AgencyKind.LEGAL_AFFAIRS,
            AgencyKind.POLICE,
            AgencyKind.PROCURATORATE,
            AgencyKind.DISCIPLINE,
            AgencyKind.OPERATOR,
        )
    )
}
OVERSIGHT = frozenset(
    {AgencyKind.LEGAL_AFFAIRS, AgencyKind.PROCURATORATE, AgencyKind.POLICE, AgencyKind.DISCIPLINE}
)


@dataclass(frozen=True)
class EntryPoint:
    """A service of the district page and the endpoint (taking `slug`) that provides it.

    The page links to it once a capability registers that endpoint and says "coming
    soon" until then, so a citizen never follows a dead link."""

    key: str
    endpoint: str
    takes_input: bool  # paused while the district is suspended


ENTRY_POINTS = (
    EntryPoint("complaint", "public_pages.complaint_form", takes_input=True),
    EntryPoint("progress", "public_pages.progress", takes_input=False),
    EntryPoint("disclosure", "disclosure_public.penalties", takes_input=False),
    EntryPoint("powers", "powers_public.power_list", takes_input=False),
)


@dataclass(frozen=True)
class Service:
    key: str
    url: str | None
    state: str  # "open", "paused" or "coming"


def services_of(tenant: Tenant) -> list[Service]:
    suspended = tenant.status == TenantStatus.SUSPENDED
    out = []
    for entry in ENTRY_POINTS:
        if entry.endpoint not in current_app.view_functions:
            out.append(Service(entry.key, None, "coming"))
        elif suspended and entry.takes_input:
            out.append(Service(entry.key, None, "paused"))
        else:
            out.append(Service(entry.key, url_for(entry.endpoint, slug=tenant.slug), "open"))
    return out


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
        "public/district.html",
        tenant=tenant,
        services=services_of(tenant),
        enforcing=[a for a in agencies if a.kind not in OVERSIGHT],
        oversight=[a for a in agencies if a.kind in OVERSIGHT],
        kinds=AGENCY_KIND_LABELS,
        domains=DOMAINS,
    )


@bp.get("/robots.txt")
@public
def robots():
    body = "User-agent: *\nDisallow: /console/\nDisallow: /oidc/\nDisallow: /api/\nAllow: /\n"
    return current_app.response_class(body, mimetype="text/plain")


@bp.get("/favicon.ico")
@public
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), 301)
