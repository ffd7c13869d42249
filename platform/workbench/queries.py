"""The workbench (执法工作台): what the viewer has to do now, nearest deadline first.

A read model, not a use case: it gathers, for the signed-in person's roles, the clues
offered to their agency to accept, the clues awaiting the legal-affairs office's
designation, the case drafts they must complete, and for each case the next lawful step
— derived from the case engine's declarations (cases/registry.py), not from hand lists:
the action allowed now (its stages and statuses) that issues the document the current
stage of the case's pinned workflow still lacks, or completing the stage; the role the
action declares says whose to-do it is (none: the case's officers). Periods ending within
the district's `workbench_due_soon_working_days` working days, and overdue ones, are
listed for the case's officers and its agency's head, overdue ones for the district's
supervisors too. A period whose end falls in a year without a loaded calendar is
flagged, never guessed (tenants/calendar).

What is read follows the agency scope the guard bound for the request (kernel/db/
agency_scope.py): an agency's staff see what their agency takes part in, the district-wide
readers the district. The statements are bounded: one for the clues, one for the cases
and one per relationship loaded with them, one for their documents, one per workflow
version pinned — never one per record (tests/integration/test_workbench.py counts them).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from yimen.platform.cases import registry
from yimen.platform.cases.documents.model import CaseDocument, DocumentStatus
from yimen.platform.cases.law import periods
from yimen.platform.cases.procedure import rules as case_rules
from yimen.platform.cases.record.model import DEADLINE_KEY, Case
from yimen.platform.intake import console_queries as clue_queries
from yimen.platform.intake import rules as clue_rules
from yimen.platform.intake.model import Clue
from yimen.platform.kernel.db.agency_scope import current_agency_scope
from yimen.platform.kernel.directory import Agency, Officer
from yimen.platform.kernel.errors import Invalid
from yimen.platform.kernel.identity import Identity
from yimen.platform.kernel.permissions import allowed
from yimen.tenants.calendar.rules import CalendarNotLoaded, WorkingCalendar
from yimen.tenants.calendar.service import working_calendar
from yimen.tenants.directory import district_settings
from yimen.tenants.workflow.service import load_pinned

DUE_SOON_SETTING = "workbench_due_soon_working_days"
MAX_CASES = 300  # the nearest deadlines first: what a person can work through
MAX_CLUES = 200
OFFICER = "officer"  # whose an action is when it declares no role: the case's officers
# The statuses some action is declared for (draft, open, transferred, closed).
ACTIVE_STATUSES = tuple(sorted({s for spec in registry.SPECS.values() for s in spec.statuses}))
CALENDAR_MISSING = "日历未载入"  # how the case list labels a period it cannot compute

OVERDUE, DUE_SOON, UNKNOWN, LATER, NONE = "overdue", "due_soon", "unknown", "later", "none"
STATES: dict[str, tuple[str, str]] = {
    OVERDUE: ("已逾期", "Overdue"),
    DUE_SOON: ("临期", "Due soon"),
    UNKNOWN: ("日历未载入，期限无法计算", "Calendar not loaded: the period cannot be computed"),
    LATER: ("", ""),
    NONE: ("", ""),
}
# What kind of to-do an item is, as the list names it.
KINDS: dict[str, tuple[str, str]] = {
    "accept_clue": ("待受理线索", "Clue to accept"),
    "designate_clue": ("待指定承办", "Clue to designate"),
    "complete_draft": ("待补全草稿", "Draft to complete"),
    "approval": ("待审批", "Approval"),
    "review": ("待法制审核", "Legal review"),
    "step": ("待办理", "Next step"),
    "period": ("期限提醒", "Period"),
    "supervision": ("逾期督办", "Overdue (supervision)"),
}
ROLE_KINDS = {"agency_head": "approval", "legal_reviewer": "review"}
SHANGHAI = ZoneInfo("Asia/Shanghai")

log = logging.getLogger(__name__)


def today() -> dt.date:
    """The law counts days in Asia/Shanghai."""
    return dt.datetime.now(SHANGHAI).date()


@dataclass(frozen=True)
class Item:
    """One to-do: what to do (`label`, from the action's declaration), on which record,
    by when; `anchor` is where on the record's console page the action is."""

    kind: str
    record: str  # clue | case
    record_id: uuid.UUID
    title: str  # the receipt code, the case number ("" for a draft)
    subject: str  # the party, or the clue's place
    label_zh: str
    label_en: str
    anchor: str
    action: str | None = None
    deadline: dt.date | None = None
    deadline_zh: str = ""
    deadline_en: str = ""
    state: str = NONE

    @property
    def kind_label(self) -> tuple[str, str]:
        return KINDS[self.kind]

    @property
    def state_label(self) -> tuple[str, str]:
        return STATES[self.state]


@dataclass(frozen=True)
class Workbench:
    items: list[Item]
    today: dt.date
    due_soon_days: int
    truncated: bool = False  # more records than the list reads (MAX_CASES, MAX_CLUES)


@dataclass(frozen=True)
class Viewer:
    roles: frozenset[str]
    username: str
    agency_id: uuid.UUID | None
    officer_id: uuid.UUID | None
    reads_district: bool  # the bound scope is the whole district (a supervisor)


def workbench(session: Session, identity: Identity, today: dt.date) -> Workbench:
    """The viewer's to-do list, overdue first, then by the nearest deadline."""
    viewer = _viewer(session, identity)
    days = district_settings.read(session, DUE_SOON_SETTING)
    clock = _Clock(working_calendar(session), today, days)
    clues = _clue_rows(session)
    cases = _case_rows(session)
    items = [*_clue_items(clues, viewer, clock), *_case_items(session, cases, viewer, clock)]
    items.sort(key=_order)
    truncated = len(clues) >= MAX_CLUES or len(cases) >= MAX_CASES
    return Workbench(items, today, days, truncated)


def _viewer(session: Session, identity: Identity) -> Viewer:
    agency_id = officer_id = None
    if identity.agency:
        agency_id = session.execute(
            select(Agency.id).where(Agency.code == identity.agency)
        ).scalar_one_or_none()
    if identity.username:
        officer_id = session.execute(
            select(Officer.id).where(Officer.username == identity.username)
        ).scalar_one_or_none()
    scope = current_agency_scope()
    return Viewer(
        identity.roles,
        identity.username,
        agency_id,
        officer_id,
        bool(scope and scope.everything),
    )


def _order(item: Item) -> tuple:
    rank = {OVERDUE: 0, DUE_SOON: 1, LATER: 1, UNKNOWN: 2, NONE: 3}[item.state]
    kind = 1 if item.kind in ("period", "supervision") else 0  # the step before the reminder
    return (rank, item.deadline or dt.date.max, kind, item.title, str(item.record_id))


# --- the clock ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clock:
    calendar: WorkingCalendar
    today: dt.date
    days: int

    def state(self, due: dt.date | None, missing: bool = False) -> str:
        if due is None:
            return UNKNOWN if missing else NONE
        if due < self.today:
            return OVERDUE
        soon = self.within(due)
        return UNKNOWN if soon is None else (DUE_SOON if soon else LATER)

    def within(self, due: dt.date) -> bool | None:
        """Does `due` come within `days` working days of today? None where the days
        between fall in a year whose calendar is not loaded."""
        if (due - self.today).days > 3 * self.days + 14:  # past any run of holidays
            return False
        counted, day = 0, self.today
        try:
            while day < due:
                day += dt.timedelta(days=1)
                counted += self.calendar.is_working_day(day)
        except CalendarNotLoaded:
            return None
        return counted <= self.days


# --- clues ----------------------------------------------------------------------------


def _clue_rows(session: Session) -> list[Clue]:
    waiting = (clue_rules.Status.OFFERED.value, clue_rules.Status.ARBITRATION.value)
    return list(
        session.execute(
            select(Clue)
            .where(Clue.status.in_(waiting))
            .order_by(Clue.accept_due.is_(None), Clue.accept_due, Clue.created_at, Clue.id)
            .limit(MAX_CLUES)
        ).scalars()
    )


def _clue_items(clues: list[Clue], viewer: Viewer, clock: _Clock) -> list[Item]:
    """A clue offered to the viewer's agency (the routing rules say it may accept it),
    and one awaiting the legal-affairs office's designation."""
    items = []
    for clue in clues:
        may = clue_queries.available_actions(clue, viewer.roles, viewer.agency_id)
        if may.accept:
            kind, label, anchor = "accept_clue", ("受理线索", "Accept the clue"), "accept-form"
        elif may.designate:
            kind, label = "designate_clue", ("指定承办部门", "Designate the handler")
            anchor = f"designate-{clue.id}"
        else:
            continue
        offered = clue.status == clue_rules.Status.OFFERED.value
        items.append(
            Item(
                kind,
                "clue",
                clue.id,
                clue.receipt_code,
                _short(clue.place or clue.description),
                *label,
                anchor=anchor,
                deadline=clue.accept_due if offered else None,
                deadline_zh="受理期限" if offered else "",
                deadline_en="Acceptance due" if offered else "",
                state=clock.state(clue.accept_due, missing=offered) if offered else NONE,
            )
        )
    return items


def _short(text: str, size: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# --- cases ----------------------------------------------------------------------------


def _case_rows(session: Session) -> list[Case]:
    return list(
        session.execute(
            select(Case)
            .where(Case.status.in_(ACTIVE_STATUSES))
            .options(
                selectinload(Case.decision),
                selectinload(Case.services),
                selectinload(Case.payment),
                selectinload(Case.measures),
            )
            .order_by(DEADLINE_KEY, Case.created_at, Case.id)
            .limit(MAX_CASES)
        ).scalars()
    )


def _issued(session: Session, cases: list[Case]) -> dict[uuid.UUID, frozenset[str]]:
    found: dict[uuid.UUID, set[str]] = {c.id: set() for c in cases}
    if cases:
        rows = session.execute(
            select(CaseDocument.case_id, CaseDocument.kind).where(
                CaseDocument.case_id.in_(list(found)),
                CaseDocument.status == DocumentStatus.ISSUED.value,
            )
        )
        for case_id, kind in rows:
            found[case_id].add(kind)
    return {k: frozenset(v) for k, v in found.items()}


def _case_items(session: Session, cases: list[Case], viewer: Viewer, clock: _Clock) -> list:
    issued = _issued(session, cases)
    definitions: dict[str, dict | None] = {}
    items = []
    for case in cases:
        if case.workflow_pin not in definitions:
            try:
                definitions[case.workflow_pin] = load_pinned(session, case.workflow_pin).definition
            except Invalid:  # a pin no workflow answers to: the case's own page says so
                log.warning("workbench: case %s has an unknown workflow pin", case.id)
                definitions[case.workflow_pin] = None
        definition = definitions[case.workflow_pin]
        if definition is None:
            continue  # one broken record never takes the officer's whole list down
        item = _case_item(case, definition, issued[case.id], viewer, clock)
        if item is not None:
            items.append(item)
    return items


def _case_item(
    case: Case, definition: dict, issued: frozenset[str], viewer: Viewer, clock: _Clock
) -> Item | None:
    """The viewer's one to-do on the case: its next step if the viewer takes it, else a
    reminder of a period due soon, overdue or not computable."""
    missing = CALENDAR_MISSING in (case.next_deadline_label or "")
    state = clock.state(case.next_deadline, missing)
    zh = case.next_deadline_label.split("：")[0] if case.next_deadline_label else ""
    base = Item(
        "period",
        "case",
        case.id,
        case.number or "",
        case.parties[0].name if case.parties else "",
        "",
        "",
        anchor="deadlines",
        deadline=case.next_deadline,
        deadline_zh=zh,
        deadline_en=PERIOD_NAMES_EN.get(zh, zh),
        state=state,
    )
    acts = viewer.agency_id is not None and (
        not viewer.reads_district or case.agency_id == viewer.agency_id
    )
    handles = acts and _handles(case, viewer)
    if acts and (step := _step(case, definition, issued, viewer, handles, clock.today)) is not None:
        return replace(base, **step)
    if state not in (OVERDUE, DUE_SOON, UNKNOWN):
        return None
    if handles or (acts and "agency_head" in viewer.roles):
        stage = case_rules.stage_of(definition, case.stage) if _has_stage(definition, case) else {}
        zh, en = stage.get("name", case.stage), stage.get("name_en", case.stage)
        return replace(base, label_zh=f"办理「{zh}」环节", label_en=f"Work on the stage: {en}")
    if viewer.reads_district and allowed(viewer.roles, "cases.supervise") and state != DUE_SOON:
        return replace(base, kind="supervision", label_zh="督促办理", label_en="Follow up")
    return None


def _has_stage(definition: dict, case: Case) -> bool:
    return any(s["id"] == case.stage for s in definition.get("stages", ()))


def _handles(case: Case, viewer: Viewer) -> bool:
    """The viewer works the case as an officer: one of its officers, or who opened it."""
    if OFFICER not in viewer.roles:
        return False
    mine = any(co.officer_id == viewer.officer_id and not co.recused for co in case.officers)
    return mine or (bool(viewer.username) and case.created_by == viewer.username)


def _step(
    case, definition, issued, viewer: Viewer, handles: bool, viewer_today: dt.date
) -> dict | None:
    if case.status == "draft" and (lacks := _draft_lacks(case)):
        if not handles:
            return None
        return {
            "kind": "complete_draft",
            "label_zh": "补全立案信息：" + "、".join(zh for zh, _ in lacks),
            "label_en": "Complete the draft: " + ", ".join(en for _, en in lacks),
            "anchor": "draft-form",  # on its own page (the console's draft form)
        }
    name = next_step(case, definition, issued, viewer_today)
    if name is None:
        return None
    spec = registry.SPECS[name]
    role = spec.role[0] if spec.role else OFFICER
    if role not in viewer.roles or (role == OFFICER and not handles):
        return None
    if role == "legal_reviewer" and _is_officer_of(case, viewer):
        return None  # review is separate from investigation (处罚法 第五十八条)
    return {
        "kind": ROLE_KINDS.get(role, "step"),
        "action": name,
        "label_zh": spec.label_zh,
        "label_en": spec.label_en,
        "anchor": f"action-{name}",
    }


def _is_officer_of(case: Case, viewer: Viewer) -> bool:
    return any(co.officer_id == viewer.officer_id for co in case.officers)


def _draft_lacks(case: Case) -> list[tuple[str, str]]:
    """What filing needs that the draft lacks (处罚法 第四十二条、第五十四条: the matter, a
    party, two officers) — what `approve_filing` refuses without."""
    lacks = []
    if not case.matter_code:
        lacks.append(("执法事项", "the enforcement matter"))
    if not case.parties:
        lacks.append(("当事人", "a party"))
    if len([co for co in case.officers if not co.recused]) < 2:
        lacks.append(("承办人员(至少两名)", "two case officers"))
    return lacks


def next_step(case: Case, definition: dict, issued: frozenset[str], today: dt.date) -> str | None:
    """The next lawful step on the case, from the declarations: of the actions the law
    allows now (registry.allowed_actions), the one that issues the first document the
    current stage still lacks, or what its guard waits for (registry.issuing_step: the
    proposal before a prior notice, 处罚法 第四十四条); once the stage is complete,
    completing it. Execution waits while the party
    may still pay (处罚法 第六十七条; 行政强制法 第五十四条: no demand before)."""
    if not _has_stage(definition, case):
        return None
    view = _view(case, issued, today)
    allowed_now = registry.allowed_actions(definition, view)
    missing = case_rules.missing_documents(definition, view)
    if case.stage == "execution" and not _payment_overdue(view):
        missing = []
    if missing and (step := registry.issuing_step(missing[0], view, allowed_now)):
        return step
    return "advance" if "advance" in allowed_now else None


def _payment_overdue(view: case_rules.CaseView) -> bool:
    due = view.dates.get("pay_due")
    return due is not None and due < view.today


def _view(case: Case, issued: frozenset[str], today: dt.date) -> case_rules.CaseView:
    """What the rules read to say which actions are allowed now: the case's columns and
    stage facts, the documents issued; officers and the matter are what the actions
    themselves check (the view the engine builds per case costs statements)."""
    details = case.stage_facts()
    dates = {
        k: dt.date.fromisoformat(v) if v else None for k, v in details.get("dates", {}).items()
    }
    return case_rules.CaseView(
        procedure=case.procedure,
        stage=case.stage,
        status=case.status,
        major=case.major,
        complex_case=case.complex_case,
        measures_needed=case.measures_needed,
        hearing_requested=case.hearing_requested,
        hearing_right=bool(details.get("prior_notice", {}).get("hearing_right")),
        parties=len(case.parties),
        penalty_proposed=case.proposed_fine_fen is not None or bool(case.penalty_kinds),
        documents=issued,
        details=details,
        on_spot_possible=False,  # the workbench never proposes the simple procedure
        today=today,
        dates=dates,
    )


def _period_names() -> dict[str, str]:
    """A period's English name by its Chinese one (the case keeps the Chinese label of
    its next deadline): the law's periods and each sector's own."""
    rules = list(periods.RULES.values())
    for profile in periods.PROFILES:
        for method in (
            profile.lead_check_rule,
            profile.lead_check_extended_rule,
            profile.legal_review_rule,
            profile.statement_rule,
            profile.decision_rule,
        ):
            if (rule := method()) is not None:
                rules.append(rule)
    return {r.name_zh: r.name_en for r in rules}


PERIOD_NAMES_EN = _period_names()
