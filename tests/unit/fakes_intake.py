"""In-memory fakes of the intake use cases' unit of work and store (no database).

The store keeps what was committed apart from what a unit of work only staged: a unit
that raises or ends without commit() leaves nothing behind in `clues`, `groups` or
`sent` (texts). Rows get their column defaults when added, as a flush would give them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from yimen.platform.intake.model import Clue, ClueGroup
from yimen.platform.kernel.db import TenantMismatch
from yimen.platform.kernel.directory import Agency, AgencyKind
from yimen.tenants.directory.district_settings import REGISTRY


def _with_defaults(row: Any) -> None:
    for column in type(row).__table__.columns:
        if column.default is None or getattr(row, column.key, None) is not None:
            continue
        arg = column.default.arg
        setattr(row, column.key, arg(None) if callable(arg) else arg)


@dataclass
class FakeIntakeStore:
    """The district's data a test sets up, and what the use cases committed."""

    agencies: dict[uuid.UUID, Agency] = field(default_factory=dict)
    holders: dict[str, uuid.UUID] = field(default_factory=dict)  # matter code -> agency
    settings: dict[str, int] = field(default_factory=dict)
    calendar_loaded: bool = True
    clues: dict[uuid.UUID, Clue] = field(default_factory=dict)
    groups: dict[uuid.UUID, ClueGroup] = field(default_factory=dict)
    sent: list[dict] = field(default_factory=list)  # texts published to the outbox
    cases: list[uuid.UUID] = field(default_factory=list)  # clues handed to the case engine
    staged: list[tuple[str, Any]] = field(default_factory=list)
    participations: list[tuple[uuid.UUID, str]] = field(default_factory=list)

    # -- setting up -----------------------------------------------------------------------

    def agency_named(self, code: str, name: str, holds: tuple[str, ...] = ()) -> Agency:
        agency = Agency(id=uuid.uuid4(), code=code, name=name, kind=AgencyKind.ENFORCEMENT)
        self.agencies[agency.id] = agency
        for matter in holds:
            self.holders[matter] = agency.id
        return agency

    # -- the unit of work's end -------------------------------------------------------------

    def commit(self) -> None:
        for kind, row in self.staged:
            if kind == "clue":
                self.clues[row.id] = row
            elif kind == "group":
                self.groups[row.id] = row
            elif kind == "sms":
                self.sent.append(row)
            elif kind == "case":
                self.cases.append(row)
        self.staged.clear()

    def rollback(self) -> None:
        self.staged.clear()

    def _visible(self) -> dict[uuid.UUID, Clue]:
        staged = {row.id: row for kind, row in self.staged if kind == "clue"}
        return {**self.clues, **staged}

    # -- IntakeStore ----------------------------------------------------------------------

    def clue(self, clue_id: uuid.UUID) -> Clue | None:
        return self._visible().get(clue_id)

    def clue_from(self, source: str, source_ref: str) -> Clue | None:
        return next(
            (
                c
                for c in self._visible().values()
                if c.source == source and c.source_ref == source_ref
            ),
            None,
        )

    def clue_for_complainant(self, code: str, phone4: str | None) -> Clue | None:
        clue = next((c for c in self._visible().values() if c.receipt_code == code), None)
        if clue is None or (not clue.anonymous and clue.complainant_phone[-4:] != (phone4 or "")):
            return None
        return clue

    def participate(self, clue: Clue, action: str) -> None:
        """Who takes part is the SQL store's (agency_scope); the fake notes the calls."""
        self.participations.append((clue.id, action))

    def add(self, row: Any) -> None:
        _with_defaults(row)
        for step in getattr(row, "steps", []):
            _with_defaults(step)
        self.staged.append(("clue" if isinstance(row, Clue) else "group", row))

    def group(self, group_id: uuid.UUID) -> ClueGroup | None:
        staged = {row.id: row for kind, row in self.staged if kind == "group"}
        return {**self.groups, **staged}.get(group_id)

    def lead_of(self, clue: Clue) -> uuid.UUID:
        group = self.group(clue.group_id)
        assert group is not None
        return group.lead_clue_id

    def members(self, clue: Clue) -> list[Clue]:
        return [
            c for c in self._visible().values() if c.group_id == clue.group_id and c.id != clue.id
        ]

    def overdue(self, today: dt.date) -> list[Clue]:
        return [
            c
            for c in self._visible().values()
            if c.status == "offered"
            and c.accept_due is not None
            and c.accept_due < today
            and c.escalated_at is None
        ]

    def agency(self, agency_id: uuid.UUID) -> Agency | None:
        return self.agencies.get(agency_id)

    def agency_id_of(self, code: str | None) -> uuid.UUID | None:
        return next((a.id for a in self.agencies.values() if a.code == code), None)

    def agency_name(self, agency_id: uuid.UUID) -> str:
        agency = self.agencies.get(agency_id)
        return agency.name if agency else ""

    def know_agency(self, agency: Agency) -> None:
        pass

    def holder_of(self, matter_code: str) -> Agency | None:
        agency_id = self.holders.get(matter_code)
        return self.agencies.get(agency_id) if agency_id else None

    def setting(self, key: str) -> int:
        return self.settings.get(key, REGISTRY[key].default)

    def accept_due(self, days: int, today: dt.date | None = None) -> dt.date | None:
        # Calendar days stand in for working days: the calendar has its own tests.
        if not self.calendar_loaded:
            return None
        return (today or dt.date(2026, 12, 7)) + dt.timedelta(days=days)

    def attach(self, clue_id: uuid.UUID, uploads) -> None:
        assert not list(uploads), "the fakes take no files"

    def publish_sms(self, template: str, payload: dict, key: str) -> None:
        self.staged.append(("sms", {"template": template, "key": key, **payload}))

    def publish_event(self, event) -> None:
        self.staged.append(("event", event))

    def draft_case(self, clue: Clue, actor: str) -> None:
        self.staged.append(("case", clue.id))


class FakeTransaction:
    def __init__(self, tenant_id: uuid.UUID | None, joined: bool) -> None:
        self.tenant_id, self.joined, self.committed = tenant_id, joined, False

    def commit(self) -> None:
        self.committed = True

    def flush(self) -> None:
        pass


class FakeUnitOfWork:
    """Commits the store when the outermost block commits; joins nested blocks."""

    def __init__(self, store: FakeIntakeStore, tenant_id: uuid.UUID) -> None:
        self.store, self.tenant_id = store, tenant_id
        self.open: FakeTransaction | None = None
        self.commits = 0

    @contextmanager
    def for_tenant(self, tenant_id: uuid.UUID | None):
        if tenant_id != self.tenant_id:
            raise TenantMismatch("the fake holds one district")
        if self.open is not None:
            yield FakeTransaction(tenant_id, joined=True)
            return
        tx = self.open = FakeTransaction(tenant_id, joined=False)
        try:
            yield tx
        except BaseException:
            self.store.rollback()
            raise
        finally:
            self.open = None
        if tx.committed:
            self.store.commit()
            self.commits += 1
        else:
            self.store.rollback()
