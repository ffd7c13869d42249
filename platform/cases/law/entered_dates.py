"""The dates an officer enters, checked against the case's record and today (pure; no
Flask, no SQLAlchemy — the caller passes the case's recorded dates, today and the
working-day calendar).

Every period of the law runs from a date someone entered. A prior notice dated before
the filing would close the party's statement window at once (处罚法 第四十四条、第四十五条);
a hearing request dated before the notice, a hearing recorded as held in the future, a
decision served months before it was made would all defeat a period the law gives. So
every date field of every action body is declared here, once:

- `PAST` — the date of an act that happened: not after today (Asia/Shanghai) and not
  before the record event that makes it possible (filing for a prior notice, the
  notice's service for a hearing request, the decision for its service …);
- `SCHEDULED` — a date the officer sets for the future (the hearing, a correction
  deadline, a performance date): after the day it is set (today; or the day of the
  notice, decision or agreement that sets it, when the body gives that day — a hearing
  notified on 10 November for the 20th may be entered on the 24th), after its record
  event, and — where the law fixes a minimum lead — that lead (the hearing notice 7
  working days ahead, 处罚法 第六十四条第(二)项);
- `FIXED_END` — the announced end of a fixed period that may already have passed when
  it is entered (a testing period, 行政强制法 第二十五条第三款): only after its start.

`check` applies the declaration before the action's handler runs; a refusal names the
field, the bound and the article of the period the date would defeat, in Chinese and
English. tests/unit/test_entered_dates.py fails when a date field has no declaration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law import window as law_window
from yimen.platform.cases.law.periods import PZ, QZ
from yimen.tenants.calendar.rules import WorkingCalendar

PAST, SCHEDULED, FIXED_END = "past", "scheduled", "fixed_end"
FY, SS = law.FY, law.SS
CLOCK_SKEW = dt.timedelta(minutes=5)  # a handset's clock a little ahead is not "the future"
# A date as entered or recorded: a day, or an instant (compared by its Shanghai day).
Day = dt.date | dt.datetime
# An action's body (the JSON the console posts): its date fields are declared below, the
# rest is the action's own business.
Body = Mapping[str, Any]


@dataclass(frozen=True)
class Bound:
    """A lower bound: the day of a record event (`source` a key of the record, see
    `record_of`) or of another field of the same body (`source` = "=field").
    `strict`: the date must come after that day, not on it. `rule`: a period of periods.py
    that runs backwards from this date (`before`), which the bound's day must respect
    (the notice at least 7 working days before the hearing)."""

    source: str
    zh: str
    en: str
    strict: bool = False
    rule: str | None = None
    code: str = ""


@dataclass(frozen=True)
class Entered:
    kind: str
    zh: str
    en: str
    article: str
    after: tuple[Bound, ...] = ()
    set_on: str = ""  # SCHEDULED: the body's field saying when it was set (else today)


def _b(
    source: str, zh: str, en: str, *, strict: bool = False, rule: str | None = None, code: str = ""
) -> Bound:
    return Bound(source, zh, en, strict=strict, rule=rule, code=code)


FILED = _b("filed", "立案日期", "the filing")
ACT = _b("act", "违法行为发生之日", "the act")
DECIDED = _b("decided", "作出处罚决定之日", "the decision")
SERVED = _b("served", "处罚决定书送达之日", "the service of the decision")
DEMAND = _b("demand_served", "催告书送达之日", "the service of the demand")
MEASURE = _b("measure_started", "查封、扣押之日", "the start of the measure")

# fmt: off
DECLARED: dict[str, dict[str, Entered]] = {
    # --- filing, investigation -------------------------------------------------------
    "add_evidence": {
        # The day the agency collected it for this case (第五十四条: evidence of an act
        # found is collected in its investigation), so not before the act began; what the
        # item itself shows may be older (a licence, a photo taken before): that is its
        # capture time, not its collection.
        "collected_on": Entered(PAST, "证据收集日期", "Evidence collected on",
                                f"{PZ}第五十四条、第五十五条",
                                (_b("act_started", "违法行为开始之日", "the start of the act"),)),
    },
    "pause_clock": {
        "started_on": Entered(PAST, "中止开始日期", "Pause started on", f"{PZ}第六十条",
                              (FILED,)),
    },
    "resume_clock": {
        "ended_on": Entered(PAST, "恢复日期", "Resumed on", f"{PZ}第六十条",
                            (_b("running_pause", "中止开始之日", "the start of the pause",
                                code="resume-before-pause"),)),
    },
    "preserve_evidence": {
        "approved_on": Entered(PAST, "负责人批准日期", "Approved on", f"{PZ}第五十六条",
                               (ACT,)),
        "preserved_on": Entered(PAST, "登记保存日期", "Preserved on", f"{PZ}第五十六条",
                                (ACT, _b("=approved_on", "负责人批准日期",
                                         "the head's approval", code="preservation-dates"))),
    },
    "decide_preserved_evidence": {
        "decided_on": Entered(PAST, "处理决定日期", "Decided on", f"{PZ}第五十六条",
                              (_b("preserved", "登记保存之日", "the preservation"),)),
    },
    # --- compulsory measures (行政强制法) ---------------------------------------------
    "impose_measure": {
        "started_on": Entered(PAST, "查封、扣押日期", "Measure started on", f"{QZ}第二十五条",
                              (ACT,)),
    },
    "impose_emergency_measure": {
        "executed_at": Entered(PAST, "当场实施时间", "Executed at", f"{QZ}第十九条",
                               (ACT,)),
    },
    "approve_measure": {
        "at": Entered(PAST, "补办批准时间", "Approved at", f"{QZ}第十九条",
                      (_b("measure_executed", "当场实施强制措施之时",
                          "the execution of the measure"),)),
    },
    "record_testing": {
        "started_on": Entered(PAST, "检测开始日期", "Testing started on",
                              f"{QZ}第二十五条第三款", (MEASURE,)),
        "ended_on": Entered(FIXED_END, "检测结束日期", "Testing ends on",
                            f"{QZ}第二十五条第三款",
                            (_b("=started_on", "检测开始日期", "the testing's start"),)),
    },
    "lift_measure": {
        "ended_on": Entered(PAST, "解除日期", "Lifted on", f"{QZ}第二十五条、第二十八条",
                            (MEASURE,)),
    },
    # --- order to correct, prior notice, hearing (行政处罚法) --------------------------
    "order_correction": {
        "correct_by": Entered(SCHEDULED, "改正期限", "Correct by", f"{PZ}第二十八条"),
    },
    "serve_prior_notice": {
        "served_on": Entered(PAST, "告知书送达日期", "Prior notice served on",
                             f"{PZ}第四十四条、第四十五条、第六十四条第(一)项", (FILED,)),
    },
    "request_hearing": {
        "requested_on": Entered(PAST, "听证申请日期", "Hearing requested on",
                                f"{PZ}第六十四条第(一)项",
                                (_b("prior_notice_served", "告知书送达之日",
                                    "the service of the prior notice"),)),
    },
    "schedule_hearing": {
        "noticed_on": Entered(PAST, "听证通知日期", "Hearing notice given on",
                              f"{PZ}第六十四条第(二)项",
                              (_b("hearing_requested", "当事人申请听证之日",
                                  "the hearing request"),)),
        "hearing_on": Entered(SCHEDULED, "听证日期", "Hearing on", f"{PZ}第六十四条第(二)项",
                              (_b("=noticed_on", "听证通知日期", "the hearing notice",
                                  rule="hearing_notice", code="hearing-notice-late"),),
                              set_on="noticed_on"),
    },
    "record_hearing": {
        "held_on": Entered(PAST, "听证举行日期", "Hearing held on", f"{PZ}第六十四条",
                           (_b("hearing_on", "通知的听证日期", "the scheduled hearing day",
                               code="hearing-not-due"),)),
    },
    # --- outcomes, decision, service ---------------------------------------------------
    "record_no_penalty_facts": {
        "corrected_on": Entered(PAST, "改正日期", "Corrected on", f"{PZ}第三十三条",
                                (ACT,)),
    },
    "educate_party": {
        "educated_on": Entered(PAST, "教育日期", "Educated on", f"{PZ}第三十三条第三款",
                               (ACT,)),  # on the spot, before any filing, too
    },
    "decide_transfer": {
        "transferred_on": Entered(PAST, "移送日期", "Transferred on",
                                  f"{PZ}第五十七条第一款第(四)项", (FILED,)),
    },
    "serve_decision": {
        "served_on": Entered(PAST, "决定书送达日期", "Decision served on",
                             f"{PZ}第六十一条; {PZ}第六十七条; {FY}第二十条; {SS}第四十六条",
                             (DECIDED,)),
        "published_on": Entered(PAST, "公告发布日期", "Notice published on",
                                "《民事诉讼法》第九十五条", (DECIDED,)),
    },
    # --- simple procedure ----------------------------------------------------------------
    "decide_on_spot": {
        "decided_on": Entered(PAST, "当场处罚决定日期", "Decided on the spot on",
                              f"{PZ}第五十一条、第五十二条", (ACT,)),
    },
    "hand_in_fine": {
        "handed_in_on": Entered(PAST, "罚款上交日期", "Fine handed in on", f"{PZ}第七十一条",
                                (_b("collected", "当场收缴罚款之日", "the collection"),)),
    },
    "record_filing": {
        "filed_on": Entered(PAST, "备案日期", "Filed with the agency on", f"{PZ}第五十二条",
                            (DECIDED,)),
    },
    # --- payment, challenges, execution ------------------------------------------------------
    "record_payment": {
        "paid_on": Entered(PAST, "缴款日期", "Paid on", f"{PZ}第六十七条、第七十二条",
                           (DECIDED,)),
    },
    "approve_deferral": {
        "until": Entered(SCHEDULED, "暂缓或分期截止日", "Deferred until", f"{PZ}第六十六条第二款",
                         (_b("pay_due", "原缴款期限", "the original payment deadline",
                             strict=True, code="deferral-date"),)),
    },
    "record_challenge": {
        "filed_on": Entered(PAST, "申请复议或起诉日期", "Challenge filed on",
                            f"{PZ}第七十三条; {FY}第二十条; {SS}第四十六条", (SERVED,)),
    },
    "conclude_challenge": {
        "concluded_on": Entered(PAST, "复议或诉讼终结日期", "Challenge concluded on",
                                f"{PZ}第七十三条第三款; {SS}第四十五条",
                                (_b("running_pause", "申请复议或起诉之日",
                                    "the challenge's filing"),)),
    },
    "issue_demand": {
        "served_on": Entered(PAST, "催告书送达日期", "Demand served on",
                             f"{QZ}第三十五条、第五十四条", (SERVED,)),
    },
    "decide_execution": {
        "decided_on": Entered(PAST, "强制执行决定日期", "Execution decided on",
                              f"{QZ}第三十七条", (DEMAND,)),
    },
    "publish_demolition_notice": {
        "published_on": Entered(PAST, "公告日期", "Notice published on", f"{QZ}第四十四条",
                                (SERVED,)),
        "demolish_by": Entered(SCHEDULED, "限期自行拆除日", "Demolish by", f"{QZ}第四十四条",
                               (_b("=published_on", "公告日期", "the notice", strict=True,
                                   code="demolition-notice-deadline"),),
                               set_on="published_on"),
    },
    "apply_to_court": {
        "applied_on": Entered(PAST, "申请法院强制执行日期", "Applied to the court on",
                              f"{QZ}第五十三条、第五十四条", (DEMAND,)),
    },
    "enforce": {
        "at": Entered(PAST, "强制执行时间", "Enforced at", f"{QZ}第三十七条、第四十三条",
                      (_b("execution_decided", "强制执行决定之日", "the execution decision"),)),
    },
    "suspend_execution": {
        "suspended_on": Entered(PAST, "中止执行日期", "Execution suspended on",
                                f"{QZ}第三十九条", (SERVED,)),
    },
    "resume_execution": {
        "resumed_on": Entered(PAST, "恢复执行日期", "Execution resumed on",
                              f"{QZ}第三十九条第二款",
                              (_b("execution_suspended", "中止执行之日",
                                  "the suspension", code="resume-before-pause"),)),
    },
    "terminate_execution": {
        "terminated_on": Entered(PAST, "终结执行日期", "Execution ended on",
                                 f"{QZ}第三十九条第二款、第四十条", (SERVED,)),
    },
    "record_execution_agreement": {
        "agreed_on": Entered(PAST, "执行协议日期", "Agreed on", f"{QZ}第四十二条", (SERVED,)),
        "stages": Entered(SCHEDULED, "分阶段履行期限", "Instalment deadline", f"{QZ}第四十二条",
                          (_b("=agreed_on", "执行协议日期", "the agreement", strict=True),),
                          set_on="agreed_on"),
    },
    "agreement_breached": {
        "breached_on": Entered(PAST, "违反协议日期", "Breached on", f"{QZ}第四十二条第二款",
                               (_b("agreed", "执行协议日期", "the agreement"),)),
    },
    "decide_substitute_performance": {
        "served_on": Entered(PAST, "代履行决定书送达日期", "Substitute-performance decision served on",
                             f"{QZ}第五十条、第五十一条", (DEMAND,)),
        "perform_from": Entered(SCHEDULED, "代履行日期", "Perform from",
                                f"{QZ}第五十一条第一款第(二)项",
                                (_b("=served_on", "代履行决定书送达日期", "its service",
                                    rule="substitute_performance_demand",
                                    code="substitute-notice-period"),),
                                set_on="served_on"),
    },
    "record_substitute_performance": {
        "performed_on": Entered(PAST, "代履行日期", "Performed on",
                                f"{QZ}第五十一条第一款第(二)项",
                                (_b("perform_from", "代履行决定书确定的代履行日期",
                                    "the day the decision set", code="substitute-too-early"),)),
    },
}
# fmt: on


@dataclass(frozen=True)
class Refused:
    """A date the declaration does not allow: the field, the bound it crosses, the
    article of the period it would defeat."""

    field: str
    code: str
    zh: str
    en: str
    article: str
    bound: str  # ISO date (or instant) of the bound crossed; "" for an unknown year


def _day(value: dt.date | dt.datetime) -> dt.date:
    return law.local_day(value) if isinstance(value, dt.datetime) else value


def _iso(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(law.SHANGHAI).isoformat(timespec="minutes")
    return value.isoformat()


def _before(value: Day, bound: Day, strict: bool) -> bool:
    """`value` comes before `bound` (or on it, when `strict`): instants compared as
    instants, anything else by its Shanghai day."""
    if isinstance(value, dt.datetime) and isinstance(bound, dt.datetime):
        return value <= bound if strict else value < bound
    a, b = _day(value), _day(bound)
    return a <= b if strict else a < b


def _coerce(value: Any) -> Any:
    """A date given as ISO text by an internal caller (the evidence upload)."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    return value


def check(
    action: str,
    data: Body,
    record: Mapping[str, Day | None],
    now: dt.datetime,
    calendar: Callable[[], WorkingCalendar],
) -> Refused | None:
    """The first date of the body the declaration refuses, or None. `now` is an aware
    instant (today is its Shanghai day); `calendar` is called only when a bound needs
    working days."""
    today = now.astimezone(law.SHANGHAI).date()
    declared = DECLARED.get(action, {})
    data = {
        k: ([_coerce(v) for v in x] if isinstance(x, list) else _coerce(x)) if k in declared else x
        for k, x in data.items()
    }
    for field, entered in declared.items():
        raw = data.get(field)
        for value in raw if isinstance(raw, list | tuple) else [raw]:
            if value is not None and (refused := _one(field, entered, value, data, record,
                                                      now, today, calendar)):  # fmt: skip
                return refused
    return None


def _one(
    field: str,
    entered: Entered,
    value: Day,
    data: Body,
    record: Mapping[str, Day | None],
    now: dt.datetime,
    today: dt.date,
    calendar: Callable[[], WorkingCalendar],
) -> Refused | None:
    art = entered.article
    if entered.kind == PAST:
        future = value > now + CLOCK_SKEW if isinstance(value, dt.datetime) else value > today
        if future:
            return Refused(
                field,
                "date-in-future",
                f"{entered.zh}({_iso(value)})是已经发生的事实，不能晚于今天({today.isoformat()})。",
                f"{entered.en} ({_iso(value)}) records something that happened: it cannot be after today ({today.isoformat()}).",
                art,
                today.isoformat(),
            )
    if entered.kind == SCHEDULED:
        set_on = (data.get(entered.set_on) if entered.set_on else None) or today
        if _day(value) <= _day(set_on):
            when_zh = "今天" if set_on is today else "确定之日"
            when_en = "today" if set_on is today else "the day it was set"
            return Refused(
                field,
                "date-not-future",
                f"{entered.zh}({_iso(value)})是确定将来的日期，须晚于{when_zh}({_iso(set_on)})。",
                f"{entered.en} ({_iso(value)}) is set for the future: it must be after {when_en} ({_iso(set_on)}).",
                art,
                _iso(set_on),
            )
    for bound in entered.after:
        ref = data.get(bound.source[1:]) if bound.source.startswith("=") else None
        if not bound.source.startswith("="):
            ref = record.get(bound.source)
        if ref is None:
            continue  # no such event yet: the action's own rule says whether it needs one
        if bound.rule is not None:
            if (refused := _lead(field, entered, bound, value, ref, calendar)) is not None:
                return refused
            continue
        if _before(value, ref, bound.strict):
            need_zh = f"须晚于{bound.zh}" if bound.strict else f"不能早于{bound.zh}"
            need_en = "must be after" if bound.strict else "cannot be before"
            return Refused(
                field,
                bound.code or "date-before-record",
                f"{entered.zh}({_iso(value)}){need_zh}({_iso(ref)})。",
                f"{entered.en} ({_iso(value)}) {need_en} {bound.en} ({_iso(ref)}).",
                art,
                _iso(ref),
            )
    return None


def _lead(
    field: str,
    entered: Entered,
    bound: Bound,
    value: Day,
    ref: Day,
    calendar: Callable[[], WorkingCalendar],
) -> Refused | None:
    """The statutory lead of a scheduled date: `ref` (the notice) at least the rule's
    working days before `value` (处罚法 第六十四条第(二)项; 行政强制法 第五十一条)."""
    assert bound.rule is not None  # _one calls this for a bound with a rule only
    rule = law.rule(bound.rule)
    cal = calendar()
    ok = law_window.notice_in_time(rule, _day(ref), _day(value), cal)
    if ok:
        return None
    if ok is None:
        latest = law.due(rule, _day(value), cal)
        return Refused(
            field,
            "calendar-not-loaded",
            latest.reason_zh or "工作日历未载入，无法核对法定期间。",
            latest.reason_en or "The working-day calendar is not loaded.",
            rule.article,
            "",
        )
    latest_on = law.due(rule, _day(value), cal).on
    when = latest_on.isoformat() if latest_on else ""
    return Refused(
        field,
        bound.code or f"{rule.id}-lead",
        f"{entered.zh}({_iso(value)})须在{bound.zh}({_iso(ref)})之后至少{rule.count}个工作日：{bound.zh}最迟应为{when}。",
        f"{entered.en} ({_iso(value)}) must be at least {rule.count} working days after {bound.en} ({_iso(ref)}): that was due by {when}.",
        rule.article,
        when,
    )


# ------------------------------------------------------------------ the case's record


def _iso_day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _instant(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class PauseRecord(Protocol):
    """What `record_of` reads of a pause of the clock (model.CasePause)."""

    @property
    def reason(self) -> str: ...
    @property
    def started_on(self) -> dt.date: ...
    @property
    def ended_on(self) -> dt.date | None: ...


def act_on(case: CaseRecord) -> dt.date | None:
    """The act's date the law counts from: the day a continuing act ended, else the day
    it happened."""
    act = (
        case.violation_ended_on
        if case.continuing and case.violation_ended_on
        else case.violation_started_on
    )
    if act is None and case.occurred_at is not None:
        act = law.stored_day(case.occurred_at)
    return act


class CaseRecord(Protocol):
    """What `record_of` reads of a case (model.Case)."""

    @property
    def details(self) -> dict[str, Any] | None: ...
    @property
    def occurred_at(self) -> dt.datetime | None: ...
    @property
    def violation_started_on(self) -> dt.date | None: ...
    @property
    def violation_ended_on(self) -> dt.date | None: ...
    @property
    def continuing(self) -> bool: ...
    @property
    def discovered_on(self) -> dt.date | None: ...
    @property
    def filed_on(self) -> dt.date | None: ...
    @property
    def decided_on(self) -> dt.date | None: ...
    @property
    def served_on(self) -> dt.date | None: ...
    @property
    def pauses(self) -> Sequence[PauseRecord]: ...


def record_of(case: CaseRecord, data: Body) -> dict[str, Day | None]:
    """The record events the declaration's bounds name, read from a case (the ORM row
    or anything with the same attributes) and, for events that depend on which item the
    body names (a measure, a preservation, a pause), from the body."""
    # the typed records (measures …) in the shape of `details`, where the row has them
    typed = getattr(case, "stage_facts", None)
    details = typed() if callable(typed) else (case.details or {})
    dates = {k: _iso_day(v) for k, v in (details.get("dates") or {}).items()}
    execution = details.get("execution") or {}
    act = act_on(case)
    hearing = [p.started_on for p in case.pauses if p.reason == law.HEARING]
    found: dict[str, Day | None] = {
        "act": act,
        "act_started": case.violation_started_on
        or (law.stored_day(case.occurred_at) if case.occurred_at is not None else None),
        "discovered": case.discovered_on,
        "filed": case.filed_on,
        "prior_notice_served": dates.get("prior_notice_served"),
        "hearing_requested": max(hearing) if hearing else None,
        "hearing_on": dates.get("hearing_on"),
        "decided": case.decided_on or dates.get("decided"),
        "served": case.served_on,
        "pay_due": dates.get("pay_due"),
        "collected": dates.get("collected"),
        "demand_served": dates.get("demand_served"),
        "execution_decided": _iso_day(execution.get("execution_decided")),
        "execution_suspended": _iso_day((execution.get("suspended") or {}).get("since")),
        "agreed": _iso_day((execution.get("agreement") or {}).get("agreed_on")),
        "perform_from": _iso_day((execution.get("substitute") or {}).get("perform_from")),
    }
    if (kind := data.get("kind")) is not None:
        running = [p.started_on for p in case.pauses if p.reason == kind and p.ended_on is None]
        found["running_pause"] = running[0] if running else None
    measures = (details.get("compulsory_measures") or {}).get("measures", [])
    if (wanted := data.get("measure_id")) is not None:
        for measure in measures:
            if measure.get("id") == str(wanted):
                found["measure_started"] = _iso_day(measure.get("started_on"))
                found["measure_executed"] = _instant(measure.get("executed_at"))
    preserved = (details.get("evidence_preservation") or {}).get("records", [])
    waiting = [r for r in preserved if not r.get("decided_on")]
    wanted = data.get("preservation_id")
    chosen = [r for r in waiting if wanted is None or r.get("id") == str(wanted)]
    if len(chosen) == 1:
        found["preserved"] = _iso_day(chosen[0].get("preserved_on"))
    return found


def needs_calendar(action: str) -> bool:
    return any(b.rule for e in DECLARED.get(action, {}).values() for b in e.after)
