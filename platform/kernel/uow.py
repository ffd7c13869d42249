"""Unit of work over the tenant session: a use case's one transaction.

    with uow.for_tenant(tenant_id) as tx:
        ...                      # tx.session sees only that district's rows
        tx.commit()              # nothing is written unless the use case says so

The block rolls back when it raises or ends without `commit()`. Use cases open their
unit of work themselves (they are handed the `UnitOfWork`, never a session to commit):

- **Joinable.** A use case run inside another's block joins it: its `commit()` only
  flushes (so its errors surface where it stands) and the outermost block commits, once,
  for both — "transfer out of agency A, create at B and publish" is one commit. A joined
  block must be for the same district; one that raises makes the whole unit roll back.
- **One session per request.** Inside a request (the app calls `begin_request` and
  `end_request` around it) the unit of work uses the request's session, `db.session`,
  so the guard's lookups, the view's reads and the use case share it; outside one (a
  worker, the CLI, a test) each outermost block has a session of its own.

The district is bound for the block (`tenant_scope`): the loader criteria filter every
read and stamp every new row, and on PostgreSQL the transaction is bound to it for
row-level security — also when the request's transaction had begun before the district
was known (a public page that looked the district up by its slug).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy.orm import Session

from yimen.platform.kernel.db import tenancy
from yimen.platform.kernel.db.session import Database, db

R = TypeVar("R")


class Transaction:
    """What a use case holds: the district's session, and the decision to commit."""

    def __init__(self, session: Session, tenant_id: uuid.UUID | None, joined: bool) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.joined = joined
        self.committed = False

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        """Commit the unit — or, in a joined block, flush and leave the commit to the
        outermost block."""
        if self.joined:
            self.session.flush()
        else:
            self.session.commit()
        self.committed = True


_open: ContextVar[Transaction | None] = ContextVar("yimen_uow", default=None)
_in_request: ContextVar[bool] = ContextVar("yimen_uow_request", default=False)


class UnitOfWork:
    """Opens transactions on a `Database` (the app's `db` by default)."""

    def __init__(self, database: Database | None = None) -> None:
        self.database = database or db

    @contextmanager
    def for_tenant(self, tenant_id: uuid.UUID | None) -> Iterator[Transaction]:
        """A transaction as district `tenant_id` (None: the platform, no district)."""
        outer = _open.get()
        if outer is not None:
            if outer.tenant_id != tenant_id:
                raise tenancy.TenantMismatch("a unit of work joined with another district")
            yield Transaction(outer.session, tenant_id, joined=True)
            return
        if _in_request.get():
            with self._run(self.database.session(), tenant_id, own_session=False) as tx:
                yield tx
            return
        with self.database.factory() as session, self._run(session, tenant_id, True) as tx:
            yield tx

    def run(self, tenant_id: uuid.UUID | None, use_case: Callable[..., R], *args, **kwargs) -> R:
        """`use_case(session, *args, **kwargs)` — a use case that works in the session it
        is given and never commits — as one unit of work, committed when it returns."""
        with self.for_tenant(tenant_id) as tx:
            result = use_case(tx.session, *args, **kwargs)
            tx.commit()
            return result

    @contextmanager
    def _run(
        self, session: Session, tenant_id: uuid.UUID | None, own_session: bool
    ) -> Iterator[Transaction]:
        tx = Transaction(session, tenant_id, joined=False)
        rebind = (
            not own_session
            and session.in_transaction()
            and tenancy.current_tenant_id() != tenant_id
        )
        token = _open.set(tx)
        try:
            with tenancy.tenant_scope(tenant_id):
                if rebind:
                    # The request's transaction began as another district or none (a
                    # public page looked its district up by slug): bind it to this one.
                    tenancy.bind_open_transaction(session)
                try:
                    yield tx
                except BaseException:
                    session.rollback()
                    raise
                if not tx.committed:
                    session.rollback()
        finally:
            _open.reset(token)


def begin_request() -> None:
    """The app calls this before each request: units of work use the request's session."""
    _in_request.set(True)


def end_request() -> None:
    """And this after it (the app's teardown removes the session itself)."""
    _in_request.set(False)


def current() -> Transaction | None:
    """The transaction open in this context, if any (for helpers that join it)."""
    return _open.get()


uow = UnitOfWork()
"""The application's unit of work."""
