"""Background jobs of the one door."""

from __future__ import annotations

import datetime as dt
import logging

import dramatiq
from sqlalchemy import select

from yimen.platform.intake import service
from yimen.platform.kernel.db import db, tenant_scope

log = logging.getLogger(__name__)


def escalate_all(today: dt.date | None = None) -> int:
    """Escalate the overdue clues of every active district; returns how many."""
    from yimen.platform.kernel.directory import Tenant, TenantKind

    with db.new_session() as s:
        tenant_ids = (
            s.execute(select(Tenant.id).where(Tenant.kind == TenantKind.DISTRICT)).scalars().all()
        )
    count = 0
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id), db.new_session() as s:
            count += len(service.escalate_overdue(s, today))
    if count:
        log.info("escalated overdue clues", extra={"count": count})
    return count


@dramatiq.actor(queue_name="yimen.system", max_retries=3)
def escalate_overdue_clues() -> None:
    """Hourly: offered clues past their acceptance deadline are escalated."""
    escalate_all()
