"""/healthz: the process answers. /readyz: database, broker and issuers reachable; the
workers' heartbeats and the gateway connectors whose breaker is open are reported
without making the process unready."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import select, text

from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    return jsonify(status="ok")


def _check_database() -> dict:
    with db.new_session() as s:
        s.execute(text("select 1"))
        rls = None
        if s.bind.dialect.name == "postgresql":
            row = s.execute(
                text("select rolsuper or rolbypassrls from pg_roles where rolname = current_user")
            ).scalar_one()
            rls = "bypassed" if row else "enforced"
    return {"ok": True, "rls": rls}


def _check_broker() -> dict:
    broker = current_app.extensions["yimen.broker"]
    return {"ok": broker.ping(), "kind": broker.kind}


def _check_issuers() -> dict:
    """Built-in issuers are served by this process (keys are made on first use); each
    outside issuer template (Keycloak) must answer its discovery and JWKS."""
    from yimen.platform.kernel.directory import Tenant, TenantStatus

    validator = current_app.extensions["yimen.token_validator"]
    with db.new_session() as s:
        slugs = (
            s.execute(select(Tenant.slug).where(Tenant.status == TenantStatus.ACTIVE))
            .scalars()
            .all()
        )
    outside = []
    for template in validator.templates.outside_templates():
        if slugs:
            issuer = template.replace("{slug}", slugs[0])
            try:
                validator.remote.key_set(issuer, None)
                outside.append({"issuer": issuer, "ok": True})
            except Exception as exc:  # reported, not raised
                outside.append({"issuer": issuer, "ok": False, "error": type(exc).__name__})
    return {"ok": all(o["ok"] for o in outside), "districts": len(slugs), "outside": outside}


def _check_workers() -> dict:
    """Informational: the web tier is ready without workers, but operators see them."""
    from yimen.gateway.worker.model import WorkerHeartbeat
    from yimen.platform.kernel.db import utcnow

    with db.new_session() as s:
        beats = (
            s.execute(select(WorkerHeartbeat).order_by(WorkerHeartbeat.beat_at.desc()).limit(20))
            .scalars()
            .all()
        )
    now = utcnow()
    return {
        "ok": True,
        "workers": [
            {"name": b.worker, "seconds_since_beat": round((now - b.beat_at).total_seconds())}
            for b in beats
        ],
    }


def _check_gateway() -> dict:
    """Informational, like the workers: which connectors' breakers are open in this
    process (sending to them is paused). The web tier stays ready: an upstream being down
    is the gateway's business (it holds and retries), not a reason to stop serving."""
    from yimen.gateway.delivery import guards

    states = guards.guards().states()
    return {
        "ok": True,
        "open": [s.connector for s in states if s.state == "open"],
        "half_open": [s.connector for s in states if s.state == "half-open"],
    }


CHECKS = {
    "database": _check_database,
    "broker": _check_broker,
    "issuers": _check_issuers,
    "workers": _check_workers,
    "gateway": _check_gateway,
}


@bp.get("/readyz")
@public
def readyz():
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            results[name] = check()
        except Exception as exc:  # a readiness probe reports, it does not raise
            results[name] = {"ok": False, "error": type(exc).__name__}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(r["ok"] for r in results.values())
    response = jsonify(status="ready" if ready else "not-ready", checks=results)
    response.status_code = 200 if ready else 503
    return response
