"""The engine's actor: the scheduler sends it every few seconds (features.gateway_jobs)."""

from __future__ import annotations

import dramatiq

from yimen.gateway.delivery.engine import run_batch


@dramatiq.actor(queue_name="yimen.gateway", max_retries=0, time_limit=600_000)
def deliver_batch() -> None:
    """Deliver a batch of due gateway rows, fairly across districts. Safe to run on
    several workers at once (rows are claimed with SKIP LOCKED on PostgreSQL)."""
    run_batch()
