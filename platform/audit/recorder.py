"""Records every change to an audited model in the same flush as the change.

A model opts in with `__audited__ = True`. The actor comes from a context variable
that the request guard sets from the caller's identity (or a CLI/job names itself),
so no use case can forget to audit. Secret columns are named in `__audit_redact__`.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from yimen.platform.kernel.audit.model import AuditEntry


@dataclass(frozen=True)
class Actor:
    name: str
    issuer: str = ""
    request_id: str | None = None


_actor: ContextVar[Actor | None] = ContextVar("yimen_audit_actor", default=None)
SYSTEM = Actor("system")


def set_actor(actor: Actor | None) -> None:
    _actor.set(actor)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _snapshot(obj, attrs=None) -> dict:
    mapper = inspect(obj).mapper
    redact = set(getattr(obj, "__audit_redact__", ()))
    out = {}
    for column in mapper.column_attrs:
        key = column.key
        if key in ("created_at", "updated_at", "tenant_id") or (
            attrs is not None and key not in attrs
        ):
            continue
        out[key] = "***" if key in redact else _plain(getattr(obj, key))
    return out


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    redact = set(getattr(obj, "__audit_redact__", ()))
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in ("updated_at",):
            continue
        history = state.attrs[key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            before[key] = "***" if key in redact else _plain(old)
            after[key] = "***" if key in redact else _plain(new)
    return before, after


def _row(obj, action: str, before, after) -> dict:
    actor = _actor.get() or SYSTEM
    return {
        "id": uuid.uuid4(),
        "tenant_id": obj.tenant_id if hasattr(obj, "tenant_id") else obj.id,
        "at": dt.datetime.now(dt.UTC),
        "actor": actor.name,
        "actor_issuer": actor.issuer,
        "action": action,
        "entity": obj.__tablename__,
        "entity_id": str(getattr(obj, "id", "")),
        "before": before,
        "after": after,
        "request_id": actor.request_id,
    }


def _record(session: Session, _flush_context) -> None:
    """after_flush: defaults and ids are set, attribute history is not yet reset."""
    rows = []
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            rows.append(_row(obj, "create", None, _snapshot(obj)))
    for obj in session.dirty:
        if getattr(obj, "__audited__", False):
            before, after = _changes(obj)
            if after:
                rows.append(_row(obj, "update", before, after))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            rows.append(_row(obj, "delete", _snapshot(obj), None))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "after_flush", _record)


def record_read(session: Session, tenant_id, entity: str, entity_id: str) -> None:
    """A cross-tenant read by the platform operator is itself recorded in that district."""
    record_event(session, tenant_id, "read", entity, entity_id)


def record_event(
    session: Session,
    tenant_id,
    action: str,
    entity: str,
    entity_id: str,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """An administrative act that changes no audited row (a read, lifting a lockout)."""
    actor = _actor.get() or SYSTEM
    session.execute(
        insert(AuditEntry),
        [
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant_id,
                "at": dt.datetime.now(dt.UTC),
                "actor": actor.name,
                "actor_issuer": actor.issuer,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before,
                "after": after,
                "request_id": actor.request_id,
            }
        ],
    )
