"""Engine and session for one configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from yimen.platform.kernel.db import agency_scope, tenancy


class TenantSession(Session):
    """A session whose queries see only the current tenant's rows, and of those only
    the records the current caller's agency reaches (agency_scope)."""


tenancy.install(TenantSession)
agency_scope.install(TenantSession)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str, **kwargs) -> Engine:
    # Statement parameters carry complainants' names and phone numbers: an error's log
    # line (and its traceback) must never repeat them.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


class Database:
    """Holds the engine and a thread-scoped session; `init` is called by the app factory."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.factory = sessionmaker(class_=TenantSession, expire_on_commit=False)
        self.session = scoped_session(self.factory)

    def init(self, url: str) -> None:
        if self.engine is not None:
            self.session.remove()
            self.engine.dispose()
        self.engine = make_engine(url)
        self.factory.configure(bind=self.engine)

    @contextmanager
    def new_session(self) -> Iterator[Session]:
        """A session of its own, for work outside the request's unit of work."""
        with self.factory() as session:
            yield session

    def remove(self) -> None:
        self.session.remove()


db = Database()
