"""How one matter was punished across the district (同案同罚): the fines of decided cases,
their quartiles, per-agency counts and the outliers — a read model for supervision of
how the benchmark is applied (国办发〔2022〕27号 （十三）). Agencies are listed by how many
cases they decided, never ranked by fine amounts (27号 （六） forbids that).

Decided cases are cases filed and decided with a fine: status open, closed or archived,
`decided_on` and `fine_fen` set. Quartiles are computed in Python (portable across SQLite
and PostgreSQL) with the inclusive method (Excel's QUARTILE.INC). No party data leaves
this module: a case is named by its number and agency only.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.cases.record.model import Case, CaseStatus
from yimen.platform.kernel.directory import Agency
from yimen.tenants.powers.model import EnforcementMatter

DECIDED = (CaseStatus.OPEN.value, CaseStatus.CLOSED.value, CaseStatus.ARCHIVED.value)
FENCE = 1.5  # Tukey's fences: outside Q1 − 1.5·IQR … Q3 + 1.5·IQR
MIN_FOR_FENCES = 4  # fewer fines have no meaningful quartiles to fence with


@dataclass(frozen=True)
class Decided:
    number: str
    agency_id: uuid.UUID
    agency_code: str
    agency_name: str
    fine_fen: int
    decided_on: dt.date
    flagged: bool
    range_fen: tuple[int, int] | None  # the range assessed for the case, if recorded


@dataclass
class Distribution:
    matter_code: str
    matter_name: str
    penalty_basis: str
    statutory_min_yuan: float | None
    statutory_max_yuan: float | None
    decided: int = 0
    flagged: int = 0
    fines: dict | None = None  # min, q1, median, q3, max in yuan
    fences: dict | None = None  # low, high in yuan
    agencies: list[dict] = field(default_factory=list)
    outliers: list[dict] = field(default_factory=list)


def _yuan(fen: float | None) -> float | None:
    return None if fen is None else round(fen / 100, 2)


def quartiles(values: list[int]) -> tuple[float, float, float]:
    """(Q1, median, Q3) of `values` (inclusive method; one value is its own quartiles)."""
    if len(values) == 1:
        return float(values[0]), float(values[0]), float(values[0])
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def outlier_reasons(
    fine: int, fences: tuple[float, float] | None, benchmark: tuple[int, int] | None
) -> list[str]:
    """Why a fine stands out: beyond a fence (iqr_low / iqr_high) or outside the
    benchmark range that applied (outside_benchmark)."""
    reasons = []
    if fences is not None and fine < fences[0]:
        reasons.append("iqr_low")
    if fences is not None and fine > fences[1]:
        reasons.append("iqr_high")
    if benchmark is not None and not benchmark[0] <= fine <= benchmark[1]:
        reasons.append("outside_benchmark")
    return reasons


def matter_benchmark_span(matter: EnforcementMatter) -> tuple[int, int] | None:
    """The whole benchmark (lowest tier's minimum to highest tier's maximum) in fen,
    for a case whose own assessed range was not recorded."""
    if matter.benchmark:
        return (
            min(t["fine_min"] for t in matter.benchmark) * 100,
            max(t["fine_max"] for t in matter.benchmark) * 100,
        )
    if matter.fine_min is not None and matter.fine_max is not None:
        return matter.fine_min * 100, matter.fine_max * 100
    return None


def decided_cases(
    session: Session,
    matter_code: str,
    decided_from: dt.date | None = None,
    decided_to: dt.date | None = None,
) -> list[Decided]:
    query = (
        select(
            Case.number,
            Case.agency_id,
            Agency.code,
            Agency.name,
            Case.fine_fen,
            Case.decided_on,
            Case.flagged,
            Case.discretion,
        )
        .join(Agency, Agency.id == Case.agency_id)
        .where(
            Case.matter_code == matter_code,
            Case.status.in_(DECIDED),
            Case.decided_on.is_not(None),
            Case.fine_fen.is_not(None),
        )
        .order_by(Case.decided_on, Case.number)
    )
    if decided_from:
        query = query.where(Case.decided_on >= decided_from)
    if decided_to:
        query = query.where(Case.decided_on <= decided_to)
    return [
        Decided(
            number or "",
            agency_id,
            code,
            name,
            fine,
            decided_on,
            flagged,
            _assessed_range(discretion),
        )
        for number, agency_id, code, name, fine, decided_on, flagged, discretion in session.execute(
            query
        )
    ]


def _assessed_range(discretion: dict | None) -> tuple[int, int] | None:
    lo = (discretion or {}).get("fine_min_fen")
    hi = (discretion or {}).get("fine_max_fen")
    return (int(lo), int(hi)) if isinstance(lo, int) and isinstance(hi, int) else None


def distribution(matter: EnforcementMatter, cases: list[Decided]) -> Distribution:
    """The distribution of `cases`' fines under `matter` (see the module doc)."""
    result = Distribution(
        matter.code,
        matter.name,
        matter.legal_basis,
        None if matter.fine_min is None else float(matter.fine_min),
        None if matter.fine_max is None else float(matter.fine_max),
        decided=len(cases),
        flagged=sum(c.flagged for c in cases),
    )
    if not cases:
        return result
    fines = sorted(c.fine_fen for c in cases)
    q1, median, q3 = quartiles(fines)
    result.fines = {
        "min": _yuan(fines[0]),
        "q1": _yuan(q1),
        "median": _yuan(median),
        "q3": _yuan(q3),
        "max": _yuan(fines[-1]),
    }
    fences = None
    if len(fines) >= MIN_FOR_FENCES:
        iqr = q3 - q1
        fences = (q1 - FENCE * iqr, q3 + FENCE * iqr)
        result.fences = {"low": _yuan(fences[0]), "high": _yuan(fences[1])}
    span = matter_benchmark_span(matter)
    for c in cases:
        reasons = outlier_reasons(c.fine_fen, fences, c.range_fen or span)
        if reasons:
            result.outliers.append(
                {
                    "case_number": c.number,
                    "agency_id": c.agency_id,
                    "agency_code": c.agency_code,
                    "agency_name": c.agency_name,
                    "fine_yuan": _yuan(c.fine_fen),
                    "decided_on": c.decided_on,
                    "flagged": c.flagged,
                    "reasons": reasons,
                }
            )
    result.agencies = _per_agency(cases)
    return result


def _per_agency(cases: list[Decided]) -> list[dict]:
    by_agency: dict[uuid.UUID, list[Decided]] = {}
    for c in cases:
        by_agency.setdefault(c.agency_id, []).append(c)
    rows = [
        {
            "agency_id": agency_id,
            "agency_code": group[0].agency_code,
            "agency_name": group[0].agency_name,
            "count": len(group),
            "median_yuan": _yuan(statistics.median(c.fine_fen for c in group)),
            "flagged": sum(c.flagged for c in group),
        }
        for agency_id, group in by_agency.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["agency_code"]))
