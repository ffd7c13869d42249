"""Which agency's records the caller of a request reaches: one mechanism, like tenancy.

Row-level security keeps each district apart; inside a district, a record that an agency
does not take part in is not that agency's to read, list, act on or download. The guard
binds an `AgencyScope` for each request (a context variable); the session then adds the
criteria that each feature registered for its models (`scoped_by_agency`) to every ORM
select, so that a view never filters by agency by hand and a record out of reach is
simply not found (404, exactly as a missing one).

Nothing bound (jobs, the CLI, the public site, a complainant's progress page) means no
agency restriction: those paths are not an agency's caller, and tenancy still applies.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    with_loader_criteria,
)

from yimen.platform.kernel.db.base import utcnow
from yimen.platform.kernel.permissions import (
    ACTS_ON_RECORDS,
    AGENCY_PARTICIPANTS,
    DISTRICT_RECORD_READERS,
    ENTERERS,
)


class ParticipationRole(enum.StrEnum):
    """How an agency takes part in a clue or a case."""

    LEAD = "lead"  # holds it: offered or routed to it, or designated to lead
    JOINT = "joint"  # designated by the legal-affairs office to work with the lead
    ASSISTING = "assisting"  # asked to help (协助)
    RECEIVING = "receiving"  # it was transferred to this agency (移送)
    SUPERVISING = "supervising"  # follows it for supervision


class Participation:
    """Columns of a participation row (`case_participant`, `clue_participant`): an agency
    takes part in a record in a role from `since`; `until` is set when it no longer does.
    Only a current participation (until is null) opens the record to the agency."""

    agency_id: Mapped[uuid.UUID] = mapped_column(index=True)  # tenant_fk to agency
    role: Mapped[str] = mapped_column(String(20))
    since: Mapped[dt.datetime] = mapped_column(default=utcnow)
    until: Mapped[dt.datetime | None]


@dataclass(frozen=True)
class AgencyScope:
    """What one caller reaches.

    `everything`: every record of the district (the district-wide readers, for reading);
    `agency_code`: the records its agency takes part in now; `entered_by`: the clues a
    person entered (a hotline operator reads back its own calls). Several may hold at
    once; none of them reaches nothing."""

    everything: bool = False
    agency_code: str | None = None
    entered_by: str | None = None


NOTHING = AgencyScope()


def scope_for(
    roles: frozenset[str] | set[str], agency_code: str | None, username: str, action: str | None
) -> AgencyScope:
    """The records a caller with `roles` reaches in a request declaring `action` (the
    role sets and their reasons are in kernel/permissions.py): a district-wide reader
    reads everything, but an action that acts on a record reaches only what the caller's
    own agency takes part in."""
    roles = set(roles)
    everything = bool(roles & DISTRICT_RECORD_READERS) and action not in ACTS_ON_RECORDS
    return AgencyScope(
        everything=everything,
        agency_code=agency_code if roles & AGENCY_PARTICIPANTS and agency_code else None,
        entered_by=username if roles & ENTERERS and username else None,
    )


_current: ContextVar[AgencyScope | None] = ContextVar("yimen_agency_scope", default=None)
_all: ContextVar[bool] = ContextVar("yimen_all_agencies", default=False)

# model → the criterion that narrows it to a scope (registered by the feature's models).
Criterion = Callable[[AgencyScope], ColumnElement[bool]]
_criteria: dict[type, Criterion] = {}


def scoped_by_agency(model: type, criterion: Criterion) -> None:
    """Narrow every select of `model` to the current scope with `criterion(scope)`."""
    _criteria[model] = criterion
    _options_for.cache_clear()


def bind_agency_scope(scope: AgencyScope | None) -> None:
    """Set the scope for the rest of this context (a request); None lifts it."""
    _current.set(scope)


def current_agency_scope() -> AgencyScope | None:
    return _current.get()


@contextmanager
def agency_scope(scope: AgencyScope | None) -> Iterator[None]:
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def all_agencies() -> Iterator[None]:
    """Read across agencies inside the district, for a use case that must (a key that is
    unique in the district, the district's earlier penalties of the same party under
    处罚法 第三十三条). What is read this way is not shown to the caller as a record."""
    token = _all.set(True)
    try:
        yield
    finally:
        _all.reset(token)


def _narrow(state: ORMExecuteState) -> None:
    if not state.is_select or _all.get() or state.execution_options.get("all_agencies"):
        return
    scope = _current.get()
    if scope is None or scope.everything:
        return
    state.statement = state.statement.options(*_options_for(scope))


@functools.lru_cache(maxsize=1024)
def _options_for(scope: AgencyScope) -> tuple[object, ...]:
    """The criteria of one scope, built once: building them for every select (five
    subqueries, each a new expression whose cache key SQLAlchemy then had to compute)
    was a fifth of an API request's time. A scope is a frozen value (an agency's code, a
    user name), so the same objects serve every request with it; SQLAlchemy memoises
    their cache keys."""
    return tuple(
        with_loader_criteria(model, criterion(scope), propagate_to_loaders=True)
        for model, criterion in _criteria.items()
    )


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "do_orm_execute", _narrow)
