"""The district's public power list (权责清单公开, 国办发〔2018〕118号 （四）): each matter
with its legal basis, penalties, discretion benchmark (处罚法 第三十四条: benchmarks are
published) and the agency that holds it. Only the district's own assignments show."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from yimen.platform.api.paging import paginate
from yimen.platform.api.problems import Problem
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.permissions import public
from yimen.platform.web.pages import harden
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers import service
from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.rules import PARTY_TYPES, PENALTY_KINDS, TIER_LABELS, provision_text

bp = Blueprint("powers_public", __name__)
bp.after_request(harden)

PAGE_SIZE = 50


def _labels() -> dict:
    return {
        "domains": DOMAINS,
        "kinds": PENALTY_KINDS,
        "parties": PARTY_TYPES,
        "tiers": TIER_LABELS,
        "provision_text": provision_text,
    }


@bp.get("/t/<slug>/powers")
@public
def power_list(slug: str):
    tenant = district_or_404(slug)
    domain = request.args.get("domain") if request.args.get("domain") in DOMAINS else None
    q = (request.args.get("q") or "").strip()[:50] or None
    page = min(max(1, request.args.get("page", 1, type=int) or 1), 10000)
    with tenant_scope(tenant.id), db.new_session() as s:
        rows = paginate(s, service.power_list_query(domain, q=q), page, PAGE_SIZE, rows=True)
    return render_template(
        "powers/list.html", tenant=tenant, page=rows, domain=domain, q=q or "", **_labels()
    )


@bp.get("/t/<slug>/powers/<code>")
@public
def matter(slug: str, code: str):
    tenant = district_or_404(slug)
    with tenant_scope(tenant.id), db.new_session() as s:
        try:
            row = service.power_list_item(s, code[:20])
        except Problem:  # not on this district's list
            abort(404)
        holders = service.history(s, row["EnforcementMatter"].code)
    return render_template(
        "powers/matter.html", tenant=tenant, row=row, holders=holders, **_labels()
    )
