"""Read models of the officers' console for the one door: the inbox, a clue's history
as people read it, and which actions the viewer may take on a clue now."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, select
from sqlalchemy.orm import Session

from yimen.platform.intake import rules, service
from yimen.platform.intake.model import Clue, ClueStep, Source
from yimen.platform.intake.service import SHANGHAI
from yimen.platform.kernel.directory import Agency, Officer
from yimen.platform.kernel.permissions import allowed
from yimen.tenants.powers.matters import (  # noqa: F401 (the console reads them here)
    adopted_by_domain,
    adopted_matters,
    matter_names,
)

# (Chinese, English) for each code the console shows.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "offered": ("待受理", "Waiting for acceptance"),
    "accepted": ("办理中", "Being handled"),
    "arbitration": ("待法制办裁定", "Awaiting arbitration"),
    "closed": ("已办结", "Closed"),
    "merged": ("已合并", "Merged"),
}
SOURCE_LABELS: dict[str, tuple[str, str]] = {
    Source.PUBLIC_WEB: ("网上投诉", "Public website"),
    Source.API: ("接口登记", "API"),
    Source.OPEN311: ("Open311", "Open311"),
    Source.HOTLINE: ("12319热线", "12319 hotline"),
    Source.HOTLINE_12345: ("12345热线工单", "12345 hotline work order"),
    Source.PATROL: ("巡查发现", "Patrol"),
    Source.INSPECTION: ("检查发现", "Inspection"),
    Source.UPPER_LEVEL: ("上级交办", "Upper-level system"),
    Source.POLICE: ("公安移送", "Police"),
}
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "offered": ("分派", "Offered"),
    "accepted": ("受理", "Accepted"),
    "transferred": ("移送", "Transferred"),
    "submitted": ("提交法制办裁定", "Submitted for arbitration"),
    "designated": ("法制办指定承办", "Designated by the legal-affairs office"),
    "escalated": ("逾期督办", "Escalated as overdue"),
    "case_drafted": ("转为案件(待审批立案)", "Converted to a case draft"),
    "case_filed": ("案件已立案", "The case was filed"),
    "case_declined": ("案件不予立案", "The case was not filed"),
    "case_decided": ("案件已作出决定", "The case was decided"),
    "case_closed": ("案件已结案", "The case was closed"),
    "not_filed": ("不予立案", "Not filed"),
    "closed": ("办结", "Closed"),
    "merged": ("合并", "Merged"),
    "joined": ("加入同一事项投诉", "Joined a complaint"),
    "reopened": ("重新办理", "Reopened"),
    "rated": ("投诉人评价", "Rated by the complainant"),
    "hotline_rated": ("12345回访评价", "Rated on the 12345 callback"),
}
# What an officer reads for each closing outcome (the console's short wording).
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "no_violation": ("未发现违法行为", "No violation found"),
    "not_our_jurisdiction": ("不属本部门管辖并已转交", "Not our jurisdiction; sent on"),
    "corrected_on_spot": ("当场改正", "Corrected on the spot"),
    "case_review": ("已转为案件，待审批立案", "A case draft awaits filing"),
    "case_filed": ("已立案", "A case was filed"),
    "case_declined": ("不予立案", "The case was not filed"),
    "case_closed": ("案件已结案", "The case was closed"),
    "could_not_verify": ("无法核实", "Could not be verified"),
    "merged": ("已合并办理", "Merged"),
}
ACTORS = {"system": ("系统", "System"), "public": ("投诉人", "Complainant")}
LEGAL_AFFAIRS = ("区司法局(法制办)", "Legal-affairs office")
HANDLING_KINDS = service.HANDLING_KINDS  # agencies a clue may be offered, transferred to


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def overdue_clause(on: dt.date):
    """Offered and not accepted by the acceptance deadline (a date in Asia/Shanghai)."""
    return and_(Clue.status == rules.Status.OFFERED.value, Clue.accept_due < on)


def is_overdue(clue: Clue, on: dt.date) -> bool:
    return (
        clue.status == rules.Status.OFFERED.value
        and clue.accept_due is not None
        and clue.accept_due < on
    )


def inbox_query(
    on: dt.date,
    status: str | None = None,
    source: str | None = None,
    overdue_only: bool = False,
) -> Select:
    """The agency's clues (the district's for district-wide roles), overdue first, then
    by acceptance deadline, newest first among equals."""
    overdue = overdue_clause(on)
    query = select(Clue).order_by(
        case((overdue, 0), else_=1),
        Clue.accept_due.is_(None),
        Clue.accept_due,
        Clue.created_at.desc(),
    )
    if status:
        query = query.where(Clue.status == status)
    if source:
        query = query.where(Clue.source == source)
    if overdue_only:
        query = query.where(overdue)
    return query


def agency_names(session: Session) -> dict[uuid.UUID, str]:
    return dict(session.execute(select(Agency.id, Agency.name)).all())


def handling_agencies(session: Session) -> list[Agency]:
    return list(
        session.execute(
            select(Agency).where(Agency.kind.in_(HANDLING_KINDS)).order_by(Agency.code)
        ).scalars()
    )


@dataclass(frozen=True)
class HistoryRow:
    action: tuple[str, str]
    agency: str  # the agency of the step; "A → B" for a transfer or a submission
    reason: str
    actor: tuple[str, str]
    at: dt.datetime


def history(session: Session, clue: Clue) -> list[HistoryRow]:
    """Each step with who held the clue before it, so a transfer reads "from → to" and a
    submission names the agency that refused."""
    names = agency_names(session)
    steps: list[ClueStep] = sorted(clue.steps, key=lambda st: st.at)
    officers = _officer_names(session, {st.actor for st in steps})
    rows, holder = [], None
    for st in steps:
        to = names.get(st.agency_id, "") if st.agency_id else ""
        if st.action == "transferred":
            agency = f"{names.get(holder, '')} → {to}"
        elif st.action == "submitted":
            agency = f"{names.get(holder, '') + ' → ' if holder else ''}{LEGAL_AFFAIRS[0]}"
        else:
            agency = to
        if st.action in ("offered", "transferred", "designated", "submitted"):
            holder = st.agency_id
        actor = ACTORS.get(st.actor) or (officers.get(st.actor, st.actor),) * 2
        label = ACTION_LABELS.get(st.action, (st.action, st.action))
        rows.append(HistoryRow(label, agency, st.reason, actor, st.at))
    return rows


def _officer_names(session: Session, usernames: set[str]) -> dict[str, str]:
    wanted = {u for u in usernames if u and u not in ACTORS}
    if not wanted:
        return {}
    rows = session.execute(
        select(Officer.username, Officer.name).where(Officer.username.in_(wanted))
    )
    return {username: f"{name} ({username})" for username, name in rows}


@dataclass(frozen=True)
class Actions:
    accept: bool = False
    transfer: bool = False
    transfers_left: int = 0
    submit: bool = False
    close: bool = False
    file_case: bool = False
    merge: bool = False
    designate: bool = False

    @property
    def any(self) -> bool:
        return any(
            (self.accept, self.transfer, self.submit, self.close, self.merge, self.designate)
        )


def _may(rule, *args) -> bool:
    try:
        rule(*args)
    except rules.RoutingError:
        return False
    return True


def available_actions(clue: Clue, roles: frozenset[str], agency_id: uuid.UUID | None) -> Actions:
    """What the viewer may do now: the routing rules asked with the clue's state and the
    viewer's agency, for a role the permission table allows."""
    state = service.state_of(clue)
    designate = allowed(roles, "clues.arbitrate") and _may(rules.designate, state, "handler")
    if not allowed(roles, "clues.route") or agency_id is None:
        return Actions(designate=designate)
    me = str(agency_id)
    return Actions(
        accept=_may(rules.accept, state, me),
        transfer=_may(rules.transfer, state, me, f"not-{me}", "理由"),
        transfers_left=max(0, rules.MAX_TRANSFERS - clue.transfers),
        submit=_may(rules.submit_to_arbitration, state, me, "理由"),
        close=_may(rules.close, state, me, rules.CLOSING_OUTCOMES[0], "核查情况"),
        file_case=_may(rules.file_case, state, me),
        merge=clue.agency_id == agency_id
        and clue.status in (rules.Status.OFFERED.value, rules.Status.ACCEPTED.value),
        designate=designate,
    )
