"""The engine's actor: the scheduler sends it every few seconds (features.gateway_jobs),
and a commit that published deliveries sends it at once (at most twice a second per
process), so a live record does not wait for the next tick."""

from __future__ import annotations

import threading
import time

import dramatiq
from sqlalchemy import event
from sqlalchemy.orm import Session

from yimen.gateway.delivery.engine import run_batch
from yimen.gateway.delivery.routing import NUDGE

NUDGE_SECONDS = 0.5
_last = 0.0
_lock = threading.Lock()


@dramatiq.actor(queue_name="yimen.gateway", max_retries=0, time_limit=600_000)
def deliver_batch() -> None:
    """Deliver a batch of due gateway rows, fairly across districts. Safe to run on
    several workers at once (rows are claimed with SKIP LOCKED on PostgreSQL)."""
    run_batch()


def _nudge_after_commit(session: Session) -> None:
    global _last
    if not session.info.pop(NUDGE, False):
        return
    with _lock:
        now = time.monotonic()
        if now - _last < NUDGE_SECONDS:
            return  # a batch was asked for a moment ago: it, or the tick, takes these too
        _last = now
    try:
        deliver_batch.send()
    except dramatiq.errors.DramatiqError:
        pass  # the broker is briefly away: the scheduler's tick delivers them


def _forget(session: Session, _previous=None) -> None:
    session.info.pop(NUDGE, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _nudge_after_commit):
        event.listen(session_class, "after_commit", _nudge_after_commit)
        event.listen(session_class, "after_soft_rollback", _forget)
