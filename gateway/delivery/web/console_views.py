"""The gateway console. The district administrator (/console/admin/gateway): each
connector's health (breaker, queue, oldest undelivered, failure rate), its subscription
turned on or off with credentials that are written and never shown, the dead letters with
their error and payload (personal data masked), re-drive one or all, and skip with a
reason. The platform operator (/console/gateway): the same health for every district.

Thin over the use cases (service.py) and read models (queries.py): a refusal reads as in
the API's problem+json, field by field, and nothing is written."""

from __future__ import annotations

import json
import uuid

from flask import Blueprint, redirect, render_template, request, url_for

from yimen.gateway.delivery import queries, service
from yimen.gateway.delivery.model import DEAD
from yimen.platform.api.problems import problem_of
from yimen.platform.auth.guard import current_identity
from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.errors import DomainError
from yimen.platform.kernel.permissions import requires
from yimen.platform.kernel.uow import uow

bp = Blueprint("console_gateway", __name__, url_prefix="/console")
DEAD_SHOWN = 50
DONE = {
    "saved": ("对接设置已保存。", "The subscription is saved."),
    "redriven": ("已重新投递。", "Re-driven."),
    "skipped": ("已跳过该记录，其后的记录继续发送。", "Skipped; the records it held go on."),
}


def _labels() -> dict:
    return {
        "status_labels": queries.STATUS_LABELS,
        "breaker_labels": queries.BREAKER_LABELS,
        "done_labels": DONE,
    }


@bp.get("/admin/gateway")
@requires("gateway.read")
def district(errors=None, failed_on: str = "", status: int = 200):
    """The district's connectors, their health and its dead letters."""
    session = db.session
    dead = session.execute(queries.deliveries(DEAD).limit(DEAD_SHOWN)).scalars().all()
    return render_template(
        "gateway/district.html",
        health={h.connector: h for h in queries.health(session)},
        subscriptions=queries.subscriptions(session),
        dead=[
            {
                **queries.shown(row),
                "payload": json.dumps(
                    queries.masked(row.payload), ensure_ascii=False, indent=1, default=str
                ),
            }
            for row in dead
        ],
        errors=errors or {},
        failed_on=failed_on,
        done=request.args.get("done", ""),
        **_labels(),
    ), status


def _refused(exc: DomainError, where: str):
    db.session.rollback()
    problem = problem_of(exc)
    errors = {e.field: (e.message, e.message_en) for e in problem.errors} or {
        "": (problem.detail, problem.detail_en)
    }
    return district(errors=errors, failed_on=where, status=problem.status)


@bp.post("/admin/gateway/subscriptions/<string(maxlength=40):connector>")
@requires("gateway.configure")
def configure(connector: str):
    """Turn a connector on or off; credentials typed here are sealed, never shown again
    (left empty: the stored ones stay)."""
    form = request.form
    username, password = form.get("username", "").strip(), form.get("password", "")
    credentials = {"username": username, "password": password} if username or password else None
    command = service.ConfigureSubscription(
        connector=connector,
        enabled=form.get("enabled") == "1",
        by=current_identity().username,
        event_types=tuple(form.getlist("event_types")),
        agency_codes=tuple(c.strip() for c in form.get("agency_codes", "").split(",") if c.strip()),
        endpoint=form.get("endpoint", "").strip(),
        credentials=credentials,
    )
    try:
        service.configure_subscription(uow, current_tenant_id(), command)
    except DomainError as exc:
        return _refused(exc, connector)
    return redirect(url_for("console_gateway.district", done="saved"))


@bp.post("/admin/gateway/redrive")
@requires("gateway.redrive")
def redrive():
    """Re-drive one dead letter (`id`) or every one (of `connector`, when named)."""
    chosen = request.form.get("id", "")
    try:
        ids = (uuid.UUID(chosen),) if chosen else ()
    except ValueError:
        ids = ()
    command = service.Redrive(
        by=current_identity().username,
        ids=ids,
        every_dead=not chosen,
        connector=request.form.get("connector", ""),
    )
    try:
        service.redrive(uow, current_tenant_id(), command)
    except DomainError as exc:
        return _refused(exc, chosen or "all")
    return redirect(url_for("console_gateway.district", done="redriven"))


@bp.post("/admin/gateway/deliveries/<uuid:delivery_id>/skip")
@requires("gateway.redrive")
def skip(delivery_id: uuid.UUID):
    command = service.Skip(delivery_id, current_identity().username, request.form.get("reason", ""))
    try:
        service.skip(uow, current_tenant_id(), command)
    except DomainError as exc:
        return _refused(exc, str(delivery_id))
    return redirect(url_for("console_gateway.district", done="skipped"))


@bp.get("/gateway")
@requires("gateway.region.read")
def region():
    """The platform operator's view: every district's connectors, worst first."""
    districts = queries.region_health()
    return render_template(
        "gateway/region.html",
        districts=districts,
        troubled=[
            (d, h)
            for d in districts
            for h in d.connectors
            if h.dead or h.held or h.breaker != "closed"
        ],
        **_labels(),
    )
