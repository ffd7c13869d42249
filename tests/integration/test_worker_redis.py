"""dramatiq over a real Redis broker: a message sent is consumed by a worker."""

from __future__ import annotations

import os
import time

import pytest
import redis
from sqlalchemy import select

from tests.support import IN_CI
from yimen.gateway.worker.broker import configure_broker
from yimen.gateway.worker.model import WorkerHeartbeat
from yimen.gateway.worker.runner import InProcessWorker
from yimen.platform.kernel.db import db

# One Redis database per pytest-xdist worker (gw0 → 15, gw1 → 14 …): flushing the broker
# between tests must not drop another worker's messages.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("YIMEN_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER % 15}")


@pytest.fixture
def redis_broker(app):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis not reachable at {REDIS_URL}: {exc}")
        print(f"\nSKIPPING Redis test: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    previous = app.extensions["yimen.broker"].url
    handle = configure_broker(REDIS_URL)
    handle.broker.flush_all()
    yield handle
    handle.broker.close()
    configure_broker(previous)


def test_a_heartbeat_sent_through_redis_is_recorded_by_the_worker(redis_broker):
    from yimen.gateway.worker.actors import record_heartbeat

    worker = InProcessWorker(redis_broker, threads=1)
    worker.worker.start()
    try:
        record_heartbeat.send("redis-test-worker")
        deadline = time.monotonic() + 20
        beat = None
        while time.monotonic() < deadline and beat is None:
            with db.new_session() as s:
                beat = s.execute(
                    select(WorkerHeartbeat).where(WorkerHeartbeat.worker == "redis-test-worker")
                ).scalar_one_or_none()
            time.sleep(0.1)
    finally:
        worker.worker.stop()
    assert beat is not None and beat.beats >= 1


def test_a_document_issued_is_rendered_by_a_worker_through_redis_after_commit(
    app, redis_broker, own_district
):
    """The issuing transaction sends `render_document` through Redis when it commits; a
    worker renders the PDF into the blob store and binds its hash in the case's chain."""
    from tests.integration.test_case_documents import _case, _issue
    from yimen.platform.cases.documents import rendering as document_tasks
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.cases.record.log import CaseEvent
    from yimen.platform.kernel.db import tenant_scope

    document_tasks.configure(app.extensions["yimen.blobs"])
    tenant = own_district["tenant_id"]
    case = _case(tenant)
    _issue(tenant, case, "询问笔录")
    with tenant_scope(tenant), db.new_session() as s:
        document = s.execute(select(CaseDocument).where(CaseDocument.case_id == case)).scalar_one()
        assert document.sha256 is None  # committed, pending: nothing rendered it yet
    worker = InProcessWorker(redis_broker, threads=1)
    worker.worker.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and document.sha256 is None:
            time.sleep(0.2)
            with tenant_scope(tenant), db.new_session() as s:
                document = s.get(CaseDocument, document.id)
    finally:
        worker.worker.stop()
    assert document.sha256 is not None and app.extensions["yimen.blobs"].exists(document.blob_key)
    with tenant_scope(tenant), db.new_session() as s:
        (bound,) = (
            s.execute(
                select(CaseEvent).where(
                    CaseEvent.case_id == case, CaseEvent.kind == "document_rendered"
                )
            )
            .scalars()
            .all()
        )
    assert bound.payload["documents"][0]["sha256"] == document.sha256
