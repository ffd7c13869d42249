"""What the one door tells the systems outside (gateway/contracts.py): a clue received,
and how it was answered — accepted, returned (退办, with the reason: not ours), a step
of progress (transferred, designated, turned into a case …), the result. The 12345
hotline reads these for the work orders it dispatched.

`sequence` is the clue's step count after the step; the event id is derived from the
clue and that count, so the same step published twice is one delivery per connector.
Only the receipt code, the sender's own number and the public wording of an outcome
travel — never the complainant (the hotline has its reporter already).
"""

from __future__ import annotations

import uuid

from yimen.gateway import contracts as c
from yimen.platform.intake import rules
from yimen.platform.intake.model import Clue
from yimen.platform.kernel.db import utcnow

_NAMESPACE = uuid.UUID("0b7c64f0-93a1-4f5e-8a56-1c2d9e3f4a70")
PROGRESS_STEPS = frozenset(
    {
        "transferred",
        "submitted",
        "designated",
        "merged",
        "reopened",
        "case_drafted",
        "case_filed",
        "case_decided",
    }
)


def received(clue: Clue, agency_code: str) -> c.ClueReceived:
    return c.ClueReceived(
        **_common(clue, agency_code, c.ClueReceived),
        received_at=clue.received_at or utcnow(),
        matter_code=clue.matter_code or "",
    )


def answered(clue: Clue, step: str, agency_code: str, reason: str) -> c.ClueAnswered | None:
    """The answer a step gives, or None for a step the outside does not follow."""
    closed = clue.status == rules.Status.CLOSED.value
    if closed and clue.outcome == "not_our_jurisdiction":
        answer, note = "returned", reason
    elif closed:
        answer, note = "result", rules.OUTCOMES.get(clue.outcome or "", ("", ""))[0]
    elif step == "accepted":
        answer, note = "accepted", ""
    elif step in PROGRESS_STEPS:
        answer, note = "progress", rules.OUTCOMES.get(clue.outcome or "", ("", ""))[0]
    else:
        return None
    return c.ClueAnswered(
        **_common(clue, agency_code, c.ClueAnswered), answer=answer, note=note, at=utcnow()
    )


def _common(clue: Clue, agency_code: str, kind: type[c.IntegrationEvent]) -> dict:
    sequence = len(clue.steps)
    return dict(
        aggregate_id=clue.id,
        sequence=sequence,
        agency_code=agency_code,
        occurred_at=utcnow(),
        event_id=uuid.uuid5(_NAMESPACE, f"clue:{clue.id}:{sequence}:{kind.TYPE}"),
        receipt_code=clue.receipt_code,
        source=clue.source,
        source_ref=clue.source_ref or "",
    )
