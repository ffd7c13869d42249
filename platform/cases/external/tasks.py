"""The periodic pull: every few minutes, each district that turned a vertical system on
(it has a pull state for it: the district administrator set it, or a pass ran) pulls
from each connector the composition root registered (gateway/pulls.py)."""

from __future__ import annotations

import logging

import dramatiq
from sqlalchemy import select

from yimen.gateway import pulls
from yimen.platform.cases.external import service
from yimen.platform.cases.external.model import ExternalSource
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Tenant, TenantKind, TenantStatus
from yimen.platform.kernel.uow import uow

log = logging.getLogger(__name__)


def pull_all() -> list[service.PassReport]:
    """One run for every district and registered connector; a district's failure is
    kept on its pull state and does not stop the others."""
    targets = pulls.targets()
    if not targets:
        return []
    with db.new_session() as s:
        districts = list(
            s.execute(
                select(Tenant.id).where(
                    Tenant.kind == TenantKind.DISTRICT, Tenant.status == TenantStatus.ACTIVE
                )
            ).scalars()
        )
    reports = []
    for tenant_id in districts:
        with tenant_scope(tenant_id), db.new_session() as s:
            turned_on = set(s.execute(select(ExternalSource.connector)).scalars())
        for name in sorted(turned_on & set(targets)):
            target = targets[name]
            report = service.pull_pass(
                uow, tenant_id, target.connector, target.endpoint, target.credentials
            )
            log.info(
                "external cases pulled",
                extra={
                    "tenant": str(tenant_id),
                    "connector": name,
                    "pages": report.pages,
                    "cases_created": report.created,
                    "cases_updated": report.updated,
                    "finished": report.finished,
                    "error": report.error,
                },
            )
            reports.append(report)
    return reports


@dramatiq.actor(queue_name="yimen.system", max_retries=0)
def pull_external_cases() -> None:
    """Every five minutes (a failed run is not retried: the next one resumes its pass)."""
    pull_all()
