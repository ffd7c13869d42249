"""The case's clock: the law's periods (periods.py, limits.py) applied to this case's
events, with the working-day calendar, its pauses and approved extensions; and the
discretion check (discretion/benchmark.py) applied to its matter and party.

Dates that start a period are kept in `case.details["dates"]` (ISO), written by the
actions; `refresh` recomputes the next deadline shown in lists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from yimen.platform.cases.discretion import benchmark as discretion
from yimen.platform.cases.law import limits as law_limits
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law.entered_dates import act_on
from yimen.platform.cases.law.thresholds import thresholds_of
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import Case, CasePause
from yimen.tenants.calendar.service import working_calendar
from yimen.tenants.directory import district_settings

# Which periods run in which stage (the next one shown first).
RUNNING: dict[str, tuple[str, ...]] = {
    "filing": ("lead_check",),
    "investigation": ("preservation", "decision"),
    "compulsory_measures": ("measure_approval", "seizure", "decision"),
    "correction_order": ("decision",),
    "prior_notice": ("decision",),
    "statement": ("statement", "decision"),
    "hearing": ("hearing_notice", "decision"),
    "legal_review": ("legal_review", "decision"),
    "collective_discussion": ("decision",),
    "decision": ("decision",),
    "service": ("service",),
    "execution": ("payment", "demand", "reconsideration", "litigation", "court_application"),
    # simple procedure (当场处罚): the collected fine handed in, or the fine paid
    "filing_record": (
        "hand_in_fine",
        "payment",
        "demand",
        "reconsideration",
        "litigation",
        "court_application",
    ),
}
CHALLENGES = ("reconsideration", "litigation")  # pauses of the surcharge (第七十三条第三款)


def _date(case: Case, key: str) -> dt.date | None:
    value = (case.details.get("dates") or {}).get(key)
    return dt.date.fromisoformat(value) if value else None


def _pauses(case: Case) -> list[CasePause]:
    return list(case.pauses)


def _extensions(case: Case) -> list[int]:
    return [e["days"] for e in case.details.get("extensions", [])]


def computed(session: Session, case: Case) -> list[tuple[str, law.Due]]:
    """Every period that runs for the case now, by rule id."""
    calendar = working_calendar(session)
    sector = law.profile(case.sector)
    found: list[tuple[str, law.Due]] = []
    for rule_id in RUNNING.get(case.stage, ()) if case.status in ("draft", "open") else ():
        due = _one(session, case, rule_id, calendar, sector)
        if due is not None:
            found.append((rule_id, due))
    return found


def _one(session, case: Case, rule_id: str, calendar, sector) -> law.Due | None:
    if rule_id == "decision":
        return (
            law.decision_due(sector, case.filed_on, calendar, _pauses(case), _extensions(case))
            if case.filed_on
            else None
        )
    if rule_id == "legal_review":
        rule, started = sector.legal_review_rule(), _date(case, "entered_legal_review")
        return law.due(rule, started, calendar) if rule and started else None
    if rule_id == "lead_check":
        rule = (  # None where the sector says only "promptly"
            sector.lead_check_extended_rule()
            if case.details.get("lead_check_extended")
            else sector.lead_check_rule()
        )
        return law.due(rule, case.discovered_on, calendar) if rule and case.discovered_on else None
    if rule_id == "statement":
        served = _date(case, "prior_notice_served")
        return law.due(sector.statement_rule(), served, calendar) if served else None
    if rule_id == "hearing_notice":
        hearing = _date(case, "hearing_on")
        return law.due(law.rule("hearing_notice"), hearing, calendar) if hearing else None
    if rule_id == "preservation":
        return _earliest([preservation_due(r, calendar) for r in open_preservations(case)])
    if rule_id == "seizure":
        ends = [measure_due(case, m, calendar) for m in open_measures(case)]
        dated = [d for d in ends if d.on is not None]
        return min(dated, key=lambda d: d.on) if dated else (ends[0] if ends else None)
    if rule_id == "measure_approval":
        waiting = [
            dt.datetime.fromisoformat(m["approval_due"])
            for m in open_measures(case)
            if m.get("emergency") and not m.get("approved_by")
        ]
        return law.Due(min(waiting), law.rule("emergency_measure_approval")) if waiting else None
    if rule_id == "hand_in_fine":
        collected = _date(case, "collected")
        if collected is None or _date(case, "handed_in"):
            return None
        return law.due(law.rule("hand_in_fine"), collected, calendar)
    if rule_id == "service":
        return law.due(law.rule("service"), case.decided_on, calendar) if case.decided_on else None
    if rule_id == "payment" and outstanding(case) and (later := _date(case, "deferral_ends")):
        return law.Due(later, law.rule("payment"))  # deferred or in instalments (第六十六条)
    if rule_id == "litigation" and (moved := _date(case, "litigation_due")) is not None:
        return law.Due(moved, law.rule("litigation"))  # as moved by a reconsideration
    if rule_id == "litigation" and case.procedure == "simple":
        return None  # reconsideration first (行政复议法 第二十三条); then as moved above
    if rule_id in ("payment", "reconsideration", "litigation"):
        if case.served_on is None or (rule_id == "payment" and not outstanding(case)):
            return None
        return law.due(law.rule(rule_id), case.served_on, calendar)
    if rule_id == "demand":  # the period the 催告书 gives (行政强制法 第三十五条、第六十九条)
        served = _date(case, "demand_served")
        if served is None or case.details.get("execution", {}).get("done"):
            return None
        return law.due(law.rule("court_application_wait"), served, calendar)
    if rule_id == "court_application":
        litigation = challenge_period_end(case)
        if litigation is None or not _date(case, "demand_served"):
            return None
        return law.due(law.rule("court_application"), litigation, calendar)
    return None


def challenge_period_end(case: Case) -> dt.date | None:
    """The last day the party could still challenge the decision (第五十三条's 法定期限):
    the litigation period's end; for an on-the-spot decision, which must go to
    reconsideration first (行政复议法 第二十三条), the reconsideration period's end until a
    reconsideration decision opens the 15 days to sue (行政诉讼法 第四十五条)."""
    litigation = _date(case, "litigation_due")
    if litigation is None and case.procedure == "simple":
        return _date(case, "reconsideration_due")
    return litigation


def listing(session: Session, case: Case) -> list[dict]:
    return [
        {
            "id": rule_id,
            "name": due.rule.name_zh,
            "name_en": due.rule.name_en,
            "due": due.on.isoformat() if due.on else None,
            "flagged": due.flagged,
            "paused": due.paused,
            "note": due.reason_zh,
            "article": due.article,
            "binds": due.rule.binds,
        }
        for rule_id, due in computed(session, case)
    ]


def refresh(session: Session, case: Case) -> None:
    """The nearest open deadline, for the case list; a period that cannot be computed
    (calendar missing) is labelled so, never guessed."""
    dues = computed(session, case)
    dated = sorted(((law.local_day(d.on), d) for _, d in dues if d.on), key=lambda x: x[0])
    flagged = [d for _, d in dues if d.flagged]
    if dated:
        case.next_deadline, case.next_deadline_label = dated[0][0], dated[0][1].rule.name_zh
    else:
        case.next_deadline = None
        case.next_deadline_label = f"{flagged[0].rule.name_zh}：日历未载入" if flagged else ""


# Dates an action stores for later checks, by the period that gives them and its start.
STORED_PERIODS = (
    ("statement_due", "statement", "prior_notice_served"),
    ("pay_due", "payment", "served"),
    ("reconsideration_due", "reconsideration", "served"),
    ("litigation_due", "litigation", "served"),
    ("hand_in_due", "hand_in_fine", "collected"),
)


def fill_dates(session: Session, case: Case) -> None:
    """A period stored as unknown because its end fell in a year the calendar lacked
    (never guessed, law.due) is computed once the calendar has that year — else the
    statement window would stay "not loaded" and a late payment owe no surcharge for
    ever. An on-the-spot decision's litigation period stays unset on purpose
    (reconsideration first, 行政复议法 第二十三条)."""
    dates = case.details.get("dates") or {}
    unknown = [
        row
        for row in STORED_PERIODS
        if row[0] in dates
        and dates[row[0]] is None
        and not (row[0] == "litigation_due" and case.procedure == "simple")
    ]
    if not unknown:
        return
    calendar = working_calendar(session)
    for key, rule_id, start_key in unknown:
        start = case.served_on if start_key == "served" else _date(case, start_key)
        if start is None:
            continue
        rule = law.profile(case.sector).statement_rule() if key == "statement_due" else None
        found = law.due(rule or law.rule(rule_id), start, calendar).on
        if found is not None:
            dates[key] = found.isoformat()


def _refusal(found: law_limits.Refusal | None) -> rules.Refusal | None:
    return rules.Refusal(found.rule, found.zh, found.en, found.article) if found else None


def minor_refusal(case: Case, data: dict) -> rules.Refusal | None:
    """处罚法 第三十条 read from the parties' resident ID numbers at the act's date: a
    party under 14 is not penalised (the guardian is ordered to discipline); 14 to 18
    makes the lighter or reduced penalty mandatory — the benchmark's `juvenile` factor
    is added to `data` (the proposal's facts) so the tier follows."""
    act = act_on(case)
    if act is None:
        return None
    for party in case.parties:
        if party.kind != law_limits.PERSON or not party.id_number:
            continue
        try:
            minor = law_limits.minor_at(party.id_number, act)
        except ValueError:
            continue  # the number was validated when the party was added
        if minor is None:
            continue
        if minor.no_penalty:
            return rules.Refusal("minor-under-14", minor.zh, minor.en, minor.article)
        if "juvenile" not in data.get("mitigating", ()):
            data["mitigating"] = [*data.get("mitigating", ()), "juvenile"]
    return None


def limitation_refusal(case: Case) -> rules.Refusal | None:
    """处罚法 第三十六条, checked at filing."""
    act = act_on(case)
    if act is None:
        return rules.Refusal(
            "act-date-required",
            "立案须填写违法行为发生日期(连续或继续状态的，填写终了日期)，以核对追责时效。",
            "Record when the act happened (or ended) so the limitation period can be checked.",
            "《行政处罚法》第三十六条",
        )
    return _refusal(law_limits.limitation(act, case.discovered_on or act, case.life_safety))


def statement_due(session: Session, case: Case, served: dt.date) -> dt.date | None:
    return law.due(law.profile(case.sector).statement_rule(), served, working_calendar(session)).on


def hearing_notice_refusal(
    session: Session, noticed_on: dt.date, hearing_on: dt.date
) -> rules.Refusal | None:
    return _refusal(
        law_limits.hearing_notice_refused(noticed_on, hearing_on, working_calendar(session))
    )


def hearing_request_refusal(
    session: Session, case: Case, requested_on: dt.date
) -> rules.Refusal | None:
    served = _date(case, "prior_notice_served")
    return _refusal(
        law_limits.hearing_request_refused(served, requested_on, working_calendar(session))
    )


def pause(case: Case, reason: str, on: dt.date, note: str = "") -> None:
    case.pauses.append(CasePause(reason=reason, started_on=on, note=note))


def resume(case: Case, reason: str, on: dt.date) -> None:
    for item in case.pauses:
        if item.reason == reason and item.ended_on is None:
            item.ended_on = on


def extend_decision(session: Session, case: Case, reason: str, days: int | None = None) -> dict:
    """An approved extension of the decision deadline, as far as the sector allows: the
    first by the head (the sector's days), a further one by the heads' collective
    discussion, which sets the period (`days`; by default the sector's cap, or 30)."""
    sector = law.profile(case.sector)
    granted = [law_limits.Extension(e["days"], e["by"]) for e in case.details.get("extensions", [])]
    if not granted:
        request = law_limits.Extension(days or sector.first_extension_days, "head")
    else:
        default = sector.second_extension_max_days or 30
        request = law_limits.Extension(days or default, "collective")
    if not granted and not sector.first_extension_days:
        request = law_limits.Extension(days or 30, "head")
    if (refused := law_limits.decision_extension_refused(sector, granted, request)) is not None:
        raise _refusal(refused)
    entry = {"days": request.days, "by": request.by, "reason": reason}
    case.details.setdefault("extensions", []).append(entry)
    return entry


def after_service(session: Session, case: Case, served: dt.date) -> dict[str, dt.date | None]:
    """Service starts the party's periods (处罚法 第六十七条; 复议法 第二十条; 行诉法 第四十六条)."""
    calendar = working_calendar(session)
    return {
        key: law.due(law.rule(rule_id), served, calendar).on
        for key, rule_id in (
            ("pay_due", "payment"),
            ("reconsideration_due", "reconsideration"),
            ("litigation_due", "litigation"),
        )
    }


def surcharge(session: Session, case: Case, paid_on: dt.date) -> int:
    pay_due = _date(case, "pay_due")
    if not case.fine_fen or pay_due is None:
        return 0
    paused = law.paused_days(
        [p for p in case.pauses if p.reason in ("reconsideration", "litigation")], pay_due, paid_on
    )
    return law_limits.surcharge_fen(case.fine_fen, pay_due, paid_on, paused)


def assess(session: Session, case: Case, data: dict, matter) -> dict:
    """The benchmark for the facts; a proposal outside it needs a justification (and is
    flagged), above the statutory maximum it is refused. The facts of 第三十三条 recorded
    on the case (corrected in time, the harm, a first violation, no fault) win over the
    proposal's; where they make the penalty unlawful, any penalty is refused."""
    party_kind = case.parties[0].kind if case.parties else "organisation"
    recorded = rules.recorded_facts(case.details or {})
    facts = discretion.Facts(
        **{
            "circumstances": data.get("circumstance"),
            "first_violation": data.get("first_violation", False),
            **recorded,
        },
        illegal_gains_fen=data.get("illegal_gains_fen") or 0,
        mitigating=tuple(data.get("mitigating", ())),
        aggravating=tuple(data.get("aggravating", ())),
    )
    try:
        assessment = discretion.assess(matter, party_kind, facts)
    except discretion.DiscretionError as exc:
        raise rules.Refusal(
            f"discretion:{exc.field}", exc.zh, exc.en, "国办发〔2022〕27号"
        ) from exc
    if assessment.no_penalty == "mandatory" and data.get("penalty_kinds"):
        raise rules.Refusal(
            "no-penalty-mandatory",
            "依照法律规定本案应当不予行政处罚，不能拟定任何行政处罚（包括警告、没收）；应当对当事人进行教育。",
            "The law requires no penalty here: none may be proposed; educate the party.",
            rules.article_33(assessment.no_penalty_ground),
        )
    if "fine" not in data.get("penalty_kinds", []):
        return {**assessment.as_dict(), "flag": False}
    result = discretion.check_proposal(
        assessment, data.get("fine_fen"), data.get("justification", "")
    )
    if not result.ok:
        raise rules.Refusal(result.rule, result.message, result.message_en, result.article)
    return {
        **assessment.as_dict(),
        "outside_range": result.outside_range,
        "justification": data.get("justification", ""),
        "flag": result.flag_for_supervision,
    }


def hearing_right(session: Session, case: Case) -> tuple[bool, str]:
    """处罚法 第六十三条 at the district's thresholds in force (law/thresholds.py): while
    the district has not confirmed its own, the lowest known, and the reason says so."""
    party_kind = case.parties[0].kind if case.parties else "organisation"
    thresholds, confirmed = thresholds_of(session)
    right = law_limits.hearing_right(
        case.penalty_kinds,
        party_kind,
        case.proposed_fine_fen,
        case.confiscation_fen,
        thresholds,
    )
    if confirmed:
        return right.right, right.reason_zh
    return right.right, right.reason_zh + UNCONFIRMED_NOTE


UNCONFIRMED_NOTE = (
    "（本区较大数额标准尚未经区管理员确认，按已知最低标准认定，以免当事人失去听证权利。）"
)


# --- simple procedure (处罚法 第五十一条、第五十二条、第六十八条–第七十一条) ---------------


def simple_refusal(session: Session, case: Case, kinds: list[str], fine: int | None):
    """第五十一条; a 个体工商户 is a citizen or an organisation by the district's policy
    (tenant setting `simple_procedure_individual_business_as`: 第五十一条 does not say)."""
    kind = case.parties[0].kind if case.parties else law_limits.PERSON
    return _refusal(
        law_limits.simple_procedure_allowed(
            kind, kinds, fine, individual_business_as(session, case)
        )
    )


def individual_business_as(session: Session, case: Case) -> str:
    """The district's reading of a 个体工商户 for 第五十一条: `person` unless set."""
    return district_settings.read(
        session, "simple_procedure_individual_business_as", case.tenant_id
    )


def on_spot_possible(session: Session, case: Case, matter) -> bool:
    """Whether a draft may be offered the simple procedure at all (第五十一条)."""
    if case.status != "draft" or matter is None:
        return True  # only a draft is offered it; without a matter there is no verdict
    return law_limits.simple_procedure_possible(
        case.parties[0].kind if case.parties else None,
        matter.penalty_kinds or (),
        matter.fine_min,
        individual_business_as(session, case),
    )


def on_spot_collection_refusal(fine: int, hard: bool, remote: bool) -> rules.Refusal | None:
    return _refusal(law_limits.on_spot_collection_allowed(fine, hard, remote))


def hand_in_due(session: Session, collected: dt.date) -> dt.date | None:
    """第七十一条: the officer hands the money to the agency within 2 working days."""
    return law.due(law.rule("hand_in_fine"), collected, working_calendar(session)).on


def outstanding(case: Case) -> bool:
    """A fine is still owed (not paid, not collected on the spot, not revoked)."""
    if not case.fine_fen:
        return False
    execution = case.details.get("execution", {})
    simple = case.details.get("on_spot_decision", {})
    return not (execution.get("done") or simple.get("collected_on_spot") or simple.get("paid_on"))


# --- compulsory measures (行政强制法 第十九条、第二十五条、第二十八条) -------------------


def open_measures(case: Case) -> list[dict]:
    return [m.as_dict() for m in case.open_measures()]


def measure_due(case: Case, measure: dict, calendar) -> law.Due:
    """30 days from the start, + the approved extension, + this measure's fixed testing
    periods (第二十五条); an agency limit, not rolled forward."""
    testing = [p for p in case.pauses if p.reason == law.TESTING and p.note == measure["id"]]
    return law.due(
        law.rule("seizure"),
        dt.date.fromisoformat(measure["started_on"]),
        calendar,
        testing,
        measure.get("extended_days", 0),
    )


def measure_end(session: Session, case: Case, measure: dict) -> dt.date | None:
    return measure_due(case, measure, working_calendar(session)).on


def measure_extension_refusal(measure: dict, days: int) -> rules.Refusal | None:
    if measure.get("extended_days"):
        return rules.Refusal(
            "seizure-extended-once",
            "查封、扣押期限已延长过一次，不得再次延长。",
            "The seal-up or seizure has been extended once already.",
            "《行政强制法》第二十五条第一款",
        )
    return _refusal(law_limits.extension_refused(law.rule("seizure"), days))


def _earliest(dues: list[law.Due]) -> law.Due | None:
    dated = [d for d in dues if d.on is not None]
    return min(dated, key=lambda d: d.on) if dated else (dues[0] if dues else None)


# --- evidence preserved (处罚法 第五十六条) ---------------------------------------------


def open_preservations(case: Case) -> list[dict]:
    found = (case.details.get("evidence_preservation") or {}).get("records", [])
    return [r for r in found if not r.get("decided_on")]


def preservation_due(record: dict, calendar) -> law.Due:
    """7 working days from the day the evidence was preserved (第五十六条、第八十五条)."""
    return law.due(
        law.rule("preservation"), dt.date.fromisoformat(record["preserved_on"]), calendar
    )


def preservation_end(session: Session, preserved_on: dt.date) -> dt.date | None:
    return law.due(law.rule("preservation"), preserved_on, working_calendar(session)).on


def emergency_approval_due(executed_at: dt.datetime) -> dt.datetime:
    """第十九条: report to the head and complete the approval within 24 hours."""
    return law.due(law.rule("emergency_measure_approval"), executed_at, None).on
