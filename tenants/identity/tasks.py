"""Running provisioning jobs: queued after commit, retried with backoff, never lost.

`request(session, …)` adds a task row to the caller's transaction; when that
transaction commits, the task is sent to the `provision` actor. If sending fails the
row stays pending and `redrive` sends it again (operators can also retry failed ones).
"""

from __future__ import annotations

import uuid

import dramatiq
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from yimen.platform.db import db, tenant_scope
from yimen.platform.db.tenancy import current_tenant_id
from yimen.tenants.directory.model import Agency, Officer, OfficerStatus, Tenant
from yimen.tenants.identity.model import DONE, FAILED, PENDING, ProvisioningTask
from yimen.tenants.identity.ports import IdentityProvisioner, ProvisioningError

MAX_ATTEMPTS = 5
_QUEUED = "yimen_provisioning"
_provisioner: IdentityProvisioner | None = None


def configure(provisioner: IdentityProvisioner) -> None:
    global _provisioner
    _provisioner = provisioner


def request(
    session: Session, entity: str, entity_id: uuid.UUID, operation: str = "ensure"
) -> ProvisioningTask:
    task = ProvisioningTask(
        id=uuid.uuid4(), entity=entity, entity_id=entity_id, operation=operation
    )
    session.add(task)
    session.info.setdefault(_QUEUED, []).append((current_tenant_id(), task.id))
    return task


def _send_after_commit(session: Session) -> None:
    for tenant_id, task_id in session.info.pop(_QUEUED, []):
        try:
            provision.send(str(tenant_id), str(task_id))
        except dramatiq.errors.DramatiqError:
            pass  # stays pending; redrive() sends it again


def _forget_after_rollback(session: Session, _previous=None) -> None:
    session.info.pop(_QUEUED, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _send_after_commit):
        event.listen(session_class, "after_commit", _send_after_commit)
        event.listen(session_class, "after_soft_rollback", _forget_after_rollback)


def _perform(session: Session, task: ProvisioningTask) -> None:
    tenant = session.execute(select(Tenant).where(Tenant.id == task.tenant_id)).scalar_one()
    if task.entity == "district":
        _provisioner.ensure_district(tenant.slug, tenant.name)
    elif task.entity == "agency":
        agency = session.execute(select(Agency).where(Agency.id == task.entity_id)).scalar_one()
        _provisioner.ensure_agency(tenant.slug, agency.code, agency.name)
    elif task.entity == "officer":
        officer = session.execute(select(Officer).where(Officer.id == task.entity_id)).scalar_one()
        if task.operation in ("enable", "disable"):
            _provisioner.set_enabled(tenant.slug, officer.subject, task.operation == "enable")
            return
        agency = session.execute(
            select(Agency.code).where(Agency.id == officer.agency_id)
        ).scalar_one()
        subject = _provisioner.ensure_officer(
            tenant.slug,
            {
                "id": str(officer.id),
                "username": officer.username,
                "name": officer.name,
                "agency": agency,
                "roles": officer.roles,
                "enabled": officer.status == OfficerStatus.ACTIVE,
            },
        )
        officer.subject = subject


def run(tenant_id: uuid.UUID, task_id: uuid.UUID) -> str:
    """Perform one task; returns its new status. Raises while retries remain."""
    with tenant_scope(tenant_id):
        session = db.session
        try:
            task = session.execute(
                select(ProvisioningTask).where(ProvisioningTask.id == task_id)
            ).scalar_one_or_none()
            if task is None or task.status == DONE:
                return DONE
            task.attempts += 1
            try:
                _perform(session, task)
            except Exception as exc:  # any failure is retried; only our own messages are kept
                session.rollback()
                task = session.get(ProvisioningTask, task_id)
                task.attempts += 1
                task.last_error = (
                    str(exc) if isinstance(exc, ProvisioningError) else type(exc).__name__
                )[:300]
                task.status = FAILED if task.attempts >= MAX_ATTEMPTS else PENDING
                session.commit()
                if task.status == PENDING:
                    raise
                return FAILED
            task.status, task.last_error = DONE, ""
            session.commit()
            return DONE
        finally:
            db.remove()


@dramatiq.actor(
    queue_name="yimen.identity", max_retries=MAX_ATTEMPTS - 1, min_backoff=500, max_backoff=30_000
)
def provision(tenant_id: str, task_id: str) -> None:
    """Make the identity provider mirror one directory change (retried with backoff)."""
    run(uuid.UUID(tenant_id), uuid.UUID(task_id))


def redrive(session: Session, task: ProvisioningTask) -> ProvisioningTask:
    """Send a pending or failed task again, with a fresh attempt budget."""
    task.status, task.attempts = PENDING, 0
    session.info.setdefault(_QUEUED, []).append((task.tenant_id, task.id))
    session.commit()
    return task
