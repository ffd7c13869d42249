"""Flags a case carries for supervision, each with its rule and article (`case_flag`).

A late act that cannot be undone — a seizure kept past its limit (行政强制法 第二十五条),
a decision served after 7 working days (处罚法 第六十一条), cash handed in after 2 working
days (第七十一条) — is recorded as it happened and flagged here, never refused. The 90-day
decision limit (第六十条 and the sector's rule) is flagged as it nears (within
`NEAR_WORKING_DAYS` working days) and once it has passed; the decision itself is refused
past it (`decision_limit_refusal`). One open flag per case and rule (a partial unique
index): the same fact is never flagged twice. Every flag also sets `Case.flagged`.

`sweep` re-reads the clock of one case (when it is read or acted on); `sweep_all` runs it
over every district's open cases, hourly, like the escalation of overdue clues.
"""

from __future__ import annotations

import datetime as dt
import logging

import dramatiq
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law.model import CaseFlag
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import Case, CaseStatus
from yimen.platform.kernel.db import db, tenant_scope, utcnow
from yimen.tenants.calendar.rules import CalendarNotLoaded
from yimen.tenants.calendar.service import working_calendar

log = logging.getLogger(__name__)

NEAR_WORKING_DAYS = 10
DECISION_NEAR, DECISION_PASSED = "decision-limit-near", "decision-limit-passed"
SEIZURE_OVERDUE, SERVICE_LATE, HAND_IN_LATE = "seizure-overdue", "service-late", "hand-in-late"


def raise_flag(
    session: Session, case: Case, rule: str, article: str, zh: str, en: str
) -> CaseFlag | None:
    """Flag `case` for `rule` unless a flag for it is already open (then None)."""
    case.flagged = True
    if open_flag(session, case, rule) is not None:
        return None
    flag = CaseFlag(case_id=case.id, rule=rule, article=article, reason_zh=zh, reason_en=en)
    session.add(flag)
    session.flush()
    return flag


def resolve(session: Session, case: Case, rule: str) -> None:
    if (flag := open_flag(session, case, rule)) is not None:
        flag.resolved_at = utcnow()


def open_flag(session: Session, case: Case, rule: str) -> CaseFlag | None:
    pending = [f for f in session.new if isinstance(f, CaseFlag)]
    for flag in pending:
        if flag.case_id == case.id and flag.rule == rule and flag.resolved_at is None:
            return flag
    return session.execute(
        select(CaseFlag).where(
            CaseFlag.case_id == case.id, CaseFlag.rule == rule, CaseFlag.resolved_at.is_(None)
        )
    ).scalar_one_or_none()


def flags_of(session: Session, case: Case) -> list[CaseFlag]:
    """Every flag of the case, open ones first, newest first."""
    found = session.execute(select(CaseFlag).where(CaseFlag.case_id == case.id)).scalars()
    return sorted(found, key=lambda f: (f.resolved_at is not None, -f.raised_at.timestamp()))


# --- the decision limit (处罚法 第六十条) -------------------------------------------------


def decision_due(session: Session, case: Case) -> law.Due | None:
    """The case's decision limit: 90 days from filing, with the sector's approved
    extensions and excluded pauses (law.decision_due)."""
    if case.filed_on is None:
        return None
    return law.decision_due(
        law.profile(case.sector),
        case.filed_on,
        working_calendar(session),
        list(case.pauses),
        deadlines._extensions(case),
    )


def awaiting_decision(case: Case) -> bool:
    """Filed, open, and no decision taken yet (the 90 days run)."""
    return (
        case.status == CaseStatus.OPEN.value
        and case.procedure == "general"
        and case.decided_on is None
        and "decision" in deadlines.RUNNING.get(case.stage, ())
    )


def decision_limit_refusal(session: Session, case: Case, on: dt.date) -> rules.Refusal | None:
    """处罚法 第六十条: the decision within 90 days of filing, longer only by an extension
    the sector rule allows and the head (or the heads' collective discussion) approved."""
    due = decision_due(session, case)
    if due is None or due.on is None or on <= due.on:
        return None
    sector = law.profile(case.sector)
    if sector.first_extension_days:
        how_zh = "，且未依规定批准延长" if not deadlines._extensions(case) else "(含已批准的延长)"
        how_en = " and no extension was approved" if not deadlines._extensions(case) else ""
    else:
        how_zh, how_en = "，本行业规定不得延长", "; the rules allow no extension"
    return rules.Refusal(
        "decision-limit-passed",
        f"办案期限已于{due.on:%Y-%m-%d}届满 (立案{case.filed_on:%Y-%m-%d})，{on:%Y-%m-%d}不得再作出行政处罚决定{how_zh}。",
        f"The decision limit ended on {due.on:%Y-%m-%d} (filed {case.filed_on:%Y-%m-%d}); no penalty decision on {on:%Y-%m-%d}{how_en}.",
        due.article,
    )


def _sweep_decision(session: Session, case: Case, on: dt.date) -> None:
    if not awaiting_decision(case):
        resolve(session, case, DECISION_NEAR)
        return
    due = decision_due(session, case)
    if due is None or due.on is None:
        return  # paused: the clock does not run
    if on > due.on:
        resolve(session, case, DECISION_NEAR)
        raise_flag(
            session,
            case,
            DECISION_PASSED,
            due.article,
            f"办案期限已于{due.on:%Y-%m-%d}届满，尚未作出处理决定。",
            f"The decision limit ended on {due.on:%Y-%m-%d} with no decision taken.",
        )
        return
    resolve(session, case, DECISION_PASSED)  # an extension moved the limit
    try:
        near = working_calendar(session).add_working_days(on, NEAR_WORKING_DAYS) >= due.on
    except CalendarNotLoaded:
        return
    if not near:
        resolve(session, case, DECISION_NEAR)
        return
    raise_flag(
        session,
        case,
        DECISION_NEAR,
        due.article,
        f"办案期限将于{due.on:%Y-%m-%d}届满 (不足{NEAR_WORKING_DAYS}个工作日)，请及时作出决定或依规定报批延长。",
        f"The decision limit ends on {due.on:%Y-%m-%d} (within {NEAR_WORKING_DAYS} working days): decide, or have an extension approved as the rules allow.",
    )


# --- late acts, recorded as they happened -------------------------------------------------


def seizure_kept_late(session: Session, case: Case, measure: dict, on: dt.date) -> None:
    """行政强制法 第二十五条: a seal-up or seizure kept past its 30 days (+ the extension,
    + fixed testing time); its release is recorded, not refused."""
    raise_flag(
        session,
        case,
        SEIZURE_OVERDUE,
        f"{law.QZ}第二十五条",
        f"查封、扣押期限已于{measure['ends_on']}届满，{on:%Y-%m-%d}仍未解除。",
        f"The seal-up or seizure ran out on {measure['ends_on']}; still held on {on:%Y-%m-%d}.",
    )


def service_late(session: Session, case: Case, served: dt.date) -> None:
    """处罚法 第六十一条、第八十五条: the decision is served within 7 working days."""
    due = law.due(law.rule("service"), case.decided_on, working_calendar(session))
    if due.on is None or served <= due.on:
        return
    raise_flag(
        session,
        case,
        SERVICE_LATE,
        due.article,
        f"决定书应于{due.on:%Y-%m-%d}前送达 (作出决定后七个工作日内)，实际{served:%Y-%m-%d}送达。",
        f"The decision was due to be served by {due.on:%Y-%m-%d} (7 working days); it was served on {served:%Y-%m-%d}.",
    )


def hand_in_late(session: Session, case: Case, due: dt.date, on: dt.date) -> None:
    """处罚法 第七十一条、第八十五条: cash collected on the spot reaches the agency within 2
    working days."""
    raise_flag(
        session,
        case,
        HAND_IN_LATE,
        law.rule("hand_in_fine").article,
        f"当场收缴的罚款应于{due:%Y-%m-%d}前交至行政机关，实际{on:%Y-%m-%d}交付。",
        f"The fine collected on the spot was due at the agency by {due:%Y-%m-%d}; handed in on {on:%Y-%m-%d}.",
    )


def _sweep_measures(session: Session, case: Case, on: dt.date) -> None:
    calendar = working_calendar(session)
    for measure in deadlines.open_measures(case):
        due = deadlines.measure_due(case, measure, calendar)
        if due.on is not None and on > due.on:
            seizure_kept_late(session, case, {**measure, "ends_on": due.on.isoformat()}, on)
            return


def sweep(session: Session, case: Case, on: dt.date | None = None) -> None:
    """The flags the clock raises on `case` today (not committed)."""
    if case.status not in (CaseStatus.OPEN.value,):
        resolve(session, case, DECISION_NEAR)
        return
    from yimen.platform.cases.service import today

    on = on or today()
    _sweep_decision(session, case, on)
    _sweep_measures(session, case, on)


def sweep_on_read(session: Session, case: Case) -> None:
    """`sweep` when a case is read, committed at once; two readers raising the same flag
    at the same moment (the open-flag index) or a case changed meanwhile leave it to the
    other writer."""
    sweep(session, case)
    if not (session.new or session.dirty):
        return
    try:
        session.commit()
    except (IntegrityError, StaleDataError):
        session.rollback()


def sweep_all(on: dt.date | None = None) -> int:
    """`sweep` over the open cases of every district; returns how many flags are open."""
    from yimen.platform.kernel.directory import Tenant, TenantKind

    with db.new_session() as s:
        tenants = s.execute(select(Tenant.id).where(Tenant.kind == TenantKind.DISTRICT)).scalars()
        tenant_ids = list(tenants)
    count = 0
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id), db.new_session() as s:
            cases = s.execute(select(Case).where(Case.status == CaseStatus.OPEN.value))
            for case in cases.scalars().all():
                sweep(s, case, on)
            try:
                s.commit()
            except (IntegrityError, StaleDataError):  # a reader raised it meanwhile: next hour
                s.rollback()
            count += len(s.execute(select(CaseFlag.id).where(CaseFlag.resolved_at.is_(None))).all())
    return count


@dramatiq.actor(queue_name="yimen.system", max_retries=3)
def flag_case_limits() -> None:
    """Hourly: decision limits near or passed and seizures kept too long are flagged."""
    count = sweep_all()
    if count:
        log.info("open case flags", extra={"count": count})
