"""Running provisioning jobs: written with the change, sent after commit, retried.

`request(session, …)` adds a task row to the caller's transaction (the outbox idea:
nothing leaves the process inside a request). When that transaction commits, the task
is sent to the `provision` actor; if sending fails the row stays pending and a re-drive
sends it again. The actor marks the row running, calls the adapter with the directory
as it is *now* (so late or reordered jobs still converge), and marks it done, or
pending again for dramatiq's next retry (exponential backoff), or failed after the
last attempt. A failed task stays failed until the district administrator re-drives it.
"""

from __future__ import annotations

import logging
import uuid

import dramatiq
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from yimen.platform.kernel.audit.recorder import Actor, acting_as
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency, Officer, OfficerStatus, Tenant
from yimen.tenants.identity.model import DONE, FAILED, PENDING, RUNNING, ProvisioningTask
from yimen.tenants.identity.ports import (
    AgencyRef,
    DistrictRef,
    IdentityProvisioner,
    OfficerRef,
    ProvisioningError,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # with the backoff below: four to eight minutes of trying before `failed`
MIN_BACKOFF_MS, MAX_BACKOFF_MS = 2_000, 600_000
OPERATIONS = {
    "district": ("ensure",),
    "agency": ("ensure",),
    "officer": ("ensure", "roles", "enable", "disable"),
}
JOB_ACTOR = Actor("system:identity-provisioning")
_QUEUED = "yimen_provisioning"
_provisioner: IdentityProvisioner | None = None


def configure(provisioner: IdentityProvisioner) -> None:
    """Called by the composition root with the adapter it chose."""
    global _provisioner
    _provisioner = provisioner


def provisioner() -> IdentityProvisioner:
    if _provisioner is None:
        raise RuntimeError("identity provisioning is not configured (create_app does it)")
    return _provisioner


def request(
    session: Session, entity: str, entity_id: uuid.UUID, operation: str = "ensure"
) -> ProvisioningTask:
    """Add a job to the caller's unit of work; it is sent once that commits."""
    if operation not in OPERATIONS.get(entity, ()):
        raise ValueError(f"no provisioning operation {entity}/{operation}")
    task = ProvisioningTask(
        id=uuid.uuid4(), entity=entity, entity_id=entity_id, operation=operation
    )
    session.add(task)
    _queue(session, current_tenant_id(), task.id)
    return task


def redrive(session: Session, task: ProvisioningTask) -> ProvisioningTask:
    """Send a task that is not done again, with a fresh attempt budget. The adapters
    are idempotent, so re-driving one that is still running does no harm."""
    task.status, task.attempts, task.last_error = PENDING, 0, ""
    _queue(session, task.tenant_id, task.id)
    session.commit()
    return task


def _queue(session: Session, tenant_id: uuid.UUID | None, task_id: uuid.UUID) -> None:
    session.info.setdefault(_QUEUED, []).append((tenant_id, task_id))


def _send_after_commit(session: Session) -> None:
    for tenant_id, task_id in session.info.pop(_QUEUED, []):
        try:
            provision.send(str(tenant_id), str(task_id))
        except dramatiq.errors.DramatiqError:
            log.warning("provisioning task %s not sent; it stays pending", task_id)


def _forget_after_rollback(session: Session, _previous=None) -> None:
    session.info.pop(_QUEUED, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _send_after_commit):
        event.listen(session_class, "after_commit", _send_after_commit)
        event.listen(session_class, "after_soft_rollback", _forget_after_rollback)


# --- the worker's side ------------------------------------------------------------


def run(tenant_id: uuid.UUID, task_id: uuid.UUID) -> str:
    """Perform one task and return its new status; raises while retries remain."""
    db.remove()  # a session begun under another tenant must not be reused
    with tenant_scope(tenant_id), acting_as(JOB_ACTOR):
        session = db.session
        try:
            task = session.get(ProvisioningTask, task_id)
            if task is None or task.status not in (PENDING, RUNNING):
                return task.status if task else DONE
            task.status, task.attempts = RUNNING, task.attempts + 1
            session.commit()
            try:
                _perform(session, task)
            except Exception as exc:  # every failure is retried; only our messages are kept
                if _record_failure(session, task_id, exc) == PENDING:
                    raise  # dramatiq's Retries middleware sends it again after a backoff
                return FAILED
            task.status, task.last_error = DONE, ""
            session.commit()
            return DONE
        finally:
            db.remove()


def _record_failure(session: Session, task_id: uuid.UUID, exc: Exception) -> str:
    session.rollback()
    task = session.get(ProvisioningTask, task_id)
    task.last_error = (str(exc) if isinstance(exc, ProvisioningError) else type(exc).__name__)[:300]
    task.status = FAILED if task.attempts >= MAX_ATTEMPTS else PENDING
    session.commit()
    log.warning(
        "provisioning %s/%s attempt %d: %s",
        task.entity,
        task.operation,
        task.attempts,
        task.last_error,
        exc_info=not isinstance(exc, ProvisioningError),
    )
    return task.status


def _perform(session: Session, task: ProvisioningTask) -> None:
    adapter = provisioner()
    district = district_ref(session, task.tenant_id)
    if task.entity == "district":
        adapter.ensure_district(district)
    elif task.entity == "agency":
        agency = session.execute(select(Agency).where(Agency.id == task.entity_id)).scalar_one()
        adapter.ensure_agency(district, AgencyRef(agency.code, agency.name))
    elif task.entity == "officer":
        officer = session.execute(select(Officer).where(Officer.id == task.entity_id)).scalar_one()
        ref = officer_ref(session, officer)
        if task.operation == "ensure":
            officer.subject = adapter.ensure_officer(district, ref, officer.roles)
        elif task.operation == "roles":
            adapter.set_roles(district, ref, officer.roles)
        else:  # enable / disable: the officer's status now, whichever job runs last
            adapter.set_enabled(district, ref, ref.enabled)


def district_ref(session: Session, tenant_id: uuid.UUID) -> DistrictRef:
    tenant = session.execute(select(Tenant).where(Tenant.id == tenant_id)).scalar_one()
    return DistrictRef(tenant.slug, tenant.name)


def officer_ref(session: Session, officer: Officer) -> OfficerRef:
    """The officer as the port speaks of them (plain values, their status now)."""
    agency = session.execute(select(Agency).where(Agency.id == officer.agency_id)).scalar_one()
    return OfficerRef(
        id=str(officer.id),
        username=officer.username,
        name=officer.name,
        agency=AgencyRef(agency.code, agency.name),
        enabled=officer.status == OfficerStatus.ACTIVE,
    )


@dramatiq.actor(
    queue_name="yimen.identity",
    max_retries=MAX_ATTEMPTS - 1,
    min_backoff=MIN_BACKOFF_MS,
    max_backoff=MAX_BACKOFF_MS,
)
def provision(tenant_id: str, task_id: str) -> None:
    """Mirror one directory change at the identity provider (retried with backoff)."""
    run(uuid.UUID(tenant_id), uuid.UUID(task_id))
