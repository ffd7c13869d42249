"""What the case engine tells the systems outside (gateway/contracts.py), from the one
write path: filed (立案), a stage reached, decided with a penalty (处罚决定), the decision
revoked, closed (结案). Built in the act's transaction after the act's flush, so that
`sequence` is the case's version after the change (strictly increasing per case), and
the event id is derived from the case, the version and the type: the same act
published twice is one delivery row per connector.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.gateway import contracts as c
from yimen.gateway.delivery import routing
from yimen.platform.cases.record.model import Case, PartyKind
from yimen.platform.cases.service import today
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.db.agency_scope import all_agencies
from yimen.platform.kernel.directory import Agency, Officer, Tenant

PENALISING = ("decide", "decide_on_spot")
_NAMESPACE = uuid.UUID("5f0c1d52-6a43-4d7e-9f7a-2b4c1e9d8a10")


def publish_for(session: Session, case: Case, action: str, stage_before: str, result: dict) -> None:
    """The integration event of `action` on `case`, if it is one the outside reads."""
    session.flush()  # the case's version after this act
    if action == "decide_on_spot" and case.decision is not None:
        routing.publish(session, _filed_on_the_spot(session, case))
    event = _event(session, case, action, stage_before, result)
    if event is not None:
        routing.publish(session, event)


def _filed_on_the_spot(session: Session, case: Case) -> c.CaseFiled:
    """当场处罚 (处罚法 第五十一条) has no filing approval: an upstream system that keeps
    a record per case learns of the case and of its decision in the same act. The filing
    goes first — one below the decision's version, so the engine delivers it before."""
    common = _common(session, case, c.CaseFiled)
    common["sequence"] = max(case.version - 1, 1)
    common["event_id"] = uuid.uuid5(
        _NAMESPACE, f"case:{case.id}:{common['sequence']}:{c.CaseFiled.TYPE}"
    )
    return c.CaseFiled(**common, **_filing(session, case))


def _event(
    session: Session, case: Case, action: str, stage_before: str, result: dict
) -> c.IntegrationEvent | None:
    if action == "approve_filing":
        return c.CaseFiled(**_common(session, case, c.CaseFiled), **_filing(session, case))
    if action in PENALISING and case.decision is not None:
        return c.PenaltyDecided(**_common(session, case, c.PenaltyDecided), **_decision(case))
    if action == "conclude_challenge" and result.get("outcome") == "revoked":
        return c.DecisionRevoked(
            **_common(session, case, c.DecisionRevoked),
            document_number=(case.decision.number or "") if case.decision else "",
            revoked_on=today(),
            ground=str(result.get("kind", "")),
        )
    if action == "approve_closure":
        outcome = ((case.details or {}).get("outcome") or {}).get("kind", "penalty")
        return c.CaseClosed(
            **_common(session, case, c.CaseClosed),
            closed_on=case.closed_on or today(),
            outcome=str(outcome),
        )
    if case.stage != stage_before:
        return c.CaseStageChanged(
            **_common(session, case, c.CaseStageChanged), stage=case.stage, on=today()
        )
    return None


def _common(session: Session, case: Case, kind: type[c.IntegrationEvent]) -> dict:
    with all_agencies():  # the engine's own act: the lead agency, whoever acts
        agency = session.get(Agency, case.agency_id)
    tenant = session.get(Tenant, case.tenant_id)
    return dict(
        aggregate_id=case.id,
        sequence=case.version,
        agency_code=agency.code if agency else "",
        occurred_at=utcnow(),
        event_id=uuid.uuid5(_NAMESPACE, f"case:{case.id}:{case.version}:{kind.TYPE}"),
        case_number=case.number or "",
        matter_code=case.matter_code or "",
        district_code=tenant.division_code if tenant else "",
    )


def _filing(session: Session, case: Case) -> dict:
    officer_ids = [o.officer_id for o in case.officers if not o.recused]
    with all_agencies():
        certificates = list(
            session.execute(
                select(Officer.certificate_no).where(Officer.id.in_(officer_ids))
            ).scalars()
        )
    return dict(
        source="clue" if case.clue_id else "inspection",
        title=(case.details or {}).get("title") or case.matter_code or "",
        procedure=case.procedure,
        filed_on=case.filed_on or today(),
        officers_certificates=tuple(sorted(n for n in certificates if n)),
        major=case.major,
        criminal=bool((case.details or {}).get("criminal")),
        parties=tuple(
            c.Party(
                kind="person" if p.kind == PartyKind.PERSON.value else "organisation",
                name=p.name,
                id_type="resident_id" if p.id_number else "credit_code",
                id_number=p.id_number or p.credit_code,
                address=p.address,
            )
            for p in case.parties
        ),
    )


def _decision(case: Case) -> dict:
    decision = case.decision
    assert decision is not None
    discretion = case.discretion or {}
    return dict(
        document_number=decision.number or "",
        decided_on=decision.decided_on or case.decided_on or today(),
        kinds=tuple(decision.penalty_kinds or case.penalty_kinds or ()),
        fine_fen=decision.fine_fen or 0,
        confiscation_fen=decision.confiscation_fen or 0,
        benchmark_code=str(discretion.get("benchmark") or decision.benchmark_tier or ""),
        benchmark_version=str(discretion.get("version") or ""),
        publish_by=None,
    )
