"""What validating a token reads — the district by its slug, its signing keys, an
officer's status — kept in the process, and the one counter every process polls to
drop it.

Invalidation. The writes that change what is kept here (a district created, suspended
or resumed; a signing key created or rotated; an access token revoked; an officer
created, deactivated or reactivated) bump `auth_epoch.version` in their own transaction: an ORM flush hook
(`install`), so every writer is covered whichever session it uses. Each process reads
the counter at most every POLL seconds, inside the request's own transaction, and
empties its cache when the counter moved: a deactivation or a suspension is refused
by every process within a second of its commit. Every entry also expires after TTL
seconds, a net for a write made outside the ORM.

A row in the database rather than Redis: the database is always there (Redis is
optional in this deployment), the bump commits or rolls back with the change it
announces (no lost or early invalidation), and the poll is one primary-key read of a
one-row table, twice a second per process at most.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from yimen.platform.kernel.db import Base, citus_local

EPOCH_ROW = 1
_IN_THIS_PROCESS: weakref.WeakSet[AuthCache] = weakref.WeakSet()


class AuthEpoch(Base):
    """One row: bumped by every write that changes what token validation caches."""

    __tablename__ = "auth_epoch"
    __table_args__ = citus_local()  # one row for the platform, read by every process

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


@dataclass(frozen=True)
class CachedTenant:
    """The district as token validation needs it (never an ORM object across requests)."""

    id: uuid.UUID
    slug: str
    status: str
    suspended_reason: str


class AuthCache:
    """Per process (one per TokenValidator, i.e. per app object); thread-safe."""

    POLL = 0.5  # seconds between two reads of the counter
    TTL = 300.0  # seconds an entry is trusted without a bump
    MAX_OFFICERS = 100_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._version: int | None = None
        self._checked = -math.inf
        self._generation = 0  # incremented on every clear: a load begun before is not kept
        self._tenants: dict[str, tuple[float, CachedTenant]] = {}
        self._keys: dict[uuid.UUID, tuple[float, Any]] = {}
        self._revoked: dict[uuid.UUID, tuple[float, Any]] = {}
        self._officers: OrderedDict[tuple[uuid.UUID, str], tuple[float, str | None]] = OrderedDict()
        _IN_THIS_PROCESS.add(self)

    # --- the counter ---------------------------------------------------------------

    def refresh(self, session: Session) -> None:
        """Reads the counter if POLL seconds have passed; a moved counter empties all."""
        now = self._clock()
        if now - self._checked < self.POLL:
            return
        version = session.execute(
            select(AuthEpoch.version).where(AuthEpoch.id == EPOCH_ROW)
        ).scalar_one_or_none()
        with self._lock:
            if version != self._version:
                self._clear()
                self._version = version
            self._checked = now

    def clear(self) -> None:
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        self._generation += 1
        self._tenants.clear()
        self._keys.clear()
        self._revoked.clear()
        self._officers.clear()

    # --- entries -------------------------------------------------------------------

    def tenant(self, slug: str, load: Callable[[], CachedTenant | None]) -> CachedTenant | None:
        """The district by slug; an unknown slug is not kept (it costs one lookup)."""
        hit = self._get(self._tenants, slug)
        if hit is not None:
            return hit
        generation, tenant = self._generation, load()
        if tenant is not None:
            self._put(self._tenants, slug, tenant, generation)
        return tenant

    def keys(self, tenant_id: uuid.UUID, load: Callable[[], tuple[Any, dt.datetime | None]]):
        """The built-in issuer's published keys; `load` also says when the set next
        changes by itself (a retired key leaving the JWKS), which bounds the entry."""
        return self._bounded(self._keys, tenant_id, load)

    def revoked(self, tenant_id: uuid.UUID, load: Callable[[], tuple[Any, dt.datetime | None]]):
        """The built-in issuer's access tokens revoked before they expire; `load` also
        says when the first of them expires, which bounds the entry."""
        return self._bounded(self._revoked, tenant_id, load)

    def _bounded(
        self, table: dict, tenant_id: uuid.UUID, load: Callable[[], tuple[Any, dt.datetime | None]]
    ):
        hit = self._get(table, tenant_id)
        if hit is not None:
            return hit
        generation, (keys, changes_at) = self._generation, load()
        ttl = self.TTL
        if changes_at is not None:
            ttl = min(ttl, (changes_at - dt.datetime.now(dt.UTC)).total_seconds())
        if ttl > 0:
            self._put(table, tenant_id, keys, generation, ttl)
        return keys

    def officer_status(
        self, tenant_id: uuid.UUID, subject: str, load: Callable[[], str | None]
    ) -> str | None:
        """The status of the district's officer with this subject; None (not an officer,
        e.g. a machine client's service account) is kept too."""
        key = (tenant_id, subject)
        now = self._clock()
        with self._lock:
            entry = self._officers.get(key)
            if entry is not None and entry[0] > now:
                self._officers.move_to_end(key)
                return entry[1]
            generation = self._generation
        status = load()
        with self._lock:
            if generation == self._generation:
                self._officers[key] = (now + self.TTL, status)
                self._officers.move_to_end(key)
                while len(self._officers) > self.MAX_OFFICERS:
                    self._officers.popitem(last=False)
        return status

    def _get(self, table: dict, key: Any) -> Any:
        with self._lock:
            entry = table.get(key)
        if entry is not None and entry[0] > self._clock():
            return entry[1]
        return None

    def _put(self, table: dict, key: Any, value: Any, generation: int, ttl: float = 0) -> None:
        with self._lock:
            if generation == self._generation:  # no bump seen while it was loaded
                table[key] = (self._clock() + (ttl or self.TTL), value)


# --- the writes that bump the counter ---------------------------------------------------


def _changes_what_is_cached(obj: object, keys: tuple[type, ...]) -> bool:
    from yimen.platform.kernel.directory import Officer, Tenant

    if isinstance(obj, keys):
        return True
    watched = {Tenant: ("slug", "status", "suspended_reason"), Officer: ("status", "subject")}
    for cls, attributes in watched.items():
        if isinstance(obj, cls):
            state = inspect(obj)
            return any(state.attrs[name].history.has_changes() for name in attributes)
    return False


def _bump_on_flush_of(keys: tuple[type, ...]) -> Callable[[Session, Any], None]:
    """The flush hook, watching the directory's rows and the signing-key model(s) the
    root names (the identity provider is a feature: the shells do not import it)."""
    from yimen.platform.kernel.directory import Officer, Tenant

    watched = (Officer, Tenant, *keys)

    def _bump_on_flush(session: Session, _flush_context) -> None:
        objects = (*session.new, *session.deleted)
        created_or_deleted = any(isinstance(obj, watched) for obj in objects)
        if created_or_deleted or any(_changes_what_is_cached(o, keys) for o in session.dirty):
            bump(session)

    return _bump_on_flush


def bump(session: Session) -> None:
    """Tells every process to drop what it keeps, when this transaction commits (this
    process at once, the others at their next poll)."""
    session.info["yimen.auth_bumped"] = True
    session.connection().execute(
        update(AuthEpoch.__table__)
        .where(AuthEpoch.__table__.c.id == EPOCH_ROW)
        .values(version=AuthEpoch.__table__.c.version + 1)
    )


def _clear_here(session: Session) -> None:
    if session.info.pop("yimen.auth_bumped", False):
        for cache in list(_IN_THIS_PROCESS):
            cache.clear()


def _forget_bump(session: Session, _previous_transaction) -> None:
    session.info.pop("yimen.auth_bumped", None)


_INSTALLED: dict[type[Session], Callable[[Session, Any], None]] = {}


def install(session_class: type[Session], signing_keys: tuple[type, ...] = ()) -> None:
    """Bump the counter on the writes that change what is cached; `signing_keys` are the
    built-in provider's models that token validation reads (the root passes its signing
    keys and its revoked access tokens)."""
    if session_class not in _INSTALLED:
        _INSTALLED[session_class] = _bump_on_flush_of(signing_keys)
    for name, fn in (
        ("after_flush", _INSTALLED[session_class]),
        ("after_commit", _clear_here),
        ("after_soft_rollback", _forget_bump),
    ):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
