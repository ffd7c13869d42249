"""Actors of the platform. Actors added by later capabilities are imported here."""

from __future__ import annotations

import datetime as dt

import dramatiq
from sqlalchemy import select

from yimen.gateway.worker.model import WorkerHeartbeat
from yimen.platform.kernel.db import db


@dramatiq.actor(queue_name="yimen.system", max_retries=3)
def record_heartbeat(worker_name: str) -> None:
    """Proves a worker is consuming: /readyz shows the last beat of each worker."""
    with db.new_session() as s:
        beat = s.execute(
            select(WorkerHeartbeat).where(WorkerHeartbeat.worker == worker_name)
        ).scalar_one_or_none()
        if beat is None:
            beat = WorkerHeartbeat(worker=worker_name, beats=0)
            s.add(beat)
        beat.beat_at = dt.datetime.now(dt.UTC)
        beat.beats += 1
        s.commit()


def _all():
    from yimen.gateway.outbox.service import deliver, relay_outbox
    from yimen.platform.cases.law.flags import flag_case_limits
    from yimen.platform.intake.tasks import escalate_overdue_clues
    from yimen.tenants.identity.tasks import provision

    return (
        record_heartbeat,
        provision,
        deliver,
        relay_outbox,
        escalate_overdue_clues,
        flag_case_limits,
    )


ALL = _all()
