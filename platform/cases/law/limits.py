"""What the law forbids or requires, as pure functions (no Flask, no database).

Each check returns None when the law allows the act, or a `Refusal` naming the rule and
the article, in Chinese and English, for the problem+json the engine returns. Amounts
are integer fen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from stdnum.cn import ric

from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law import window as law_window
from yimen.platform.cases.law.periods import (
    CALENDAR_DAY,
    MONTH,
    PZ,
    QZ,
    SHANGHAI,
    DeadlineRule,
    SectorProfile,
    add_months,
)
from yimen.tenants.calendar.rules import CalendarNotLoaded, WorkingCalendar
from yimen.tenants.powers.rules import PENALTY_KINDS

PERSON, ORGANISATION, INDIVIDUAL_BUSINESS = "person", "organisation", "individual_business"
FINE, CONFISCATION = "fine", "confiscation"


@dataclass(frozen=True)
class Refusal:
    rule: str
    zh: str
    en: str
    article: str


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------ simple procedure


SIMPLE_FINE_MAX_FEN = {PERSON: 200_00, ORGANISATION: 3_000_00}
SIMPLE_KINDS = frozenset({"warning", "fine"})


def simple_procedure_allowed(
    party_kind: str,
    penalty_kinds: Collection[str],
    fine_fen: int | None,
    individual_business_as: str = PERSON,
) -> Refusal | None:
    """处罚法 第五十一条: on the spot only a warning, or a fine ≤ ¥200 for a citizen and
    ≤ ¥3,000 for a legal person or other organisation.

    Whether a 个体工商户 is a citizen or an "other organisation" 第五十一条 does not say: `individual_business_as` is the district's policy. The default,
    `person` (¥200), is the safe reading — the general procedure is never unlawful
    where the simple one was allowed, the reverse is.
    """
    article = f"{PZ}第五十一条"
    kinds = set(penalty_kinds) | ({"fine"} if fine_fen else set())
    other = kinds - SIMPLE_KINDS
    if not kinds or other:
        return Refusal(
            "simple-procedure-kind",
            "简易程序只能当场给予警告或者罚款；其他处罚种类须适用普通程序。",
            "The simple procedure allows only a warning or a fine; other penalties need the general procedure.",
            article,
        )
    if "fine" in kinds:
        as_kind = individual_business_as if party_kind == INDIVIDUAL_BUSINESS else party_kind
        limit = SIMPLE_FINE_MAX_FEN[PERSON if as_kind == PERSON else ORGANISATION]
        if not fine_fen or fine_fen > limit:
            who_zh, who_en = (
                ("公民", "a citizen")
                if limit == 200_00
                else ("法人或者其他组织", "an organisation")
            )
            return Refusal(
                "simple-procedure-limit",
                f"当场处罚对{who_zh}的罚款不得超过{_yuan(limit)}元 (拟罚 {_yuan(fine_fen or 0)} 元)，须适用普通程序。",
                f"An on-the-spot fine on {who_en} may not exceed ¥{_yuan(limit)} (proposed ¥{_yuan(fine_fen or 0)}); use the general procedure.",
                article,
            )
    return None


ON_SPOT_COLLECTION_MAX_FEN = 100_00


def on_spot_collection_allowed(
    fine_fen: int, hard_to_collect: bool, remote_area_request: bool = False
) -> Refusal | None:
    """处罚法 第六十八条: after an on-the-spot decision the officer may collect a fine of
    ≤ ¥100, or one that would be hard to collect later; 第六十九条: in remote, waterborne
    or poorly connected areas, on the party's request."""
    if fine_fen <= ON_SPOT_COLLECTION_MAX_FEN or hard_to_collect or remote_area_request:
        return None
    return Refusal(
        "on-spot-collection",
        f"罚款 {_yuan(fine_fen)} 元超过100元，且非事后难以执行或边远地区当事人提出，不得当场收缴。",
        f"A fine of ¥{_yuan(fine_fen)} is over ¥100 and neither hard to collect later nor requested in a remote area: it may not be collected on the spot.",
        f"{PZ}第六十八条、第六十九条",
    )


def simple_procedure_possible(
    party_kind: str | None,
    matter_kinds: Collection[str],
    fine_min_yuan: int | None,
    individual_business_as: str = PERSON,
) -> bool:
    """Whether the matter's penalty can be one 第五十一条 allows at all: a warning the
    matter provides for, or a fine whose statutory minimum is within the party's limit
    (a matter fined by a multiple of a value has no fixed minimum: possible). With no
    party named yet, the organisation's limit (the wider one) decides."""
    if "warning" in matter_kinds:
        return True
    if FINE not in matter_kinds:
        return False
    if fine_min_yuan is None:
        return True
    as_kind = individual_business_as if party_kind == INDIVIDUAL_BUSINESS else party_kind
    limit = SIMPLE_FINE_MAX_FEN[PERSON if as_kind == PERSON else ORGANISATION]
    return fine_min_yuan * 100 <= limit


# ------------------------------------------------------------------ limitation, minors


def limitation(
    act_or_end: dt.date, discovered_on: dt.date, life_safety: bool, years_by_law: int | None = None
) -> Refusal | None:
    """处罚法 第三十六条: not discovered within 2 years of the act (5 years where it
    concerns citizens' life, health or safety, or financial security, with harmful
    consequences; a law may set another period) → no penalty. The period runs from the
    act, or from the day a continuing or continuous act ended (pass that day); it ends on
    the same date N years later (民法典 第二百零二条) and is not rolled forward."""
    years = years_by_law or (5 if life_safety else 2)
    last = add_months(act_or_end, 12 * years)
    if discovered_on <= last:
        return None
    return Refusal(
        "limitation",
        f"违法行为自{act_or_end.isoformat()}起{years}年内 (至{last.isoformat()}) 未被发现，{discovered_on.isoformat()}才发现，不再给予行政处罚。",
        f"The act of {act_or_end.isoformat()} was not discovered within {years} years (by {last.isoformat()}); discovered {discovered_on.isoformat()}, it can no longer be penalised.",
        f"{PZ}第三十六条",
    )


@dataclass(frozen=True)
class Minor:
    """A party under 18 on the date of the act (处罚法 第三十条)."""

    age: int
    no_penalty: bool  # under 14: no penalty, the guardian is told to discipline
    zh: str
    en: str
    article: str = f"{PZ}第三十条"


def full_years(born: dt.date, on: dt.date) -> int:
    """Age in full years (周岁); a birthday is reached on the day after it (法释〔2006〕1号
    第二条, the criminal-law rule applied by analogy: the reading that favours the minor)."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age > 0 and (on.month, on.day) == (born.month, born.day):
        age -= 1
    return age


def minor_at(id_number: str, on_date: dt.date) -> Minor | None:
    """处罚法 第三十条 from the birth date in a GB 11643 resident ID number: under 14 → no
    penalty; 14 to 18 → a lighter or reduced penalty is mandatory; an adult → None.
    An invalid number raises (stdnum's ValidationError, a ValueError)."""
    age = full_years(ric.get_birth_date(ric.validate(id_number)), on_date)
    if age >= 18:
        return None
    if age < 14:
        return Minor(
            age,
            True,
            f"当事人违法时未满十四周岁 ({age}岁)：不予行政处罚，责令监护人加以管教。",
            f"The party was under 14 (aged {age}) at the time of the act: no penalty; the guardian is ordered to discipline.",
        )
    return Minor(
        age,
        False,
        f"当事人违法时已满十四周岁不满十八周岁 ({age}岁)：应当从轻或者减轻行政处罚。",
        f"The party was 14 to 18 (aged {age}) at the time of the act: the penalty must be lighter or reduced.",
    )


# ------------------------------------------------------------------ hearing right

Thresholds = Mapping[tuple[str, str], int]  # (person|organisation, fine|confiscation) → fen

# 处罚法 第六十三条(三)(四) name these; (五) "其他较重的行政处罚" is read to cover
# restricting business and suspending a licence (offering a hearing is never unlawful).
HEARING_KINDS = {
    "downgrade": "第六十三条第一款第(三)项",
    "revoke_license": "第六十三条第一款第(三)项",
    "order_suspension": "第六十三条第一款第(四)项",
    "order_closure": "第六十三条第一款第(四)项",
    "restrict_practice": "第六十三条第一款第(四)项",
    "restrict_business": "第六十三条第一款第(五)项",
    "suspend_license": "第六十三条第一款第(五)项",
}


@dataclass(frozen=True)
class HearingRight:
    """Unpacks as `(right, reason_zh, article)`; `reason_en` is an attribute."""

    right: bool
    reason_zh: str
    article: str
    reason_en: str

    def __iter__(self) -> Iterator[bool | str]:
        return iter((self.right, self.reason_zh, self.article))


def hearing_right(
    penalty_kinds: Collection[str],
    party_kind: str,
    fine_fen: int | None,
    confiscation_fen: int | None,
    thresholds: Thresholds,
) -> HearingRight:
    """处罚法 第六十三条: licence revocation, downgrade, suspension, closure, restriction of
    practice or business carry the right whatever the amount; a fine or a confiscation
    carries it from the district's 较大数额 threshold (≥, counted separately for fines and
    confiscations, 沪府令77号 第三十一条). A 个体工商户 is measured against the person's
    threshold, and a threshold the district has not set grants the right: both are the
    readings under which no party loses a hearing it is owed."""
    for kind in penalty_kinds:
        if kind in HEARING_KINDS:
            zh, en = PENALTY_KINDS[kind]
            return HearingRight(
                True,
                f"拟{zh}，当事人有权要求听证。",
                f"{PZ}{HEARING_KINDS[kind]}",
                f"The intended penalty ({en}) carries the right to a hearing.",
            )
    who = PERSON if party_kind in (PERSON, INDIVIDUAL_BUSINESS) else ORGANISATION
    for kind, amount, zh, en, item in (
        (FINE, fine_fen, "罚款", "fine", "(一)"),
        (CONFISCATION, confiscation_fen, "没收", "confiscation", "(二)"),
    ):
        if not amount:
            continue
        limit = thresholds.get((who, kind))
        article = f"{PZ}第六十三条第一款第{item}项"
        if limit is None:
            return HearingRight(
                True,
                f"本区未设定{zh}的较大数额标准，按有听证权告知。",
                article,
                f"The district has set no 'large amount' threshold for a {en}; the right to a hearing is given.",
            )
        if amount >= limit:
            return HearingRight(
                True,
                f"拟{zh} {_yuan(amount)} 元，达到较大数额标准 {_yuan(limit)} 元，当事人有权要求听证。",
                article,
                f"The intended {en} of ¥{_yuan(amount)} reaches the large-amount threshold of ¥{_yuan(limit)}: the party may ask for a hearing.",
            )
    return HearingRight(
        False,
        "拟作出的处罚不属于听证范围 (未达较大数额，且非吊销、责令停产停业等)。",
        f"{PZ}第六十三条",
        "The intended penalty is outside the hearing scope (below the large amount, no licence revocation, suspension or closure).",
    )


def hearing_request_refused(
    notice_served: dt.date, requested_on: dt.date, calendar: WorkingCalendar
) -> Refusal | None:
    """处罚法 第六十四条第(一)项 + 第八十五条: a hearing is asked for within 5 working
    days after the prior notice is served (2026-09-24 → 2026-10-09). A late request is
    refused here; accepting it with a reason is the district's choice."""
    window = law.due(law.rule("hearing_request"), notice_served, calendar)
    if window.on is None:  # ends in an unloaded year: accepted when certainly within
        within = law_window.on_or_before_end(window.rule, notice_served, requested_on, calendar)
        if within is None:
            return _calendar_refusal(window)
        if within:
            return None
        return Refusal(
            "hearing-request-late",
            f"听证申请应在告知书送达后五个工作日内提出，{requested_on.isoformat()}已逾期。",
            f"A hearing must be requested within 5 working days of the notice; {requested_on.isoformat()} is late.",
            window.article,
        )
    if requested_on <= window.on:
        return None
    return Refusal(
        "hearing-request-late",
        f"听证申请应在告知书送达后五个工作日内 (截至{window.on.isoformat()}) 提出，{requested_on.isoformat()}已逾期。",
        f"A hearing must be requested within 5 working days of the notice (by {window.on.isoformat()}); {requested_on.isoformat()} is late.",
        window.article,
    )


def hearing_notice_refused(
    notice_on: dt.date, hearing_on: dt.date, calendar: WorkingCalendar
) -> Refusal | None:
    """处罚法 第六十四条第(二)项 + 第八十五条: the hearing notice is given 7 working days
    before the hearing, read conservatively as ≥7 working days strictly between the two
    (hearing Tue 2026-10-20 → notice by Fri 2026-10-09; Sat 10-10 is a working day)."""
    latest = law.due(law.rule("hearing_notice"), hearing_on, calendar)
    if latest.on is None:  # counts back into an unloaded year: fine when certainly in time
        in_time = law_window.notice_in_time(latest.rule, notice_on, hearing_on, calendar)
        if in_time is None:
            return _calendar_refusal(latest)
        if in_time:
            return None
        return Refusal(
            "hearing-notice-late",
            f"听证通知须在听证七个工作日前送达：{notice_on.isoformat()}通知{hearing_on.isoformat()}举行的听证不足七个工作日。",
            f"The hearing notice must precede the hearing by 7 working days: {notice_on.isoformat()} is too late for {hearing_on.isoformat()}.",
            latest.article,
        )
    if notice_on <= latest.on:
        return None
    return Refusal(
        "hearing-notice-late",
        f"听证通知须在听证七个工作日前送达：{hearing_on.isoformat()}举行的听证最迟于{latest.on.isoformat()}通知。",
        f"The hearing notice must precede the hearing by 7 working days: for {hearing_on.isoformat()}, notify by {latest.on.isoformat()}.",
        latest.article,
    )


def _calendar_refusal(due: law.Due) -> Refusal:
    return Refusal("calendar-not-loaded", due.reason_zh, due.reason_en, due.article)


# ------------------------------------------------------------------ extensions


@dataclass(frozen=True)
class Extension:
    days: int
    by: str  # "head" (负责人批准) | "collective" (负责人集体讨论)


def decision_extension_refused(
    sector: SectorProfile, granted: Collection[Extension], requested: Extension
) -> Refusal | None:
    """The decision deadline (处罚法 第六十条: 90 days) is extended only as the sector rule
    allows: first by the head, ≤30 days; then by the heads' collective discussion (住建:
    once, ≤60 days; 市场监管: a reasonable period the discussion sets). The law's floor
    (urban management, default) allows none."""
    article = sector.decision_article
    if requested.days <= 0:
        return Refusal(
            "extension-days",
            "延长天数须为正数。",
            "An extension must be at least one day.",
            article,
        )
    if not granted:
        if not sector.first_extension_days:
            return Refusal(
                "decision-extension-none",
                f"{sector.name_zh}适用的规定未设办案期限延长，须在立案之日起{sector.decision_days}日内作出决定。",
                f"The rules for {sector.name_en} allow no extension: decide within {sector.decision_days} days of filing.",
                article,
            )
        if (
            requested.by not in ("head", "collective")
            or requested.days > sector.first_extension_days
        ):
            return Refusal(
                "decision-extension-first",
                f"首次延期须经负责人批准，且不超过{sector.first_extension_days}日。",
                f"The first extension needs the head's approval and is at most {sector.first_extension_days} days.",
                article,
            )
        return None
    repeat = len(granted) >= 2 and sector.second_extension_max_days is not None
    if not sector.second_extension or repeat:
        return Refusal(
            "decision-extension-exhausted",
            "办案期限已按规定延长，不得再次延长。",
            "The decision deadline has been extended as far as the rules allow.",
            article,
        )
    cap = sector.second_extension_max_days
    if requested.by != "collective" or (cap is not None and requested.days > cap):
        limit_zh = f"，且不超过{cap}日" if cap is not None else "，并确定合理期限"
        limit_en = f", at most {cap} days" if cap is not None else ", setting a reasonable period"
        return Refusal(
            "decision-extension-collective",
            f"再次延期须经负责人集体讨论决定{limit_zh}。",
            f"A further extension needs the heads' collective discussion{limit_en}.",
            article,
        )
    return None


def extension_refused(rule: DeadlineRule, total_days: int) -> Refusal | None:
    """A period with one fixed extension (查封扣押, 冻结 +30 days with the head's approval,
    行政强制法 第二十五条、第三十二条; lead check per sector)."""
    cap = rule.max_extension_days
    if cap is None or total_days <= cap:
        return None
    return Refusal(
        f"{rule.id}-extension",
        f"{rule.name_zh}最多延长{cap}日 (申请 {total_days} 日)。",
        f"{rule.name_en} may be extended by at most {cap} days ({total_days} asked).",
        rule.article,
    )


# ------------------------------------------------------------------ payment and surcharge

SURCHARGE_PERMILLE_PER_DAY = 30  # 3% per day
SURCHARGE_DAYS_TO_CAP = 34  # 3% × 34 > 100%


def surcharge_fen(fine_fen: int, pay_due: dt.date, on_date: dt.date, paused_days: int = 0) -> int:
    """处罚法 第七十二条第一款第(一)项: 3% of the fine for each day overdue, in total never
    more than the fine; day 1 is the day after the payment deadline; days during
    reconsideration or litigation do not count (第七十三条第三款: pass them as
    `paused_days`, e.g. `law.paused_days(pauses, pay_due, on_date)`). Rounded down to the fen."""
    days = max(0, (on_date - pay_due).days - paused_days)
    return min(fine_fen, fine_fen * SURCHARGE_PERMILLE_PER_DAY * days // 1000)


def surcharge_capped_on(pay_due: dt.date, paused_days: int = 0) -> dt.date:
    """The day the surcharge reaches the fine (day 34; served 2026-03-02 → pay by 03-17 →
    capped 2026-04-20), later by the paused days."""
    return pay_due + dt.timedelta(days=SURCHARGE_DAYS_TO_CAP + paused_days)


# ------------------------------------------------------------------ execution


@dataclass(frozen=True)
class Window:
    """Days an act may be done, both inclusive; `opens` is None until it can be known."""

    opens: dt.date | None
    closes: dt.date | None
    article: str
    flagged: bool = False
    reason_zh: str = ""
    reason_en: str = ""


def court_application_window(
    litigation_due: dt.date,
    demand_served: dt.date | None,
    calendar: WorkingCalendar,
    deferral_ends: dt.date | None = None,
) -> Window:
    """行政强制法 第五十三条 (行诉解释 第一百五十六条): an agency without execution power
    applies to the court within 3 months from the day the litigation period expired
    (litigation due 2026-09-02 → 2026-09-03 … 2026-12-02); with a deferral or instalments,
    from their end (处罚法 第七十二条第二款). 第五十四条 + 第六十九条: not before 10
    working days after the demand (催告书) is served. The agency's limit is not rolled."""
    rule = law.rule("court_application")
    base = max(litigation_due, deferral_ends or litigation_due)
    closes = add_months(base, 3)
    opens = base + dt.timedelta(days=1)
    if demand_served is None:
        return Window(
            None, closes, rule.article, False,
            "申请法院强制执行前须先送达催告书，送达十个工作日后方可申请。",
            "Serve a written demand first; the court may be asked 10 working days after it is served.",
        )  # fmt: skip
    wait = law.due(law.rule("court_application_wait"), demand_served, calendar)
    if wait.on is None:
        return Window(None, closes, wait.article, True, wait.reason_zh, wait.reason_en)
    opens = max(opens, wait.on + dt.timedelta(days=1))
    if opens > closes:
        return Window(
            opens, closes, rule.article, True,
            f"催告书送达过晚：等待期满 ({wait.on.isoformat()}) 已超过申请期限 {closes.isoformat()}。",
            f"The demand came too late: its wait ends {wait.on.isoformat()}, after the application deadline {closes.isoformat()}.",
        )  # fmt: skip
    return Window(opens, closes, f"{rule.article}; {wait.article}")


def demand_wait_refused(
    demand_served: dt.date, on: dt.date, calendar: WorkingCalendar, closes: dt.date | None = None
) -> Refusal | None:
    """行政强制法 第五十四条 (+ 第六十九条): the court is asked only once the ten working
    days the demand gives have passed without performance — refused while they certainly
    run, with the first day it becomes possible; when their end needs a year the calendar
    lacks and `on` may or may not be past it, refused as not computable (never guessed)."""
    rule = law.rule("court_application_wait")
    wait = law.due(rule, demand_served, calendar)
    article = rule.article
    if wait.on is not None:
        if on > wait.on:
            return None
        first = wait.on + dt.timedelta(days=1)
        late_zh = late_en = ""
        if closes is not None and first > closes:  # 第五十三条's three months end before
            late_zh = f"但申请期限已于{closes.isoformat()}届满，本次催告送达过晚。"
            late_en = f" But the time to apply ends {closes.isoformat()}: the demand came too late."
        return Refusal(
            "demand-period-open",
            f"催告书于{demand_served.isoformat()}送达，当事人在十个工作日内 (至{wait.on.isoformat()}) 仍可履行；期满仍不履行的，自{first.isoformat()}起方可申请人民法院强制执行。{late_zh}",
            f"The demand served {demand_served.isoformat()} gives the party ten working days (until {wait.on.isoformat()}); the court may be asked from {first.isoformat()}.{late_en}",
            article,
        )
    within = law_window.on_or_before_end(rule, demand_served, on, calendar)
    if within is False:
        return None
    if within is True:
        return Refusal(
            "demand-period-open",
            f"催告书于{demand_served.isoformat()}送达，当事人的十个工作日履行期限尚未届满 (届满日所在年度的工作日历未载入)；期满仍不履行的，方可申请人民法院强制执行。",
            f"The demand served {demand_served.isoformat()} gives the party ten working days, not yet over (their end falls in a year whose calendar is not loaded).",
            article,
        )
    return Refusal("calendar-not-loaded", wait.reason_zh, wait.reason_en, article)


def court_window_refused(
    on: dt.date,
    period_end: dt.date | None,
    period: tuple[law.DeadlineRule, dt.date] | None,
    calendar: WorkingCalendar,
    deferral_ends: dt.date | None = None,
) -> Refusal | None:
    """行政强制法 第五十三条: the court is asked within three months from the day the
    period to challenge the decision (`period_end`; 行诉解释 第一百五十六条) expired, or from
    the end of a deferral (处罚法 第七十二条第二款). A period whose end needs a year the
    calendar lacks (`period_end` None, `period` its rule and start) is flagged by the
    listing, not used to refuse: refused only when `on` is certainly within it, allowed
    when certainly after it and within three months of its earliest possible end."""
    article = law.rule("court_application").article
    if period_end is None:
        if period is None:
            return None
        rule, start = period
        within = law_window.on_or_before_end(rule, start, on, calendar)
        raw = _raw_end(rule, start)
        if within is True:
            return Refusal(
                "court-window",
                f"当事人申请行政复议或者提起行政诉讼的法定期限尚未届满{f' (最早于{raw.isoformat()}届满)' if raw else ''}，期限届满后才能申请人民法院强制执行。",
                f"The period to challenge the decision has not run out{f' (at the earliest on {raw.isoformat()})' if raw else ''}; apply to the court after it.",
                article,
            )
        if deferral_ends is not None and on <= deferral_ends:
            return Refusal(
                "court-window",
                f"暂缓或者分期缴纳罚款的期限至{deferral_ends.isoformat()}，期满后才能申请人民法院强制执行。",
                f"The deferral runs until {deferral_ends.isoformat()}; apply to the court after it.",
                article,
            )
        earliest = max(raw or on, deferral_ends or raw or on)
        if within is False and on <= add_months(earliest, 3):
            return None
        return Refusal(
            "calendar-not-loaded",
            "当事人申请复议或者起诉的期限届满日所在年度的工作日历未载入，无法确定能否申请人民法院强制执行。",
            "The challenge period ends in a year whose calendar is not loaded: whether the court may be asked cannot be settled.",
            article,
        )
    base = max(period_end, deferral_ends or period_end)
    opens, closes = base + dt.timedelta(days=1), add_months(base, 3)
    if on < opens:
        return Refusal(
            "court-window",
            f"当事人申请行政复议或者提起行政诉讼的法定期限至{base.isoformat()}，自{opens.isoformat()}起至{closes.isoformat()}可以申请人民法院强制执行。",
            f"The period to challenge the decision runs until {base.isoformat()}: the court may be asked from {opens.isoformat()} to {closes.isoformat()}.",
            article,
        )
    if on > closes:
        return Refusal(
            "court-window",
            f"申请人民法院强制执行的期限 ({opens.isoformat()}至{closes.isoformat()}) 已经届满。",
            f"The time to apply to the court ({opens.isoformat()} to {closes.isoformat()}) is over.",
            article,
        )
    return None


def _raw_end(rule: law.DeadlineRule, start: dt.date) -> dt.date | None:
    """A month or calendar-day period's end before any roll past rest days: its earliest
    possible end, known without the calendar."""
    if rule.unit == MONTH:
        return add_months(start, rule.count)
    if rule.unit == CALENDAR_DAY:
        return start + dt.timedelta(days=rule.count)
    return None


def forced_demolition_allowed_after(
    notice_deadline: dt.date, reconsideration_due: dt.date, litigation_due: dt.date
) -> dt.date:
    """行政强制法 第四十四条: an illegal structure is demolished by force only after the
    notice's own deadline and the periods to seek reconsideration and to sue have all run
    out (and no challenge is pending: `forced_demolition_refused`). Returns the last of
    those days; demolition may start the day after."""
    return max(notice_deadline, reconsideration_due, litigation_due)


def forced_demolition_refused(
    on: dt.date,
    notice_deadline: dt.date,
    reconsideration_due: dt.date,
    litigation_due: dt.date,
    challenge_pending: bool,
) -> Refusal | None:
    after = forced_demolition_allowed_after(notice_deadline, reconsideration_due, litigation_due)
    if on > after and not challenge_pending:
        return None
    return Refusal(
        "forced-demolition-early",
        f"强制拆除须待公告限期、复议和诉讼期限均届满 ({after.isoformat()}之后) 且当事人未申请复议或起诉。",
        f"Forced demolition waits until the notice period and the reconsideration and litigation windows have run out (after {after.isoformat()}) with no challenge.",
        f"{QZ}第四十四条",
    )


NIGHT_HOURS = (22, 6)  # a design choice: the law gives no hours (district policy)


def night_or_holiday_execution(
    at: dt.datetime,
    calendar: WorkingCalendar,
    night_hours: tuple[int, int] = NIGHT_HOURS,
    emergency: bool = False,
) -> Refusal | None:
    """行政强制法 第四十三条: no compulsory execution at night or on statutory holidays,
    except in an emergency. Night is [start, end) hours in Asia/Shanghai (the law sets
    none: district policy). Every non-working day of the calendar is refused (rest days
    included: the safe side); a year the calendar lacks is refused, never guessed."""
    if emergency:
        return None
    local = at.astimezone(SHANGHAI) if at.tzinfo else at
    start, end = night_hours
    night = local.hour >= start or local.hour < end if start > end else start <= local.hour < end
    article = f"{QZ}第四十三条"
    if night:
        return Refusal(
            "execution-at-night",
            f"不得在夜间 ({start}时至次日{end}时) 实施行政强制执行 (情况紧急的除外)。",
            f"No compulsory execution at night ({start}:00 to {end}:00) except in an emergency.",
            article,
        )
    try:
        working = calendar.is_working_day(local.date())
    except CalendarNotLoaded as missing:
        return Refusal("calendar-not-loaded", missing.zh, missing.en, article)
    if working:
        return None
    return Refusal(
        "execution-on-holiday",
        f"{local.date().isoformat()}为法定节假日或休息日，不得实施行政强制执行 (情况紧急的除外)。",
        f"{local.date().isoformat()} is a holiday or rest day: no compulsory execution except in an emergency.",
        article,
    )
