"""The current tenant of a request or job, and the session hooks that enforce it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, false
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from yimen.platform.kernel.db.base import TenantOwned

_current: ContextVar[uuid.UUID | None] = ContextVar("yimen_tenant", default=None)
_unscoped: ContextVar[bool] = ContextVar("yimen_unscoped", default=False)


class TenantMismatch(Exception):
    """A write tried to put a row into a tenant other than the current one."""


def current_tenant_id() -> uuid.UUID | None:
    return _current.get()


@contextmanager
def tenant_scope(tenant_id: uuid.UUID | None) -> Iterator[None]:
    """Run the block as `tenant_id`. Open a new transaction inside it: on PostgreSQL the
    tenant is bound to the transaction when it begins."""
    token = _current.set(tenant_id)
    try:
        yield
    finally:
        _current.reset(token)


def bind_tenant(tenant_id: uuid.UUID | None) -> None:
    """Set the tenant for the rest of this context (a request)."""
    _current.set(tenant_id)


@contextmanager
def unscoped() -> Iterator[None]:
    """Read across tenants. Only for platform-operator code paths, which are audited;
    PostgreSQL's policies still apply, so this only widens what SQLite returns."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def _filter_by_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if _unscoped.get() or state.execution_options.get("all_tenants"):
        return
    tenant = _current.get()
    if tenant is None:
        criteria = with_loader_criteria(TenantOwned, lambda cls: false(), include_aliases=True)
    else:
        criteria = with_loader_criteria(
            TenantOwned, lambda cls: cls.tenant_id == tenant, include_aliases=True
        )
    state.statement = state.statement.options(criteria)


def _stamp_new_rows(session: Session, _flush_context, _instances) -> None:
    tenant = _current.get()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            if tenant is None:
                raise TenantMismatch(f"{type(obj).__name__} written with no current tenant")
            obj.tenant_id = tenant
        elif tenant is not None and obj.tenant_id != tenant and not _unscoped.get():
            raise TenantMismatch(f"{type(obj).__name__} belongs to another tenant")


def _bind_transaction(session: Session, _transaction, connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    tenant = _current.get()
    # SET LOCAL, the same as set_config(..., true) on one PostgreSQL: a database
    # distributed by district (Citus) forwards SET LOCAL to the shards' connections
    # (citus.propagate_set_commands = 'local'), where the policies read it, and no
    # function call. A UUID needs no quoting beyond its two quotes.
    value = str(uuid.UUID(str(tenant))) if tenant else ""
    connection.exec_driver_sql(f"SET LOCAL app.tenant_id = '{value}'")


def bind_open_transaction(session: Session) -> None:
    """Bind the session's transaction, already begun (say by a lookup made before the
    tenant was known), to the current tenant, so the rest of the work shares it."""
    _bind_transaction(session, None, session.connection())


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "do_orm_execute", _filter_by_tenant)
    event.listen(session_class, "before_flush", _stamp_new_rows)
    event.listen(session_class, "after_begin", _bind_transaction)
