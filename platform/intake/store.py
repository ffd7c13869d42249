"""What the intake use cases need from storage and the neighbours, as one port.

The use cases (service.Intake) speak to an `IntakeStore` opened on their unit of work;
`SqlIntakeStore` is the one the application uses, over the transaction's session.
Unit tests give the use cases an in-memory store instead (tests/unit/fakes_intake.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from yimen.gateway.contracts import IntegrationEvent
from yimen.gateway.delivery import routing
from yimen.gateway.outbox import service as outbox
from yimen.platform.cases import service as case_service
from yimen.platform.cases.law.applied import refresh as deadlines_refresh
from yimen.platform.cases.law.periods import stored_day
from yimen.platform.intake import attachments as clue_attachments
from yimen.platform.intake import rules
from yimen.platform.intake.model import Clue, ClueGroup, ClueParticipant
from yimen.platform.kernel import clock
from yimen.platform.kernel.clock import SHANGHAI
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.db.agency_scope import ParticipationRole, all_agencies
from yimen.platform.kernel.db.tenancy import current_tenant_id
from yimen.platform.kernel.directory import Agency, Tenant
from yimen.tenants.calendar.rules import CalendarNotLoaded
from yimen.tenants.calendar.service import working_calendar
from yimen.tenants.directory import district_settings
from yimen.tenants.powers.service import holder_of


class IntakeStore(Protocol):
    """Reads and writes of one unit of work, in the district it is bound to."""

    def clue(self, clue_id: uuid.UUID) -> Clue | None: ...
    def clue_from(self, source: str, source_ref: str) -> Clue | None: ...
    def add(self, row: Any) -> None: ...
    def clue_for_complainant(self, code: str, phone4: str | None) -> Clue | None: ...
    def group(self, group_id: uuid.UUID) -> ClueGroup | None: ...
    def lead_of(self, clue: Clue) -> uuid.UUID: ...
    def members(self, clue: Clue) -> list[Clue]: ...
    def overdue(self, today: dt.date) -> list[Clue]: ...
    def agency(self, agency_id: uuid.UUID) -> Agency | None: ...
    def agency_id_of(self, code: str | None) -> uuid.UUID | None: ...
    def agency_name(self, agency_id: uuid.UUID) -> str: ...
    def know_agency(self, agency: Agency) -> None: ...
    def holder_of(self, matter_code: str) -> Agency | None: ...
    def setting(self, key: str) -> int: ...
    def accept_due(self, days: int, today: dt.date | None = None) -> dt.date | None: ...
    def attach(self, clue_id: uuid.UUID, uploads: Iterable[clue_attachments.Upload]) -> None: ...
    def publish_sms(self, template: str, payload: dict, key: str) -> None: ...
    def publish_event(self, event: IntegrationEvent) -> None: ...
    def draft_case(self, clue: Clue, actor: str) -> None: ...

    def participate(self, clue: Clue, action: str) -> None:
        """Record which agencies take part in the clue after `action` (agency_scope)."""
        ...


_SETTINGS_READ = "yimen.intake.settings"  # session.info: the district's settings, per transaction
_AGENCY_NAMES = "yimen.intake.agency_names"  # session.info: names already read or known


def _settings(session: Session) -> dict:
    """The current district's settings, read once per transaction (a use case asks for
    several; the identity map alone forgets the Tenant row between them)."""
    if isinstance(session, scoped_session):
        session = session()  # the request's own session, behind the proxy
    transaction, tenant_id = session.get_transaction(), current_tenant_id()
    read = session.info.get(_SETTINGS_READ)
    if transaction is None or read is None or read[:2] != (transaction, tenant_id):
        tenant = session.get(Tenant, tenant_id)
        settings = dict(tenant.settings or {}) if tenant else {}
        read = (session.get_transaction(), tenant_id, settings)
        session.info[_SETTINGS_READ] = read
    return read[2]


def setting(session: Session, key: str) -> int:
    return district_settings.value_of(_settings(session), key)


def accept_due(session: Session, days: int, today: dt.date | None = None) -> dt.date | None:
    """The acceptance deadline in working days; None (and flagged by the caller) when the
    calendar of that year is not loaded — never guessed."""
    today = today or clock.today()
    try:
        return working_calendar(session).add_working_days(today, days)
    except CalendarNotLoaded:
        return None


def agency_name(session: Session, agency_id: uuid.UUID) -> str:
    """An agency's name, read once per session: the receipt of a new clue names the
    agency its text message named, without asking the database again."""
    names = session.info.setdefault(_AGENCY_NAMES, {})
    if agency_id not in names:
        names[agency_id] = (
            session.execute(select(Agency.name).where(Agency.id == agency_id)).scalar() or ""
        )
    return names[agency_id]


def find_for_complainant(session: Session, code: str, phone4: str | None) -> Clue | None:
    """The clue of a receipt code, if the phone's last four digits match (anonymous: the
    code alone). The caller answers the same for an unknown code and wrong digits."""
    clue = session.execute(
        select(Clue).where(Clue.receipt_code == code.strip().upper())
    ).scalar_one_or_none()
    if clue is None or (not clue.anonymous and clue.complainant_phone[-4:] != (phone4 or "")):
        return None
    return clue


class SqlIntakeStore:
    """The intake store over a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def clue(self, clue_id: uuid.UUID) -> Clue | None:
        return self.session.execute(select(Clue).where(Clue.id == clue_id)).scalar_one_or_none()

    def clue_from(self, source: str, source_ref: str) -> Clue | None:
        # by the sender's id, whichever agency holds it now: a replay makes no second clue
        with all_agencies():
            return self.session.execute(
                select(Clue).where(Clue.source == source, Clue.source_ref == source_ref)
            ).scalar_one_or_none()

    def clue_for_complainant(self, code: str, phone4: str | None) -> Clue | None:
        return find_for_complainant(self.session, code, phone4)

    def lead_of(self, clue: Clue) -> uuid.UUID:
        return self.session.execute(
            select(ClueGroup.lead_clue_id).where(ClueGroup.id == clue.group_id)
        ).scalar_one()

    def add(self, row: Any) -> None:
        self.session.add(row)
        self.session.flush()

    def group(self, group_id: uuid.UUID) -> ClueGroup | None:
        return self.session.get(ClueGroup, group_id)

    def members(self, clue: Clue) -> list[Clue]:
        return list(
            self.session.execute(
                select(Clue).where(Clue.group_id == clue.group_id, Clue.id != clue.id)
            ).scalars()
        )

    def overdue(self, today: dt.date) -> list[Clue]:
        return list(
            self.session.execute(
                select(Clue).where(
                    Clue.status == rules.Status.OFFERED.value,
                    Clue.accept_due < today,
                    Clue.escalated_at.is_(None),
                )
            ).scalars()
        )

    def agency(self, agency_id: uuid.UUID) -> Agency | None:
        return self.session.execute(
            select(Agency).where(Agency.id == agency_id)
        ).scalar_one_or_none()

    def agency_id_of(self, code: str | None) -> uuid.UUID | None:
        return self.session.execute(select(Agency.id).where(Agency.code == code)).scalar()

    def agency_name(self, agency_id: uuid.UUID) -> str:
        return agency_name(self.session, agency_id)

    def know_agency(self, agency: Agency) -> None:
        self.session.info.setdefault(_AGENCY_NAMES, {})[agency.id] = agency.name

    def holder_of(self, matter_code: str) -> Agency | None:
        return holder_of(self.session, matter_code)

    def setting(self, key: str) -> int:
        return setting(self.session, key)

    def accept_due(self, days: int, today: dt.date | None = None) -> dt.date | None:
        return accept_due(self.session, days, today)

    def attach(self, clue_id: uuid.UUID, uploads: Iterable[clue_attachments.Upload]) -> None:
        clue_attachments.attach(self.session, clue_id, uploads)

    def publish_sms(self, template: str, payload: dict, key: str) -> None:
        outbox.publish(self.session, "sms", template, payload, key=key)

    def publish_event(self, event: IntegrationEvent) -> None:
        """To the upstream systems the district turned on (the gateway routes it)."""
        routing.publish(self.session, event)

    def draft_case(self, clue: Clue, actor: str) -> None:
        """The hand-off to the case engine: a draft at the filing stage with the clue's
        facts (its attachments stay linked through the clue); a handler the legal-affairs
        office designated keeps that designation, which gives it jurisdiction
        (《行政处罚法》第二十五条)."""
        lines = [clue.description, f"地点：{clue.place}"]
        if clue.occurred_at:
            lines.append(f"时间：{clue.occurred_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")
        lines.append(f"来源：线索 {clue.receipt_code}")
        case = case_service.new_draft(
            self.session,
            clue.agency_id,
            actor,
            # the clue came in (the hotline took the call): discovered
            discovered_on=stored_day(clue.received_at or clue.created_at),
            clue_id=clue.id,
            matter_code=clue.matter_code,
            facts="\n".join(lines),
            place=clue.place,
            occurred_at=clue.occurred_at,
            details={
                # the filing form's 案件来源: how the clue came in, and its number
                "source": {"channel": clue.source, "clue": clue.receipt_code},
                **(
                    {
                        "designated": {
                            "clue": clue.receipt_code,
                            "joint": list(clue.joint_agency_ids),
                        }
                    }
                    if clue.designated
                    else {}
                ),
            },
        )
        # A joint agency the legal-affairs office designated to the clue takes part in its
        # case too (it sees the clue, and what became of it).
        for agency_id in self._joint_agencies(clue.id):
            if agency_id != clue.agency_id:
                case_service.take_part(self.session, case, agency_id, ParticipationRole.JOINT)
        deadlines_refresh(self.session, case)

    def _joint_agencies(self, clue_id: uuid.UUID) -> list[uuid.UUID]:
        return list(
            self.session.execute(
                select(ClueParticipant.agency_id).where(
                    ClueParticipant.clue_id == clue_id,
                    ClueParticipant.role == ParticipationRole.JOINT.value,
                    ClueParticipant.until.is_(None),
                )
            ).scalars()
        )

    def participate(self, clue: Clue, action: str) -> None:
        """The agencies taking part in the clue after `action` (kernel/db/agency_scope.py):
        the holder — lead when the clue was offered to it or the legal-affairs office
        designated it, receiving when it was transferred to it; an agency that held it
        keeps following it; the joint agencies are exactly those designated now (one no
        longer designated stops taking part)."""
        self.session.flush()
        rows = self.session.execute(
            select(ClueParticipant).where(
                ClueParticipant.clue_id == clue.id, ClueParticipant.until.is_(None)
            )
        ).scalars()
        current = {(p.agency_id, p.role): p for p in rows}

        def take_part(agency_id: uuid.UUID, role: ParticipationRole) -> None:
            if (agency_id, role.value) not in current:
                row = ClueParticipant(clue_id=clue.id, agency_id=agency_id, role=role.value)
                self.session.add(row)
                current[(agency_id, role.value)] = row

        holder = clue.agency_id
        if holder is not None:
            if action == "designated":
                take_part(holder, ParticipationRole.LEAD)
            elif not any(a == holder for a, _ in current):
                role = (
                    ParticipationRole.RECEIVING
                    if action == "transferred"
                    else ParticipationRole.LEAD
                )
                take_part(holder, role)
        joint = {uuid.UUID(str(j)) for j in clue.joint_agency_ids or []}
        for (agency_id, role), row in list(current.items()):
            if role == ParticipationRole.JOINT.value and agency_id not in joint:
                row.until = utcnow()
        for agency_id in joint:
            take_part(agency_id, ParticipationRole.JOINT)
