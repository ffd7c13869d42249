"""Statutory periods of a case, computed on the working-day calendar (pure; no Flask, no
database — the caller passes the calendar from `tenants.calendar.service.working_calendar`).

Every number here cites its article:

- 《行政处罚法》第八十五条: the penalty law's 2/3/5/7-day periods are working days;
  《行政强制法》第六十九条: the compulsion law's periods of ten days or less are too;
  every other day period is calendar days.
- 《民事诉讼法》第八十五条, 《民法典》第二百零一条–第二百零三条: the start day is not
  counted; a period whose last day is a rest day ends on the next working day (applied to
  the party's periods; the agency's own limits are not rolled forward — the agency is
  alerted before the raw date instead); month and year periods end on the same
  day number, or on the month's last day (第二百零二条).
- A deadline that needs a year the calendar does not have is never guessed: `due` returns
  `Due(None, rule, flagged=True, reason_zh, reason_en)`.

Sector profiles hold the numbers the sector procedure rules (市场监管 2018/2022, 住建 2022,
交通运输 2021) set differently; the law's own
floor (`urban_management`, the default) applies where no sector rule says otherwise.
The refusals (simple procedure, limitation, hearing right, surcharge …) are in
`law_limits`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol
from zoneinfo import ZoneInfo

from yimen.tenants.calendar.rules import CalendarNotLoaded, WorkingCalendar

PZ = "《行政处罚法》"
QZ = "《行政强制法》"
FY = "《行政复议法》"
SS = "《行政诉讼法》"
YS = "《行政执法机关移送涉嫌犯罪案件的规定》"
GB118 = "国办发〔2018〕118号"

HOUR, WORKING_DAY, CALENDAR_DAY, MONTH, YEAR = (
    "hour",
    "working_day",
    "calendar_day",
    "month",
    "year",
)
UNITS = (HOUR, WORKING_DAY, CALENDAR_DAY, MONTH, YEAR)
PARTY, AGENCY = "party", "agency"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Clock pauses (model.CasePause.reason).
HEARING, TESTING, SUSPENSION, NOTICE = "hearing", "testing", "suspension", "notice"
PAUSE_REASONS = (HEARING, TESTING, SUSPENSION, NOTICE)


@dataclass(frozen=True)
class DeadlineRule:
    """One statutory period.

    `binds`: `party` — a period the party has (never shortened; rolled forward past rest
    days); `agency` — a limit on the agency (never lengthened; not rolled forward).
    `before`: the period runs backwards from the start event and the result is the
    latest day the act may be done (hearing notice: ≥7 working days before the hearing).
    `pause_reasons`: clock pauses whose days do not count (decision, seizure).
    `max_extension_days`: the longest extension the law allows (None: no fixed cap,
    0: none).
    """

    id: str
    name_zh: str
    name_en: str
    count: int
    unit: str
    start_event: str
    roll_forward: bool
    binds: str
    article: str
    before: bool = False
    pause_reasons: frozenset[str] = frozenset()
    max_extension_days: int | None = 0

    def __post_init__(self) -> None:
        if self.unit not in UNITS or self.binds not in (PARTY, AGENCY):
            raise ValueError(f"bad deadline rule {self.id}: {self.unit}, {self.binds}")


@dataclass(frozen=True)
class Due:
    """A computed deadline: `on` is a date (a datetime for hour periods), or None when
    it cannot be known (`flagged`: calendar missing; `paused`: the clock is stopped)."""

    on: dt.date | dt.datetime | None
    rule: DeadlineRule
    flagged: bool = False
    reason_zh: str = ""
    reason_en: str = ""
    raw: dt.date | dt.datetime | None = None  # before the roll-forward
    paused_days: int = 0
    paused: bool = False

    @property
    def article(self) -> str:
        return self.rule.article


class PauseLike(Protocol):
    reason: str
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(frozen=True)
class Pause:
    """A clock pause; `model.CasePause` has the same shape. Both days are inclusive."""

    reason: str
    started_on: dt.date
    ended_on: dt.date | None


def R(  # noqa: N802
    id: str,
    zh: str,
    en: str,
    count: int,
    unit: str,
    start: str,
    binds: str,
    article: str,
    *,
    roll_forward: bool | None = None,
    before: bool = False,
    pause_reasons: frozenset[str] = frozenset(),
    max_extension_days: int | None = 0,
) -> DeadlineRule:
    """A catalogue entry; a party's period rolls forward past rest days unless told."""
    roll = binds == PARTY if roll_forward is None else roll_forward
    return DeadlineRule(
        id, zh, en, count, unit, start, roll, binds, article,
        before=before, pause_reasons=pause_reasons, max_extension_days=max_extension_days,
    )  # fmt: skip


W, C = WORKING_DAY, CALENDAR_DAY

# fmt: off
CATALOGUE: tuple[DeadlineRule, ...] = (
    # 立案前: lead check (sector numbers; this is the market-regulation default).
    R("lead_check", "线索核查并决定是否立案", "Check a lead and decide on filing", 15, W,
      "lead_received", AGENCY, "《市场监督管理行政处罚程序规定》第十八条", max_extension_days=15),
    # 法制审核 (the sector's turnaround; 处罚法 第五十八条 sets none).
    R("legal_review", "法制审核", "Legal review", 10, W, "legal_review_started", AGENCY,
      "《市场监督管理行政处罚程序规定》第五十五条"),
    # 事先告知, 陈述申辩, 听证.
    R("statement", "陈述申辩期限", "Statement and defence", 5, W, "prior_notice_served", PARTY,
      f"{PZ}第四十四条、第四十五条; 《市场监督管理行政处罚程序规定》第五十七条"),
    R("hearing_request", "听证申请期限", "Hearing request", 5, W, "prior_notice_served", PARTY,
      f"{PZ}第六十四条第(一)项、第八十五条"),
    R("hearing_notice", "听证通知最迟送达日", "Latest hearing notice", 7, W, "hearing_date",
      PARTY, f"{PZ}第六十四条第(二)项、第八十五条", before=True, roll_forward=False),
    # 证据先行登记保存.
    R("preservation", "先行登记保存后作出处理决定", "Decide on preserved evidence", 7, W,
      "preserved", AGENCY, f"{PZ}第五十六条、第八十五条"),
    # 决定, 送达, 公示.
    R("decision", "作出处罚决定", "Decision", 90, C, "filed", AGENCY, f"{PZ}第六十条"),
    R("service", "决定书送达", "Service of the decision", 7, W, "decided", AGENCY,
      f"{PZ}第六十一条、第八十五条"),
    R("public_notice_service", "公告送达视为送达", "Service by public notice takes effect", 30,
      C, "notice_published", PARTY, "《民事诉讼法》第九十五条", roll_forward=False),
    R("disclosure", "处罚决定公示", "Publish the penalty decision", 7, W, "decided", AGENCY,
      f"{GB118}（六）"),
    R("disclosure_other", "其他执法决定公示", "Publish other enforcement decisions", 20, W,
      "decided", AGENCY, f"{GB118}（六）"),
    R("withdrawal", "撤回已公开的处罚决定信息", "Withdraw published decision information", 3,
      W, "decision_varied_or_revoked", AGENCY, f"{PZ}第四十八条、第八十五条"),
    # 当场收缴.
    R("hand_in_fine", "当场收缴罚款交至行政机关", "Hand collected fine to the agency", 2, W,
      "collected", AGENCY, f"{PZ}第七十一条、第八十五条"),
    R("hand_in_fine_on_water", "水上当场收缴罚款交至行政机关",
      "Hand a fine collected on water to the agency", 2, W, "landed", AGENCY,
      f"{PZ}第七十一条、第八十五条"),
    R("bank_deposit", "行政机关将罚款缴付银行", "Agency pays collected fines into the bank", 2,
      W, "handed_in", AGENCY, f"{PZ}第七十一条、第八十五条"),
    # 履行, 救济.
    R("payment", "缴纳罚款", "Pay the fine", 15, C, "decision_served", PARTY, f"{PZ}第六十七条"),
    R("reconsideration", "申请行政复议", "Apply for reconsideration", 60, C, "decision_served",
      PARTY, f"{FY}第二十条第一款"),
    R("litigation", "提起行政诉讼", "Sue in court", 6, MONTH, "decision_served", PARTY,
      f"{SS}第四十六条第一款"),
    R("litigation_after_reconsideration", "复议后起诉", "Sue after reconsideration", 15, C,
      "reconsideration_decision_received", PARTY, f"{SS}第四十五条"),
    # 强制执行.
    R("court_application_wait", "催告书送达后的履行期", "Wait after the demand is served", 10,
      W, "demand_served", PARTY, f"{QZ}第五十四条、第六十九条"),
    R("court_application", "申请人民法院强制执行", "Apply to the court for enforcement", 3,
      MONTH, "litigation_due", AGENCY,
      f"{QZ}第五十三条; 《最高人民法院关于适用〈行政诉讼法〉的解释》第一百五十六条"),
    R("substitute_performance_demand", "代履行前催告", "Demand before substitute performance",
      3, W, "substitute_performance", PARTY, f"{QZ}第五十一条第(二)项、第六十九条",
      before=True, roll_forward=False),
    # 行政强制措施.
    R("emergency_measure_approval", "当场实施强制措施后补办批准",
      "Approval after an emergency measure", 24, HOUR, "measure_executed", AGENCY,
      f"{QZ}第十九条"),
    R("seizure", "查封扣押期限", "Seal-up or seizure", 30, C, "seized", AGENCY, f"{QZ}第二十五条",
      pause_reasons=frozenset({TESTING}), max_extension_days=30),
    R("freeze_decision_delivery", "交付冻结决定书", "Deliver the freezing decision", 3, W,
      "frozen", AGENCY, f"{QZ}第三十一条、第六十九条"),
    R("freeze", "冻结期限", "Freezing", 30, C, "frozen", AGENCY, f"{QZ}第三十二条",
      max_extension_days=30),
    # 两法衔接: 移送规定 does not say whether its 日 are working days; read as calendar days.
    R("criminal_transfer_approval", "移送审批", "Head decides on the transfer", 3, C,
      "transfer_report", AGENCY, f"{YS}第五条第二款"),
    R("criminal_transfer", "移送公安机关", "Transfer to the police", 24, HOUR,
      "transfer_approved", AGENCY, f"{YS}第五条第二款"),
    R("police_filing_review", "公安机关审查是否立案", "Police decide on filing", 3, C,
      "transfer_accepted", AGENCY, f"{YS}第八条"),
    R("transfer_objection", "对不予立案提请复议", "Ask the police to reconsider non-filing", 3,
      C, "non_filing_notice", AGENCY, f"{YS}第九条"),
    R("transfer_handover", "立案后移交涉案物品", "Hand over items after police filing", 3, C,
      "police_filing_notice", AGENCY, f"{YS}第十二条"),
)
# fmt: on
RULES = {r.id: r for r in CATALOGUE}


def rule(rule_id: str) -> DeadlineRule:
    return RULES[rule_id]


# ----------------------------------------------------------------------------- arithmetic


def add_months(start: dt.date, months: int) -> dt.date:
    """民法典 第二百零二条: the same day number, or the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(start.day, last))


def paused_days(pauses: Iterable[PauseLike], after: dt.date, through: dt.date) -> int:
    """Calendar days in (after, through] covered by the pauses (inclusive, overlaps once)."""
    days: set[dt.date] = set()
    for p in pauses:
        first = max(p.started_on, after + dt.timedelta(days=1))
        last = min(p.ended_on or through, through)
        days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return len(days)


def _extend_by_pauses(start: dt.date, raw: dt.date, pauses: list[PauseLike]) -> dt.date:
    """Move `raw` by the paused days before it; a pause the moved end reaches counts too."""
    total = 0
    while True:
        end = raw + dt.timedelta(days=total)
        counted = paused_days(pauses, start, end)
        if counted == total:
            return end
        total = counted


def _subtract_working_days(calendar: WorkingCalendar, day: dt.date, count: int) -> dt.date:
    counted = 0
    while counted < count:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def local_day(start: dt.date | dt.datetime) -> dt.date:
    """The day an event happened in Asia/Shanghai (the law counts local days)."""
    if isinstance(start, dt.datetime):
        return (start.astimezone(SHANGHAI) if start.tzinfo else start).date()
    return start


def stored_day(at: dt.datetime) -> dt.date:
    """The Shanghai day of an instant read from the database (SQLite gives it back naive,
    in UTC, as it was written)."""
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(SHANGHAI).date()


def _raw(
    rule: DeadlineRule, start: dt.date | dt.datetime, calendar: WorkingCalendar, extension_days: int
) -> dt.date | dt.datetime:
    if rule.unit == HOUR:
        if not isinstance(start, dt.datetime):
            raise TypeError(f"{rule.id} counts hours: pass a datetime")
        return start + dt.timedelta(hours=rule.count)
    day = local_day(start)
    if rule.unit == WORKING_DAY:
        if rule.before:  # the day before the count-th working day before the event
            return _subtract_working_days(calendar, day, rule.count) - dt.timedelta(days=1)
        return calendar.add_working_days(day, rule.count)
    if rule.unit == CALENDAR_DAY:
        return day + dt.timedelta(days=rule.count + extension_days)
    months = rule.count * (12 if rule.unit == YEAR else 1)
    return add_months(day, months) + dt.timedelta(days=extension_days)


def due(
    rule: DeadlineRule,
    start: dt.date | dt.datetime,
    calendar: WorkingCalendar,
    pauses: Iterable[PauseLike] = (),
    extension_days: int = 0,
) -> Due:
    """The last day of `rule`'s period started by `start` (the start day not counted).

    Pauses whose reason is in `rule.pause_reasons` move a calendar-day deadline by their
    calendar days (an open pause stops the clock: `Due(None, paused=True)`); others are
    ignored. `extension_days` is an approved extension, at most `rule.max_extension_days`.
    A period that needs a year the calendar lacks is flagged (`on=None`), never guessed.
    """
    if extension_days and rule.max_extension_days is not None:
        if extension_days > rule.max_extension_days:
            raise ValueError(f"{rule.id}: extension over {rule.max_extension_days} days")
    counted = [p for p in pauses if p.reason in rule.pause_reasons]
    try:
        raw = _raw(rule, start, calendar, extension_days)
        if rule.unit == HOUR:
            return Due(raw, rule, raw=raw)
        day0 = local_day(start)
        if any(p.ended_on is None and p.started_on <= raw for p in counted):
            return Due(None, rule, paused=True, reason_zh=PAUSED_ZH, reason_en=PAUSED_EN)
        moved = _extend_by_pauses(day0, raw, counted) if counted else raw
        on = calendar.roll_forward(moved) if rule.roll_forward else moved
        return Due(on, rule, raw=raw, paused_days=(moved - raw).days)
    except CalendarNotLoaded as missing:
        return Due(None, rule, flagged=True, reason_zh=missing.zh, reason_en=missing.en)


PAUSED_ZH = "期限计算已中止 (听证、检测、中止调查或公告期间)，中止结束后继续计算。"
PAUSED_EN = "The clock is paused (hearing, testing, suspension or public notice); it resumes when the pause ends."


# ----------------------------------------------------------------------------- sectors


@dataclass(frozen=True)
class SectorProfile:
    """The numbers the sector procedure rules set differently. `None` = the sector rule
    sets no number (the law says only 及时, "promptly"); `verified` is False where the
    sector's own figures have not been checked against its text and the law's floor is
    used instead."""

    code: str
    name_zh: str
    name_en: str
    procedure_rule: str
    lead_check_days: int | None
    lead_check_unit: str
    lead_check_extension_days: int | None
    lead_check_article: str
    statement_days: int
    statement_article: str
    legal_review_days: int | None
    legal_review_article: str
    decision_days: int
    first_extension_days: int  # with the head's approval; 0 = none
    second_extension: bool  # a further extension by collective discussion
    second_extension_max_days: int | None  # None: the discussion sets a reasonable period
    decision_article: str
    excluded_pauses: frozenset[str]
    fifteen_days_are_working_days: bool  # 住建 第四十五条
    verified: bool = True
    note_zh: str = ""
    note_en: str = ""

    def lead_check_rule(self) -> DeadlineRule | None:
        if self.lead_check_days is None:
            return None
        return replace(
            RULES["lead_check"],
            count=self.lead_check_days,
            unit=self.lead_check_unit,
            article=self.lead_check_article,
            max_extension_days=self.lead_check_extension_days or 0,
        )

    def lead_check_extended_rule(self) -> DeadlineRule | None:
        """The lead-check period once the head approved its extension (working days)."""
        base = self.lead_check_rule()
        if base is None or not self.lead_check_extension_days:
            return base
        return replace(
            base, count=base.count + self.lead_check_extension_days, max_extension_days=0
        )

    def legal_review_rule(self) -> DeadlineRule | None:
        """The sector's review turnaround from the day the case reached review."""
        if self.legal_review_days is None:
            return None
        return replace(
            RULES["legal_review"], count=self.legal_review_days, article=self.legal_review_article
        )

    def statement_rule(self) -> DeadlineRule:
        return replace(
            RULES["statement"], count=self.statement_days, article=self.statement_article
        )

    def decision_rule(self) -> DeadlineRule:
        """90 days from filing; the profile's pauses do not count; extensions per profile."""
        first = self.first_extension_days
        cap: int | None = first
        if self.second_extension:
            cap = (
                None
                if self.second_extension_max_days is None
                else first + self.second_extension_max_days
            )
        return replace(
            RULES["decision"],
            count=self.decision_days,
            article=self.decision_article,
            pause_reasons=self.excluded_pauses,
            max_extension_days=cap,
        )


_FLOOR_NOTE_ZH = "本行业程序规定的相应数字尚未核实，暂按《行政处罚法》的底线执行 (期限不延长、不扣除中止时间)；核实行业规章后再调整。"
_FLOOR_NOTE_EN = "This sector's procedure rule has not been checked for these figures; the penalty law's floor applies (no extension, no paused time) until it is."
_STATEMENT_FLOOR = (
    f"{PZ}第四十四条、第四十五条 (法律未定天数，与听证申请同为五个工作日: 第六十四条、第八十五条)"
)

PROFILES: tuple[SectorProfile, ...] = (
    SectorProfile(
        code="urban_management",
        name_zh="城市管理 (默认，适用法律底线)",
        name_en="Urban management (default: the law's floor)",
        procedure_rule=f"{PZ}",
        lead_check_days=None,
        lead_check_unit=WORKING_DAY,
        lead_check_extension_days=None,
        lead_check_article=f"{PZ}第五十四条第二款 (及时立案，未定天数)",
        statement_days=5,
        statement_article=_STATEMENT_FLOOR,
        legal_review_days=None,
        legal_review_article=f"{PZ}第五十八条",
        decision_days=90,
        first_extension_days=0,
        second_extension=False,
        second_extension_max_days=None,
        decision_article=f"{PZ}第六十条",
        excluded_pauses=frozenset(),
        fifteen_days_are_working_days=False,
        verified=False,
        note_zh=_FLOOR_NOTE_ZH,
        note_en=_FLOOR_NOTE_EN,
    ),
    SectorProfile(
        code="market_regulation",
        name_zh="市场监管",
        name_en="Market regulation",
        procedure_rule="《市场监督管理行政处罚程序规定》(总局令第2号，2021、2022年修订)",
        lead_check_days=15,
        lead_check_unit=WORKING_DAY,
        lead_check_extension_days=15,
        lead_check_article="《市场监督管理行政处罚程序规定》第十八条",
        statement_days=5,
        statement_article="《市场监督管理行政处罚程序规定》第五十七条",
        legal_review_days=10,
        legal_review_article="《市场监督管理行政处罚程序规定》第五十五条",
        decision_days=90,
        first_extension_days=30,
        second_extension=True,
        second_extension_max_days=None,
        decision_article="《市场监督管理行政处罚程序规定》第六十四条",
        excluded_pauses=frozenset({SUSPENSION, HEARING, NOTICE, TESTING}),
        fifteen_days_are_working_days=False,
    ),
    SectorProfile(
        code="housing",
        name_zh="住房和城乡建设",
        name_en="Housing and urban-rural development",
        procedure_rule="《住房和城乡建设行政处罚程序规定》(住建部令第55号，2022-05-01施行)",
        lead_check_days=15,
        lead_check_unit=WORKING_DAY,
        lead_check_extension_days=10,
        lead_check_article="《住房和城乡建设行政处罚程序规定》第十五条、第四十五条",
        statement_days=5,
        statement_article="《住房和城乡建设行政处罚程序规定》第二十二条、第四十五条",
        legal_review_days=10,
        legal_review_article="《住房和城乡建设行政处罚程序规定》第二十五条",
        decision_days=90,
        first_extension_days=30,
        second_extension=True,
        second_extension_max_days=60,
        decision_article="《住房和城乡建设行政处罚程序规定》第二十九条",
        excluded_pauses=frozenset({HEARING, TESTING}),
        fifteen_days_are_working_days=True,
    ),
    SectorProfile(
        code="transport",
        name_zh="交通运输",
        name_en="Transport",
        procedure_rule="《交通运输行政执法程序规定》(2019，2021年修订)",
        lead_check_days=None,
        lead_check_unit=WORKING_DAY,
        lead_check_extension_days=None,
        lead_check_article="《交通运输行政执法程序规定》第六十二条 (及时决定是否立案)",
        statement_days=5,
        statement_article=_STATEMENT_FLOOR,
        legal_review_days=None,
        legal_review_article=f"{PZ}第五十八条",
        decision_days=90,
        first_extension_days=30,
        second_extension=False,
        second_extension_max_days=None,
        decision_article="《交通运输行政执法程序规定》第七十八条",
        excluded_pauses=frozenset(),
        fifteen_days_are_working_days=False,
    ),
    SectorProfile(
        code="agriculture",
        name_zh="农业农村",
        name_en="Agriculture and rural affairs",
        procedure_rule="《农业行政处罚程序规定》",
        lead_check_days=None,
        lead_check_unit=WORKING_DAY,
        lead_check_extension_days=None,
        lead_check_article=f"{PZ}第五十四条第二款 (及时立案)",
        statement_days=5,
        statement_article=_STATEMENT_FLOOR,
        legal_review_days=None,
        legal_review_article=f"{PZ}第五十八条",
        decision_days=90,
        first_extension_days=0,
        second_extension=False,
        second_extension_max_days=None,
        decision_article=f"{PZ}第六十条",
        excluded_pauses=frozenset(),
        fifteen_days_are_working_days=False,
        verified=False,
        note_zh=_FLOOR_NOTE_ZH,
        note_en=_FLOOR_NOTE_EN,
    ),
)
PROFILE_BY_CODE = {p.code: p for p in PROFILES}
DEFAULT_SECTOR = "urban_management"


def profile(code: str | None) -> SectorProfile:
    """The sector's profile; an empty or unknown code gets the law's floor (urban management)."""
    return PROFILE_BY_CODE.get(code or DEFAULT_SECTOR, PROFILE_BY_CODE[DEFAULT_SECTOR])


def decision_due(
    sector: SectorProfile,
    filed_on: dt.date,
    calendar: WorkingCalendar,
    pauses: Iterable[PauseLike] = (),
    extension_days: Iterable[int] = (),
) -> Due:
    """处罚法 第六十条 and the sector's rule: 90 days from filing, plus the approved
    extensions, plus the paused days the sector excludes (worked example: filed
    2026-09-24 → 2026-12-23). Check each extension first with
    `law_limits.decision_extension_refused`."""
    return due(sector.decision_rule(), filed_on, calendar, pauses, sum(extension_days))
