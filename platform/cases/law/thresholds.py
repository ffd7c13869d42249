"""The district's hearing thresholds (较大数额, 处罚法 第六十三条第一款): set by each province
or ministry, never nationally. A new district is seeded with one province's figures, not
yet its own: until its administrator confirms the district's figures, citing the rule
that sets them (its name and number), the engine grants the hearing right from the
lowest threshold of the rules it knows — a hearing offered that was not owed costs
nothing, one owed and denied voids the decision (第六十三条). Replaced whole; the
replacement is the confirmation."""

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
# The provincial standards the platform knows, each with its rule: the lowest of them is
# the threshold applied while a district has not confirmed its own.
KNOWN_STANDARDS: tuple[tuple[str, dict[tuple[str, str], int]], ...] = (
    ("《上海市行政处罚听证程序规定》(上海市人民政府令第77号) 第四条", DEFAULTS),
    (
        "《广东省行政处罚听证程序实施办法》(广东省人民政府令第294号) 第七条",
        {
            (PERSON, FINE): 5_000_00,
            (PERSON, CONFISCATION): 5_000_00,
            (ORGANISATION, FINE): 100_000_00,
            (ORGANISATION, CONFISCATION): 100_000_00,
        },
    ),
)
LOWEST_KNOWN: dict[tuple[str, str], int] = {
    key: min(figures[key] for _, figures in KNOWN_STANDARDS) for key in KEYS
}


def seed_hearing_thresholds(session: Session, actor: str = "system") -> bool:
    """Give the current district the Shanghai-like defaults, unconfirmed, unless it has
    thresholds already (idempotent; the demo seed calls it inside `tenant_scope`).
    Flushes only."""
    if session.execute(select(HearingThreshold.id).limit(1)).first() is not None:
        return False
    session.add_all(
        HearingThreshold(
            party_kind=p,
            kind=k,
            amount_fen=fen,
            source=SHANGHAI_SOURCE,
            source_number="上海市人民政府令第77号",
            updated_by=actor,
        )
        for (p, k), fen in DEFAULTS.items()
    )
    session.flush()
    return True


def list_thresholds(session: Session) -> list[HearingThreshold]:
    rows = session.execute(select(HearingThreshold)).scalars().all()
    return sorted(rows, key=lambda t: KEYS.index((t.party_kind, t.kind)))


def described(session: Session) -> list[dict]:
    """The district's rows as its administrator reads them: each with whether it is
    confirmed and `in_force_fen`, the amount the engine applies."""
    rows = list_thresholds(session)
    applied = in_force(rows)
    return [
        {
            "party_kind": t.party_kind,
            "kind": t.kind,
            "amount_fen": t.amount_fen,
            "source": t.source,
            "source_number": t.source_number,
            "updated_by": t.updated_by,
            "updated_at": t.updated_at,
            "confirmed": t.confirmed_at is not None,
            "confirmed_by": t.confirmed_by,
            "confirmed_at": t.confirmed_at,
            "in_force_fen": applied.get((t.party_kind, t.kind), t.amount_fen),
        }
        for t in rows
    ]


def confirmed(rows: list[HearingThreshold]) -> bool:
    """The district's administrator confirmed its own figures (every row, with its source)."""
    return len(rows) == len(KEYS) and all(t.confirmed_at is not None for t in rows)


def in_force(rows: list[HearingThreshold]) -> Thresholds:
    """The thresholds the engine applies: the district's once confirmed; until then each
    no higher than the lowest known standard (the party's side, 第六十三条). A key the
    district has not set is absent (the hearing right is then given, never guessed away)."""
    own = {(t.party_kind, t.kind): t.amount_fen for t in rows}
    if confirmed(rows):
        return own
    return {key: min(amount, LOWEST_KNOWN.get(key, amount)) for key, amount in own.items()}


def thresholds_of(session: Session) -> tuple[Thresholds, bool]:
    """For `law_limits.hearing_right`: the thresholds in force and whether the district
    confirmed them."""
    rows = list_thresholds(session)
    return in_force(rows), confirmed(rows)


def replace_thresholds(
    session: Session, items: list[dict], actor: str, cited: dict | None = None
) -> list[HearingThreshold]:
    """The district administrator confirms the district's own table, whole: one row for
    each of person/organisation × fine/confiscation, each citing the rule that sets it —
    its name (`source`, in 《》) and number (`source_number`, the 文号); `cited` gives both
    for the rows that do not. Commits; nothing is written when a row is missing, repeated
    or uncited."""
    cited = cited or {}
    items = [
        {**item, **{k: item.get(k) or cited.get(k, "") for k in ("source", "source_number")}}
        for item in items
    ]
    seen: dict[tuple[str, str], dict] = {}
    errors: list[FieldProblem] = _uncited(items)
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
            "较大数额标准须为个人、单位的罚款和没收各一条，每条注明所依据的规定名称和文号。",
            "Give exactly one threshold for each of person and organisation, fine and confiscation, each citing its rule's name and number.",
            fields=errors,
        )
    session.execute(delete(HearingThreshold))
    now = utcnow()
    session.add_all(
        HearingThreshold(
            party_kind=p,
            kind=k,
            amount_fen=seen[(p, k)]["amount_fen"],
            source=seen[(p, k)]["source"],
            source_number=seen[(p, k)]["source_number"],
            updated_by=actor,
            updated_at=now,
            confirmed_by=actor,
            confirmed_at=now,
        )
        for p, k in KEYS
    )
    session.commit()
    return list_thresholds(session)


def _uncited(items: list[dict]) -> list[FieldProblem]:
    """Rows that do not name the provincial or ministerial rule: its name in 《》 and its
    number (文号, e.g. 粤府令第294号)."""
    found = []
    for n, item in enumerate(items):
        if "《" not in item["source"] or "》" not in item["source"]:
            found.append(
                FieldProblem(
                    f"items.{n}.source",
                    "请填写规定的名称 (含书名号)，如《广东省行政处罚听证程序实施办法》第七条。",
                    "Name the rule, in 《》, e.g. 《广东省行政处罚听证程序实施办法》第七条.",
                )
            )
        if "号" not in item["source_number"]:
            found.append(
                FieldProblem(
                    f"items.{n}.source_number",
                    "请填写规定的文号，如广东省人民政府令第294号。",
                    "Give the rule's number (文号), e.g. 广东省人民政府令第294号.",
                )
            )
    return found
