"""The worker's own actor. The features' actors come from the composition root."""

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
