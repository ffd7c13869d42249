"""Is a pulled case one of the district's own? Pure rules, no framework.

- **Exact**: the party's unified social credit code and the decision's document number
  (决定书文号, compared without spaces and with 〔〕, ［］, [] and () read alike) both
  agree: the same decision, linked automatically.
- **Fuzzy**: the party's name is close (similarity at least `NAME_SIMILARITY`), the
  matter is the same and the decision dates are at most `DAYS_APART` apart: proposed to
  a person, who confirms or rejects it. A case a person rejected is never proposed again
  for that pulled case.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
import uuid
from dataclasses import dataclass

NAME_SIMILARITY = 0.85
DAYS_APART = 7
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "［": "[", "］": "]", "(": "[", ")": "]"})
_SPACE = re.compile(r"\s+")
_ANNOTATION = re.compile(r"\[[^\]]*\]")  # "(个体工商户)", "(分店)" after folding


@dataclass(frozen=True)
class Candidate:
    """One of the district's cases, as the rules compare it."""

    case_id: uuid.UUID
    party_names: tuple[str, ...]
    credit_codes: tuple[str, ...]
    decision_number: str
    matter_code: str
    decided_on: dt.date | None


@dataclass(frozen=True)
class Pulled:
    party_name: str
    credit_code: str
    decision_number: str
    matter_code: str
    decision_date: dt.date | None


@dataclass(frozen=True)
class Verdict:
    state: str  # "linked" | "proposed" | "unmatched"
    case_id: uuid.UUID | None = None
    reason: str = ""


NO_MATCH = Verdict("unmatched")


def _folded(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_BRACKETS)


def document_number(text: str) -> str:
    """A 文号 as compared: full-width folded (NFKC), no spaces, brackets read alike."""
    return _folded(text).upper()


def name_similarity(a: str, b: str) -> float:
    """0..1; full-width folded, spaces and bracketed annotations left out."""
    a, b = (_ANNOTATION.sub("", _folded(x)) for x in (a, b))
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def exact(pulled: Pulled, candidate: Candidate) -> bool:
    number = document_number(pulled.decision_number)
    return (
        bool(pulled.credit_code and number)
        and pulled.credit_code.upper() in {c.upper() for c in candidate.credit_codes}
        and number == document_number(candidate.decision_number)
    )


def likeness(pulled: Pulled, candidate: Candidate) -> tuple[float, str] | None:
    """How alike (the name's similarity) and why, or None when not alike enough."""
    if not pulled.matter_code or pulled.matter_code != candidate.matter_code:
        return None
    if pulled.decision_date is None or candidate.decided_on is None:
        return None
    apart = abs((pulled.decision_date - candidate.decided_on).days)
    if apart > DAYS_APART:
        return None
    score = max((name_similarity(pulled.party_name, n) for n in candidate.party_names), default=0)
    if score < NAME_SIMILARITY:
        return None
    return score, f"当事人相似度 {score:.2f}，事项相同，决定日期相差 {apart} 天"


def match(
    pulled: Pulled, candidates: list[Candidate], rejected: frozenset[uuid.UUID] = frozenset()
) -> Verdict:
    """Linked to the exact match; else the likeliest fuzzy one proposed; else none."""
    for candidate in candidates:
        if exact(pulled, candidate):
            return Verdict("linked", candidate.case_id, "统一社会信用代码与决定书文号一致")
    alike = [
        (found, candidate)
        for candidate in candidates
        if candidate.case_id not in rejected and (found := likeness(pulled, candidate))
    ]
    if not alike:
        return NO_MATCH
    (score, reason), best = max(alike, key=lambda pair: pair[0][0])
    return Verdict("proposed", best.case_id, reason)
