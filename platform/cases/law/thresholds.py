"""The district's hearing thresholds: seeded with defaults, read for `hearing_right`,
replaced whole by the district administrator."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yimen.platform.cases.law.limits import CONFISCATION, FINE, ORGANISATION, PERSON, Thresholds
from yimen.platform.cases.law.model import HearingThreshold
from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.errors import FieldProblem, Invalid

SHANGHAI_SOURCE = (
    "《上海市行政处罚听证程序规定》(沪府令77号, 2023) 第四条、第三十一条 (默认值，请按本省标准核实)"
)
# Shanghai's thresholds (沪府令77号 第四条): a person ¥5,000, an organisation ¥50,000, counted
# separately for fines and for confiscated gains or property. A default only: the demo
# districts are in Jiangsu, whose own standard has not been checked here.
DEFAULTS: dict[tuple[str, str], int] = {
    (PERSON, FINE): 5_000_00,
    (PERSON, CONFISCATION): 5_000_00,
    (ORGANISATION, FINE): 50_000_00,
    (ORGANISATION, CONFISCATION): 50_000_00,
}
KEYS = tuple(DEFAULTS)


def seed_hearing_thresholds(session: Session, actor: str = "system") -> bool:
    """Give the current district the Shanghai-like defaults unless it has thresholds
    already (idempotent; the demo seed calls it inside `tenant_scope`). Flushes only."""
    if session.execute(select(HearingThreshold.id).limit(1)).first() is not None:
        return False
    session.add_all(
        HearingThreshold(
            party_kind=p, kind=k, amount_fen=fen, source=SHANGHAI_SOURCE, updated_by=actor
        )
        for (p, k), fen in DEFAULTS.items()
    )
    session.flush()
    return True


def list_thresholds(session: Session) -> list[HearingThreshold]:
    rows = session.execute(select(HearingThreshold)).scalars().all()
    return sorted(rows, key=lambda t: KEYS.index((t.party_kind, t.kind)))


def thresholds_of(session: Session) -> Thresholds:
    """For `law_limits.hearing_right`; a key the district has not set is absent (and the
    hearing right is then given, never guessed away)."""
    return {(t.party_kind, t.kind): t.amount_fen for t in list_thresholds(session)}


def replace_thresholds(session: Session, items: list[dict], actor: str) -> list[HearingThreshold]:
    """The whole table at once: one row for each of person/organisation × fine/confiscation.
    Commits; nothing is written when a row is missing or repeated."""
    seen: dict[tuple[str, str], dict] = {}
    errors: list[FieldProblem] = []
    for n, item in enumerate(items):
        key = (item["party_kind"], item["kind"])
        if key in seen:
            errors.append(
                FieldProblem(
                    f"items.{n}",
                    f"{key[0]}/{key[1]} 重复。",
                    f"{key[0]}/{key[1]} is given twice.",
                )
            )
        seen[key] = item
    errors += [
        FieldProblem("items", f"缺少 {p}/{k} 的标准。", f"The threshold for {p}/{k} is missing.")
        for p, k in KEYS
        if (p, k) not in seen
    ]
    if errors:
        raise Invalid(
            "invalid-thresholds",
            "较大数额标准须为个人、单位的罚款和没收各一条。",
            "Give exactly one threshold for each of person and organisation, fine and confiscation.",
            fields=errors,
        )
    session.execute(delete(HearingThreshold))
    now = utcnow()
    session.add_all(
        HearingThreshold(
            party_kind=p,
            kind=k,
            amount_fen=seen[(p, k)]["amount_fen"],
            source=seen[(p, k)].get("source", ""),
            updated_by=actor,
            updated_at=now,
        )
        for p, k in KEYS
    )
    session.commit()
    return list_thresholds(session)
