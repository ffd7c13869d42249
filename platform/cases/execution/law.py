"""Execution of a decision, the law applied to the case's dates (处罚法 第七十二条、
第七十三条; 行政强制法 第十三条、第三十五条–第四十六条、第五十三条、第五十四条):
what `execution.actions` refuses, naming rule and article. The periods themselves are in
law/periods.py and law/limits.py; the case's dates and pauses in law/applied.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from yimen.platform.cases.law import limits as law_limits
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law import window as law_window
from yimen.platform.cases.law.applied import (
    CHALLENGES,
    _date,
    _refusal,
    challenge_period_end,
    outstanding,
)
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import Case
from yimen.tenants.calendar.service import working_calendar
from yimen.tenants.directory import district_settings


def court_refusal(session: Session, case: Case, on: dt.date) -> rules.Refusal | None:
    """行政强制法 第五十三条: only if the party did not challenge in time (a pending
    challenge is refused) and within three months after the period to challenge ran out;
    第五十四条: only once the ten working days the demand gave have passed. Each refusal
    names its own rule and the first day the application becomes possible; a period
    ending in a year the calendar lacks refuses only what is certainly too early."""
    if challenge_pending(case):
        return rules.Refusal(
            "challenge-pending",
            "当事人已申请行政复议或者提起行政诉讼，尚未终结，不得申请人民法院强制执行。",
            "A reconsideration or lawsuit is pending; the court may not be asked yet.",
            "《行政强制法》第五十三条",
        )
    period_end = challenge_period_end(case)
    if period_end is None and _served(case) is None:
        return rules.Refusal(
            "decision-not-served",
            "决定书送达后才能计算申请法院强制执行的期间。",
            "The decision must be served first.",
            "《行政强制法》第五十三条",
        )
    served = _date(case, "demand_served")
    if served is None:
        return rules.Refusal(
            "demand-first",
            "申请法院强制执行前须先送达催告书，送达十个工作日后方可申请。",
            "Serve a written demand first; the court may be asked 10 working days after it.",
            "《行政强制法》第五十四条",
        )
    calendar = working_calendar(session)
    deferral = _date(case, "deferral_ends")  # 处罚法 第七十二条第二款
    closes = law.add_months(max(period_end, deferral or period_end), 3) if period_end else None
    if (waiting := law_limits.demand_wait_refused(served, on, calendar, closes)) is not None:
        return _refusal(waiting)
    return _refusal(
        law_limits.court_window_refused(
            on,
            period_end,
            _unknown_period(case),
            calendar,
            deferral,
        )
    )


def _unknown_period(case: Case) -> tuple[law.DeadlineRule, dt.date] | None:
    """The challenge period whose end was stored as unknown (its year not loaded): its
    rule and start — the litigation period, or for an on-the-spot decision the
    reconsideration period (行政复议法 第二十三条)."""
    start = _served(case)
    if start is None or challenge_period_end(case) is not None:
        return None
    kind = "reconsideration" if case.procedure == "simple" else "litigation"
    return law.rule(kind), start


def _served(case: Case) -> dt.date | None:
    """The day the decision reached the party: served, or handed over on the spot."""
    if case.served_on is not None:
        return case.served_on
    return _date(case, "decided") if case.procedure == "simple" else None


def execution_moment(data: Mapping[str, Any]) -> dt.datetime:
    at: dt.datetime = data.get("at") or dt.datetime.now(dt.UTC)
    return at


def enforce_refusal(
    session: Session, case: Case, data: Mapping[str, Any], has_power: bool
) -> rules.Refusal | None:
    """An agency's own execution, by path (seed 000 一(三) 六): `agency_power` and
    `demolition` and `monetary` need the power (第十三条); `auction` of property it had
    sealed or seized is open to an agency without it (第四十六条第三款). Every path
    needs the demand and the execution decision (第三十五条、第三十七条); never at night
    or on a holiday (第四十三条)."""
    path, at = data["path"], execution_moment(data)
    on = at.astimezone(law.SHANGHAI).date() if at.tzinfo else at.date()
    execution = case.details.get("execution", {})
    if path == "auction":
        if (refused := _auction_refusal(case, on, has_power)) is not None:
            return refused
    elif not has_power:
        return rules.Refusal(
            "no-execution-power",
            "本部门没有强制执行权，须申请人民法院强制执行。",
            "This agency holds no execution power; apply to the court.",
            "《行政强制法》第十三条、第四十六条、第五十三条",
        )
    if not _date(case, "demand_served"):
        return rules.Refusal(
            "demand-first",
            "强制执行前须先催告。",
            "Serve a written demand first.",
            "《行政强制法》第三十五条",
        )
    if not execution.get("execution_decided"):
        return rules.Refusal(
            "execution-decision-first",
            "强制执行前须作出并送达强制执行决定书。",
            "Decide on execution in writing first.",
            "《行政强制法》第三十七条、第三十八条",
        )
    monetary = path in ("monetary", "auction") or (path == "agency_power" and outstanding(case))
    if monetary and (refused := monetary_refusal(case, on)) is not None:
        return refused  # a fine still owed is a monetary obligation whatever the path says
    if path == "demolition" and (refused := demolition_refusal(session, case, on)) is not None:
        return refused
    if len((data.get("emergency") or "").strip()) >= 10:  # 情况紧急的除外, in writing
        return None
    return off_hours_refusal(session, case, at)


def off_hours_refusal(session: Session, case: Case, at: dt.datetime) -> rules.Refusal | None:
    """第四十三条: at night (the district's hours) or on a non-working day."""
    night = (
        district_settings.read(session, "execution_night_start", case.tenant_id),
        district_settings.read(session, "execution_night_end", case.tenant_id),
    )
    return _refusal(law_limits.night_or_holiday_execution(at, working_calendar(session), night))


def case_challenged(case: Case) -> bool:
    return any(p.reason in CHALLENGES for p in case.pauses)


def challenge_pending(case: Case) -> bool:
    return any(p.reason in CHALLENGES and p.ended_on is None for p in case.pauses)


def surcharge_days(case: Case, on: dt.date) -> int:
    """Days the surcharge has run on `on`, challenge days not counted (第七十三条第三款)."""
    pay_due = _date(case, "pay_due")
    if pay_due is None:
        return 0
    paused = law.paused_days([p for p in case.pauses if p.reason in CHALLENGES], pay_due, on)
    return max(0, (on - pay_due).days - paused)


def demand_too_early(case: Case, on: dt.date) -> rules.Refusal | None:
    """处罚法 第六十七条第三款: the party pays within 15 days of service (or by a deferral
    approved under 第六十六条); 行政强制法 第三十五条、第五十四条: only a party who has not
    performed within that period is demanded to — never while it still runs."""
    pay_due = _date(case, "pay_due")
    if pay_due is None or not outstanding(case) or on > pay_due:
        return None
    return rules.Refusal(
        "payment-period-running",
        f"缴纳罚款的期限至{pay_due:%Y-%m-%d}届满，期满当事人仍未履行的，才能催告 ({on:%Y-%m-%d}尚在期限内)。",
        f"The party may pay until {pay_due:%Y-%m-%d}; a demand comes only after that period ends without payment ({on:%Y-%m-%d} is within it).",
        "《行政处罚法》第六十七条第三款; 《行政强制法》第三十五条、第五十四条",
    )


def remedy_text(case: Case, on: dt.date) -> str:
    """What the demand says of the party's reconsideration and lawsuit on `on`, by the
    periods' actual state: never that the party did not seek them while the periods run
    (行政复议法 第二十条; 行政诉讼法 第四十六条); a challenge does not stop execution
    (处罚法 第七十三条第一款)."""
    reconsideration, litigation = _date(case, "reconsideration_due"), challenge_period_end(case)
    if challenge_pending(case):
        return "你（单位）已申请行政复议或者提起行政诉讼，尚未终结；依照《中华人民共和国行政处罚法》第七十三条第一款，复议、诉讼期间行政处罚不停止执行。你（单位）未在规定期限内履行上述决定。"
    if case_challenged(case):
        return "你（单位）申请的行政复议或者提起的行政诉讼已经终结，仍未履行上述决定。"
    if litigation is not None and on > litigation:
        return "你（单位）在法定期限内未申请行政复议或者提起行政诉讼，又不履行上述决定。"
    periods = [("申请行政复议", reconsideration)]
    if not (case.procedure == "simple" and _date(case, "litigation_due") is None):
        periods.append(("提起行政诉讼", litigation))  # on the spot: reconsideration first
    running = [  # a period whose end the calendar cannot give yet is still running
        (what, f"{what}的期限" + (f"至{due.year}年{due.month}月{due.day}日" if due else ""))
        for what, due in periods
        if due is None or on <= due
    ]
    return (
        f"你（单位）未在规定期限内履行上述决定。{'、'.join(t for _, t in running)}尚未届满，"
        f"你（单位）仍可依法{'或者'.join(w for w, _ in running)}；"
        "依照《中华人民共和国行政处罚法》第七十三条第一款，复议、诉讼期间行政处罚不停止执行。"
    )


def demand_refusal(session: Session, case: Case, on: dt.date) -> rules.Refusal | None:
    """第三十七条: the execution decision only after the period the demand gave (ten
    days, working days by 第六十九条) passed without performance; immediately only where
    property is being moved or hidden (第三十七条第三款)."""
    served = _date(case, "demand_served")
    if served is None:
        return rules.Refusal(
            "demand-first",
            "作出强制执行决定前须先书面催告当事人。",
            "Serve a written demand before deciding on execution.",
            "《行政强制法》第三十五条、第三十七条",
        )
    if (early := demand_too_early(case, served)) is not None:
        return rules.Refusal(  # e.g. a deferral approved after it moved the payment period
            "demand-before-payment-due",
            f"催告书于{served:%Y-%m-%d}送达，早于缴纳罚款期限届满；须在期限届满后重新催告。{early.zh}",
            f"The demand was served on {served:%Y-%m-%d}, before the payment period ended; demand again after it. {early.en}",
            early.article,
        )
    calendar = working_calendar(session)
    wait = law.due(law.rule("court_application_wait"), served, calendar)
    if wait.on is None:  # ends in an unloaded year: decided only when certainly over
        open_ = law_window.on_or_before_end(wait.rule, served, on, calendar)
        if open_ is None:
            return rules.Refusal(
                "calendar-not-loaded", wait.reason_zh, wait.reason_en, wait.article
            )
        if not open_:
            return None
        return rules.Refusal(
            "demand-period-open",
            f"催告书{served:%Y-%m-%d}送达，给予的十个工作日履行期限尚未届满，期满仍不履行才能作出强制执行决定 (有转移、隐匿财物迹象的可立即强制执行)。",
            f"The demand served {served:%Y-%m-%d} gives the party 10 working days, not yet over; decide on execution only after that (immediately only if property is being moved or hidden).",
            "《行政强制法》第三十七条、第六十九条",
        )
    if on <= wait.on:
        return rules.Refusal(
            "demand-period-open",
            f"催告书给予的履行期限至{wait.on:%Y-%m-%d}，期满仍不履行才能作出强制执行决定 (有转移、隐匿财物迹象的可立即强制执行)。",
            f"The demand gives the party until {wait.on:%Y-%m-%d}; decide on execution only after that (immediately only if property is being moved or hidden).",
            "《行政强制法》第三十七条、第六十九条",
        )
    return None


def substitute_notice_refusal(
    session: Session, served: dt.date, perform_from: dt.date
) -> rules.Refusal | None:
    """代履行三日前，催告当事人履行 (行政强制法 第五十一条第一款第(二)项; working days by
    第六十九条): the warning must reach the party by the rule's latest day."""
    rule = law.rule("substitute_performance_demand")
    calendar = working_calendar(session)
    latest = law.due(rule, perform_from, calendar)
    if latest.on is None:  # counts back into an unloaded year: fine when certainly in time
        in_time = law_window.notice_in_time(rule, served, perform_from, calendar)
        if in_time is None:
            return rules.Refusal(
                "calendar-not-loaded", latest.reason_zh, latest.reason_en, rule.article
            )
        if in_time:
            return None
        return rules.Refusal(
            "substitute-notice-period",
            f"代履行三日前应当催告当事人履行：{served:%Y-%m-%d}送达的决定不能自{perform_from:%Y-%m-%d}起代履行。",
            f"Warn the party 3 working days before: served {served:%Y-%m-%d}, performance cannot start {perform_from:%Y-%m-%d}.",
            rule.article,
        )
    if served <= latest.on:
        return None
    return rules.Refusal(
        "substitute-notice-period",
        f"代履行三日前应当催告当事人履行：自{perform_from:%Y-%m-%d}起代履行的，最迟应于{latest.on:%Y-%m-%d}送达 (本决定{served:%Y-%m-%d}送达)。",
        f"Warn the party 3 working days before: performing from {perform_from:%Y-%m-%d} needs service by {latest.on:%Y-%m-%d} (served {served:%Y-%m-%d}).",
        rule.article,
    )


CHALLENGE_DUES = ("reconsideration_due", "litigation_due")


def demolition_refusal(session: Session, case: Case, on: dt.date) -> rules.Refusal | None:
    """第四十四条: only after the public notice's own deadline and the reconsideration
    and litigation periods passed without a challenge."""
    notice = _date(case, "demolition_notice_due")
    if notice is None:
        return rules.Refusal(
            "demolition-notice-first",
            "强制拆除违法建筑物、构筑物、设施前须先公告，限期当事人自行拆除。",
            "Publish a notice ordering the party to demolish by a deadline first.",
            "《行政强制法》第四十四条",
        )
    served = _served(case)
    if served is None:
        return rules.Refusal(
            "decision-not-served",
            "决定书送达后才能计算复议和诉讼期限。",
            "The decision must be served first.",
            "《行政强制法》第四十四条",
        )
    calendar = working_calendar(session)
    ends = []
    periods = ("reconsideration_due",) if case.procedure == "simple" else CHALLENGE_DUES
    for key in periods:  # on the spot: reconsideration first (行政复议法 第二十三条)
        end = _date(case, key)
        if end is None:  # its year not loaded: settled only when certainly over
            rule = law.rule(key.removesuffix("_due"))
            within = law_window.on_or_before_end(rule, served, on, calendar)
            if within is not False:
                return rules.Refusal(
                    "challenge-period-open" if within else "calendar-not-loaded",
                    f"「{rule.name_zh}」的期限尚未届满 (届满日所在年度的工作日历未载入)，期满且当事人未申请复议或者起诉后才能强制拆除。"
                    if within
                    else f"「{rule.name_zh}」的期限届满日所在年度的工作日历未载入，无法确定能否强制拆除。",
                    f"The period '{rule.name_en}' has not run out"
                    if within
                    else f"The end of '{rule.name_en}' falls in a year whose calendar is not loaded.",
                    f"《行政强制法》第四十四条; {rule.article}",
                )
            end = on - dt.timedelta(days=1)  # certainly over
        ends.append(end)
    reconsideration, litigation = ends[0], ends[-1]
    return _refusal(
        law_limits.forced_demolition_refused(
            on, notice, reconsideration, litigation, challenge_pending(case)
        )
    )


def monetary_refusal(case: Case, on: dt.date) -> rules.Refusal | None:
    """第四十六条: an agency with the power enforces a fine only after the surcharge ran
    over 30 days and a demand went unanswered."""
    days = surcharge_days(case, on)
    if days <= 30:
        return rules.Refusal(
            "surcharge-under-30-days",
            f"加处罚款已计{days}日，超过三十日且经催告仍不履行的，才能强制执行。",
            f"The surcharge has run {days} days; enforce only after more than 30 days and a demand.",
            "《行政强制法》第四十六条",
        )
    return None


def litigation_after_reconsideration(session: Session, concluded: dt.date) -> dt.date | None:
    """行政诉讼法 第四十五条: the party may sue within 15 days of receiving the
    reconsideration decision; the court window (第五十三条) then runs from there."""
    rule = law.rule("litigation_after_reconsideration")
    return law.due(rule, concluded, working_calendar(session)).on


def _auction_refusal(case: Case, on: dt.date, has_power: bool) -> rules.Refusal | None:
    """第四十六条第三款: property sealed or seized in the case may be auctioned to pay the
    fine — by an agency without execution power only when no challenge came in time."""
    if not case.measures:
        return rules.Refusal(
            "auction-needs-seizure",
            "只有在实施行政管理过程中已经查封、扣押的财物，才能依法拍卖抵缴罚款。",
            "Only property sealed or seized in the case may be auctioned to pay the fine.",
            "《行政强制法》第四十六条第三款",
        )
    if not has_power:
        late = [_date(case, "reconsideration_due"), _date(case, "litigation_due")]
        if any(d is None or on <= d for d in late) or case_challenged(case):
            return rules.Refusal(
                "auction-periods",
                "没有强制执行权的行政机关拍卖查封、扣押的财物，须当事人在法定期限内未申请复议或者起诉。",
                "Without execution power, auction only after the reconsideration and litigation periods passed unchallenged.",
                "《行政强制法》第四十六条第三款",
            )
    return None
