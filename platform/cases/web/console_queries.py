"""Read models of the officers' console for cases: the list, the stage timeline, the
current stage's documents, the record with its verification, and which of the actions
the law allows now the viewer's roles may take."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, undefer

from yimen.platform.cases import listing
from yimen.platform.cases import registry as actions
from yimen.platform.cases.documents.model import CaseDocument, DocumentStatus
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.log import CaseEvent
from yimen.platform.cases.record.model import Case, CaseStatus
from yimen.platform.kernel.directory import Officer, OfficerStatus

# Actions offered under "other actions" (folded), not in the stage's main flow.
SECONDARY = ("extend_deadline", "recuse_officer")
ROLE_NAMES = {
    "agency_head": ("部门负责人", "agency head"),
    "legal_reviewer": ("法制审核人员", "legal reviewer"),
}
# Documents an action other than add_record issues (the record form does not offer them).
ISSUED_BY_ACTIONS = frozenset({"听证笔录"})


def list_query(
    on: dt.date,
    status: str | None = None,
    stage: str | None = None,
    overdue_only: bool = False,
    search: str = "",
    dialect: str = "",
) -> Select:
    """The cases the viewer reaches (agency_scope: its agency's, the district's for
    district-wide readers), nearest deadline first, as the API lists them; `search`
    finds a case number or a party's name (listing.py: indexed on PostgreSQL, `dialect`)."""
    query = select(Case).options(*listing.CONSOLE_LIST).order_by(*listing.ORDER)
    if status:
        query = query.where(Case.status == status)
    if stage:
        query = query.where(Case.stage == stage)
    if overdue_only:
        query = query.where(listing.DEADLINE_KEY < on)
    if search := search.strip():
        query = listing.console_search(query, search, dialect)
    return query


def is_overdue(case: Case, on: dt.date) -> bool:
    return case.next_deadline is not None and case.next_deadline < on


def certified_officers(session: Session, agency_id: uuid.UUID) -> list[Officer]:
    """The agency's active officers holding an enforcement certificate (处罚法 第四十二条)."""
    return list(
        session.execute(
            select(Officer)
            .where(
                Officer.agency_id == agency_id,
                Officer.certificate_no.is_not(None),
                Officer.status == OfficerStatus.ACTIVE,
            )
            .order_by(Officer.username)
        ).scalars()
    )


def officer_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Officer.id, Officer.name).where(Officer.id.in_(ids))).all())


def names_by_username(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    rows = session.execute(
        select(Officer.username, Officer.name).where(Officer.username.in_(usernames))
    )
    return {username: name for username, name in rows}


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    state: str  # done | current | todo


def timeline(definition: dict, view: rules.CaseView) -> list[Step]:
    """The stages this case goes through (its pinned workflow's, where they apply), each
    done, current or still to come."""
    ids = rules.stage_ids(definition, view)
    if view.stage not in ids:  # a stage whose condition stopped holding: keep it visible
        full = [s["id"] for s in definition["stages"]]
        ids = [s for s in full if s in ids or s == view.stage]
    names = {s["id"]: s["name"] for s in definition["stages"]}
    finished = view.status in (CaseStatus.ARCHIVED.value, CaseStatus.NOT_FILED.value)
    position = ids.index(view.stage)
    steps = []
    for n, stage_id in enumerate(ids):
        if n > position and view.status == CaseStatus.NOT_FILED.value:
            break
        if n < position or (n == position and finished):
            state = "done"
        else:
            state = "current" if n == position else "todo"
        steps.append(Step(stage_id, names.get(stage_id, stage_id), state))
    return steps


def stage_documents(definition: dict, view: rules.CaseView) -> list[tuple[str, bool]]:
    """The current stage's required documents, each with whether it is issued."""
    stage = rules.stage_of(definition, view.stage)
    kinds = [d["kind"] for d in stage["documents"]]
    missing = set(rules.missing_documents(definition, view))
    shown = [k for k in kinds if k in view.documents or k in missing]
    shown += [k for k in missing if k not in shown]
    return [(k, k in view.documents) for k in shown]


def record_kinds(definition: dict, view: rules.CaseView) -> list[str]:
    """The records (笔录) of the current stage not made yet: what 制作笔录 offers."""
    stage = rules.stage_of(definition, view.stage)
    return [
        d["kind"]
        for d in stage["documents"]
        if d["kind"].endswith("笔录")
        and d["kind"] not in ISSUED_BY_ACTIONS
        and d["kind"] not in view.documents
    ]


@dataclass(frozen=True)
class Offer:
    """What the viewer may do now: the law's allowed actions split by who may take them."""

    mine: list[str]  # forms shown
    others: list[tuple[str, tuple[str, str]]]  # (action, the role that takes it)


def offer(allowed: list[str], roles: frozenset[str], may_handle: bool, records: list[str]) -> Offer:
    mine, others = [], []
    for name in allowed:
        if name == "add_record" and not records:
            continue
        needed = actions.ROLE.get(name, (None,))[0]
        if not may_handle:
            continue
        if needed and needed not in roles:
            others.append((name, ROLE_NAMES.get(needed, (needed, needed))))
        else:
            mine.append(name)
    return Offer(mine, others)


# What a stage still lacks (rules.check_complete's refusal) and the action that supplies it.
SUPPLIES = {
    "evidence-required": "add_evidence",
    "preservation-undecided": "decide_preserved_evidence",
    "measures-open": "lift_measure",
    "reexamination-required": "record_statement",
    "hearing-not-held": "record_hearing",
    "legal-review-not-passed": "legal_review",
    "execution-not-done": "record_payment",
}


def next_step(definition: dict, view: rules.CaseView, mine: list[str]) -> str | None:
    """The viewer's next lawful step, of the actions offered: leaving the stage when it is
    complete; else what the law's check of the stage says is missing first — the action
    that issues the first missing document (a 笔录 by 制作笔录), or what that action's
    guard waits for (the penalty before the notice, the payment before a demand), or
    supplies the missing fact; else the first action of the stage's flow (declaration order), never one of
    the SECONDARY ones."""
    if "advance" in mine:
        return "advance"
    try:
        rules.check_complete(definition, view)
    except rules.Refusal as refusal:
        if refusal.rule.startswith("documents:"):
            for kind in rules.missing_documents(definition, view):
                if (step := actions.issuing_step(kind, view, mine)) is not None:
                    return step
        elif SUPPLIES.get(refusal.rule) in mine:
            return SUPPLIES[refusal.rule]
    return next((a for a in mine if a not in SECONDARY), None)


def documents_of(session: Session, case_id: uuid.UUID) -> list[CaseDocument]:
    return list(
        session.execute(
            select(CaseDocument)
            .where(CaseDocument.case_id == case_id)
            .order_by(CaseDocument.issued_at, CaseDocument.id)
        ).scalars()
    )


def document_with_pdf(
    session: Session, case_id: uuid.UUID, doc_id: uuid.UUID
) -> CaseDocument | None:
    return session.execute(
        select(CaseDocument)
        .where(CaseDocument.id == doc_id, CaseDocument.case_id == case_id)
        .options(undefer(CaseDocument.pdf))
    ).scalar_one_or_none()


def events_of(session: Session, case_id: uuid.UUID) -> list[CaseEvent]:
    return list(
        session.execute(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        ).scalars()
    )


def open_measures(case: Case) -> list[dict]:
    return [m.as_dict() for m in case.open_measures()]


def evidence(session: Session, case: Case) -> list[dict]:
    """The evidence recorded in the case, each with its uploaded file where there is one
    (matched by SHA-256: the file is bound into the record by its hash)."""
    from yimen.platform.cases.evidence.files import of_case

    files = {f.sha256: f for f in session.execute(of_case(case.id)).scalars()}
    items = list(case.details.get("investigation", {}).get("evidence", []))
    return [{**item, "file": files.get(item.get("sha256") or "")} for item in items]


def issued(documents: list[CaseDocument]) -> list[CaseDocument]:
    return [d for d in documents if d.status == DocumentStatus.ISSUED.value]
