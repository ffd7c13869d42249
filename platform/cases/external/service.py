"""Use cases of pulled cases: a pass over a vertical system, a person's decision on a
proposed match, and the district's onward setting.

`pull_pass` is what the periodic job runs for one district and one connector (the
composition root hands it the connector: features never import one). It reads the
window the connector plans, page by page, and stores each page in its own transaction
together with the cursor after it — so a pass cut short by an outage resumes from that
cursor on the next run, and nothing stored is stored twice: a pulled case is one row per
(district, connector, upstream id), changed only when the upstream's `updated_at` is
newer than the one kept. Nothing here writes to the outbox: what was pulled is never
sent back, nor anywhere else unless the district turns `onward` on (the flag only, for
now: disclosure and credit read it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from yimen.gateway.ports import (
    ConnectorError,
    PullConnector,
    PulledCase,
    PulledPage,
    PullRequest,
    PullWindow,
)
from yimen.platform.cases.external import matching
from yimen.platform.cases.external.model import ExternalCase, ExternalSource, MatchState
from yimen.platform.cases.record.model import Case, CaseParty
from yimen.platform.cases.record.typed import CaseDecision
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.db.agency_scope import all_agencies
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import Conflict, NotFound, Refused
from yimen.platform.kernel.identity import Identity
from yimen.platform.kernel.uow import UnitOfWork

MAX_REPEATS = 3  # the same cursor answered this often in a row: the upstream is stuck
CANDIDATES = 50


@dataclass
class PassReport:
    """What one run did (no personal data: counts, the window, the error's text)."""

    connector: str
    full: bool = False
    finished: bool = False
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    error: str = ""
    window: tuple[str | None, str] = ("", "")


# --- the pass ------------------------------------------------------------------------


def pull_pass(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    connector: PullConnector,
    endpoint: str,
    credentials: Mapping[str, str],
    now: dt.datetime | None = None,
    max_pages: int = 10_000,
) -> PassReport:
    """One run of the pull for one district: the pass under way goes on from its cursor,
    or a new one starts in the window the connector plans. Stops at the window's end (the
    watermark moves to its `until`) or at the first failure (the cursor stays; the error
    is kept on the source and in the report, and the next run resumes)."""
    now = now or utcnow()
    report = PassReport(connector=connector.name)
    try:
        request = _begin(uow, tenant_id, connector, endpoint, credentials, now)
    except (IntegrityError, StaleDataError):
        report.error = "another pull of this district ran at the same time"
        return report
    report.full, report.window = request.window.full, _shown(request)
    repeats = 0
    while report.pages < max_pages:
        try:
            page = connector.fetch(request)
        except ConnectorError as exc:
            report.error = str(exc)[:300]
            _note_error(uow, tenant_id, connector.name, report.error)
            return report
        report.pages += 1
        repeats = repeats + 1 if page.next_cursor and page.next_cursor == request.cursor else 0
        try:
            _store_page(uow, tenant_id, connector.name, page, report)
        except (IntegrityError, StaleDataError):
            # another run of the same district stored these first: the cursor stays where
            # it was, and the next run reads the page again (kept once, by upstream id)
            report.error = "another pull of this district ran at the same time"
            return report
        if page.next_cursor is None:
            report.finished = True
            return report
        if repeats >= MAX_REPEATS:
            report.error = "the upstream answered the same cursor again and again"
            _note_error(uow, tenant_id, connector.name, report.error)
            return report
        request = PullRequest(request.window, page.next_cursor, endpoint, dict(credentials))
    return report


def _begin(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    connector: PullConnector,
    endpoint: str,
    credentials: Mapping[str, str],
    now: dt.datetime,
) -> PullRequest:
    """The pass under way, from its cursor, or a new one in the window planned now."""
    with uow.for_tenant(tenant_id) as tx:
        source = _source(tx.session, connector.name)
        if source.pass_until is None:
            window = connector.plan(source.watermark, source.last_full_pass_at, now)
            source.pass_since, source.pass_until = window.since, window.until
            source.pass_full, source.cursor = window.full, None
        source.last_run_at = now
        tx.commit()
        return PullRequest(_window(source), source.cursor, endpoint, dict(credentials))


def _store_page(
    uow: UnitOfWork, tenant_id: uuid.UUID, connector: str, page: PulledPage, report: PassReport
) -> None:
    """The page's cases and the cursor after it, in one transaction."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with uow.for_tenant(tenant_id) as tx:
        source = _source(tx.session, connector)
        known = PageCache.of(tx.session, connector, page)
        for pulled in page.cases:
            outcome = record_pulled(tx.session, connector, pulled, source.pass_full, known)
            counts[outcome] += 1
        source.cursor, source.last_error = page.next_cursor, ""
        if page.next_cursor is None:
            _finish(source)
        tx.commit()
    for outcome, count in counts.items():
        setattr(report, outcome, getattr(report, outcome) + count)
    report.refused += page.refused


def _source(session: Session, connector: str) -> ExternalSource:
    source = session.execute(
        select(ExternalSource).where(ExternalSource.connector == connector)
    ).scalar_one_or_none()
    if source is None:
        source = ExternalSource(connector=connector)
        session.add(source)
        session.flush()
    return source


def _window(source: ExternalSource) -> PullWindow:
    assert source.pass_until is not None
    return PullWindow(since=source.pass_since, until=source.pass_until, full=source.pass_full)


def _shown(request: PullRequest) -> tuple[str | None, str]:
    since = request.window.since
    return (since.isoformat() if since else None, request.window.until.isoformat())


def _finish(source: ExternalSource) -> None:
    assert source.pass_until is not None
    if source.pass_full:
        source.last_full_pass_at = source.pass_until
    source.watermark = max(filter(None, (source.watermark, source.pass_until)))
    source.pass_since = source.pass_until = source.cursor = None
    source.pass_full = False


def _note_error(uow: UnitOfWork, tenant_id: uuid.UUID, connector: str, error: str) -> None:
    with uow.for_tenant(tenant_id) as tx:
        _source(tx.session, connector).last_error = error
        tx.commit()


# --- one pulled case -----------------------------------------------------------------


@dataclass
class PageCache:
    """What one page's cases share: our rows of them (read in one statement), the
    district's agencies by code and the candidates already read."""

    rows: dict[str, ExternalCase | None] = dataclasses.field(default_factory=dict)
    agencies: dict[str, uuid.UUID | None] = dataclasses.field(default_factory=dict)
    candidates: dict[uuid.UUID, matching.Candidate] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, session: Session, connector: str, page: PulledPage) -> PageCache:
        ids = {c.upstream_id for c in page.cases}
        found = session.execute(
            select(ExternalCase).where(
                ExternalCase.connector == connector, ExternalCase.upstream_id.in_(ids)
            )
        ).scalars()
        return cls(rows={**dict.fromkeys(ids), **{r.upstream_id: r for r in found}})


def record_pulled(
    session: Session,
    connector: str,
    pulled: PulledCase,
    rematch: bool = False,
    known: PageCache | None = None,
) -> str:
    """Store one pulled case: "created", "updated" (the upstream's copy is newer than
    ours) or "unchanged" (read again, e.g. by an overlapping window or a repeated page).
    With `rematch` (the nightly full pass) an unchanged case that matched nothing is
    matched again: the district may have entered its own copy since. Flushes only (with
    a page's `known` rows, not even that: the page's transaction writes them together)."""
    alone, known = known is None, known if known is not None else PageCache()
    if pulled.upstream_id in known.rows:
        row = known.rows[pulled.upstream_id]
    else:
        row = session.execute(
            select(ExternalCase).where(
                ExternalCase.connector == connector, ExternalCase.upstream_id == pulled.upstream_id
            )
        ).scalar_one_or_none()
    if row is not None and row.upstream_updated_at >= pulled.updated_at:
        if rematch and row.match_state == MatchState.UNMATCHED.value:
            with session.no_autoflush:
                _match(session, row, known)
        return "unchanged"
    outcome = "updated" if row is not None else "created"
    if row is None:
        row = ExternalCase(connector=connector, upstream_id=pulled.upstream_id)
    with session.no_autoflush:  # the row is complete before it is written
        _copy(session, row, pulled, known)
        if row.match_state not in (MatchState.LINKED.value, MatchState.CONFIRMED.value):
            _match(session, row, known)
    session.add(row)
    if alone:  # a page's rows are written together when its transaction commits
        session.flush()
    known.rows[pulled.upstream_id] = row
    return outcome


def _copy(session: Session, row: ExternalCase, pulled: PulledCase, known: PageCache) -> None:
    row.agency_code = pulled.agency_code
    row.agency_id = _agency(session, pulled.agency_code, known)
    row.party_kind, row.party_name = pulled.party_kind, pulled.party_name
    row.credit_code = pulled.credit_code
    row.matter_code, row.matter_name = pulled.matter_code, pulled.matter_name
    row.decision_number, row.decision_date = pulled.decision_number, pulled.decision_date
    row.fine_fen, row.status = pulled.fine_fen, pulled.status
    row.upstream_updated_at = pulled.updated_at
    row.last_changed_at = utcnow()


def _agency(session: Session, code: str, known: PageCache) -> uuid.UUID | None:
    """The district's agency by its code, or by its credit code (which a ministry's
    system is likelier to know)."""
    if not code:
        return None
    if code not in known.agencies:
        known.agencies[code] = session.execute(
            select(Agency.id).where(or_(Agency.code == code, Agency.credit_code == code))
        ).scalar_one_or_none()
    return known.agencies[code]


def _match(session: Session, row: ExternalCase, known: PageCache | None = None) -> None:
    pulled = matching.Pulled(
        row.party_name, row.credit_code, row.decision_number, row.matter_code, row.decision_date
    )
    rejected = frozenset(uuid.UUID(c) for c in row.rejected_case_ids or ())
    candidates = _candidates(session, row, known or PageCache())
    verdict = matching.match(pulled, candidates, rejected)
    row.match_state, row.case_id, row.match_reason = verdict.state, verdict.case_id, verdict.reason
    row.matched_by, row.matched_at = "", (utcnow() if verdict.case_id else None)


def _candidates(session: Session, row: ExternalCase, known: PageCache) -> list[matching.Candidate]:
    """The district's cases that could be this one: a party with its credit code, or a
    decision on the same matter within the fuzzy rule's days (any agency: the rules
    decide; what is read is never shown as a record)."""
    ids: set[uuid.UUID] = set()
    with all_agencies():
        if row.credit_code:
            ids |= set(
                session.execute(
                    select(CaseParty.case_id)
                    .where(CaseParty.credit_code == row.credit_code)
                    .limit(CANDIDATES)
                ).scalars()
            )
        if row.decision_date and row.matter_code:
            days = dt.timedelta(days=matching.DAYS_APART)
            ids |= set(
                session.execute(
                    select(Case.id)
                    .where(
                        Case.matter_code == row.matter_code,
                        Case.decided_on.between(row.decision_date - days, row.decision_date + days),
                    )
                    .limit(CANDIDATES)
                ).scalars()
            )
        missing = ids - set(known.candidates)
        if missing:
            known.candidates.update(_read_candidates(session, missing))
    return [known.candidates[i] for i in ids if i in known.candidates]


def _read_candidates(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, matching.Candidate]:
    """The columns the rules compare, in three statements (not the whole case file)."""
    parties: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for case_id, name, code in session.execute(
        select(CaseParty.case_id, CaseParty.name, CaseParty.credit_code).where(
            CaseParty.case_id.in_(ids)
        )
    ):
        parties.setdefault(case_id, []).append((name, code))
    numbers = {
        case_id: number
        for case_id, number in session.execute(
            select(CaseDecision.case_id, CaseDecision.number).where(CaseDecision.case_id.in_(ids))
        )
    }
    return {
        case_id: matching.Candidate(
            case_id=case_id,
            party_names=tuple(name for name, _ in parties.get(case_id, ())),
            credit_codes=tuple(code for _, code in parties.get(case_id, ()) if code),
            decision_number=numbers.get(case_id) or "",
            matter_code=matter or "",
            decided_on=decided_on,
        )
        for case_id, matter, decided_on in session.execute(
            select(Case.id, Case.matter_code, Case.decided_on).where(Case.id.in_(ids))
        )
    }


# --- a person's decision on a proposal ----------------------------------------------------


@dataclass(frozen=True)
class DecideProposal:
    """Confirm (the same case) or reject (not the same) a proposed match. `case_id` is
    the case the caller saw proposed: if the proposal changed since, nothing is done."""

    external_case_id: uuid.UUID
    case_id: uuid.UUID
    confirm: bool


def decide_proposal(uow: UnitOfWork, caller: Identity, command: DecideProposal) -> ExternalCase:
    """The owning agency's officer or head decides; the district-wide readers only read
    (their scope reaches no pulled case for this action)."""
    with uow.for_tenant(caller.tenant_id) as tx:
        row = tx.session.get(ExternalCase, command.external_case_id)
        if row is None:
            raise NotFound("not-found", "没有这条外部案件。", "No such external case.")
        if row.match_state != MatchState.PROPOSED.value:
            raise Refused(
                "no-proposal",
                "这条外部案件没有待确认的匹配。",
                "This external case has no match awaiting a decision.",
            )
        if row.case_id != command.case_id:
            raise Conflict(
                "proposal-changed",
                "匹配建议已变化，请刷新后重试。",
                "The proposed match changed; read it again.",
            )
        if command.confirm:
            row.match_state = MatchState.CONFIRMED.value
        else:
            row.rejected_case_ids = [*(row.rejected_case_ids or []), str(row.case_id)]
            row.match_state, row.case_id = MatchState.REJECTED.value, None
        row.matched_by, row.matched_at = caller.username, utcnow()
        tx.commit()
        return row


# --- the district's setting ------------------------------------------------------------------


@dataclass(frozen=True)
class SetOnward:
    connector: str
    onward: bool  # pulled cases also go on to disclosure and credit


def set_onward(uow: UnitOfWork, caller: Identity, command: SetOnward) -> ExternalSource:
    with uow.for_tenant(caller.tenant_id) as tx:
        source = _source(tx.session, command.connector)
        source.onward, source.updated_by = command.onward, caller.username
        tx.commit()
        return source


def sources(session: Session) -> list[ExternalSource]:
    return list(
        session.execute(select(ExternalSource).order_by(ExternalSource.connector)).scalars()
    )
