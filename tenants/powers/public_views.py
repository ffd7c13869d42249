"""The district's public power list (权责清单公开)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from yimen.platform.api.paging import paginate
from yimen.platform.auth.permissions import public
from yimen.platform.db import db, tenant_scope
from yimen.tenants.directory.service import district_or_404
from yimen.tenants.powers.domains import DOMAINS
from yimen.tenants.powers.rules import PENALTY_KINDS
from yimen.tenants.powers.service import power_list_query

bp = Blueprint("powers_public", __name__)


@bp.get("/t/<slug>/powers")
@public
def power_list(slug: str):
    tenant = district_or_404(slug)
    domain = request.args.get("domain") if request.args.get("domain") in DOMAINS else None
    page = max(1, request.args.get("page", 1, type=int))
    with tenant_scope(tenant.id), db.new_session() as s:
        rows = paginate(s, power_list_query(domain), page, 50, rows=True)
    return render_template(
        "powers/list.html",
        tenant=tenant,
        page=rows,
        domains=DOMAINS,
        domain=domain,
        kinds=PENALTY_KINDS,
    )
