"""The migration to typed case records (20261207_0160) moves what `details` held: a
database at the previous revision holds cases at every stage — a draft, under
investigation, decided (with a departure from the benchmark approved), served by public
notice, paid, paid late with the surcharge under an execution agreement, under compulsory
measures (one extended and tested, one on the spot and lifted), closed, decided not to
penalise, decided on the spot — in two districts; after the upgrade the typed rows hold
those facts, `details` no longer does, and the case reads (`Case.stage_facts`, the API's
`details`) exactly as before. The downgrade puts it all back. On SQLite and PostgreSQL.

The `details` below are shaped as the handlers of the previous revision wrote them
(actions.py, actions_execution.py, actions_measures.py, actions_outcomes.py)."""

from __future__ import annotations

import copy
import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from tests import support
from yimen.platform.migrate import downgrade, upgrade

# The cases are written at 0123 (the JSON as the handlers wrote it) and upgraded through
# the migrations since; the downgrade goes back to this migration's predecessor.
BEFORE, PREVIOUS, REVISION = "20261207_0123", "20261207_0150", "20261207_0160"
T1, T2 = uuid.uuid4(), uuid.uuid4()
AGENCY = {T1: uuid.uuid4(), T2: uuid.uuid4()}
PARTY = "南京味道餐饮管理有限公司"
MOVED = ("departure_approval",)  # top-level keys that leave `details` entirely

DATES = {"filed": "2026-09-01", "prior_notice_served": "2026-10-09", "decided": "2026-10-20"}
ASSESSMENT = {
    "tier_name": "一般",
    "fine_min_fen": 1_000_000,
    "fine_max_fen": 3_000_000,
    "penalty_basis": "《中华人民共和国大气污染防治法》第一百一十八条第一款",
    "outside_range": True,
    "justification": "当事人拒不改正，油烟直排持续三个月，周边居民多次投诉",
    "flag": True,
}
INVESTIGATION = {
    "evidence": [
        {
            "id": str(uuid.uuid4()),
            "kind": "audio_visual",
            "title": "现场油烟直排视频",
            "sha256": "a" * 64,
            "collected_on": "2026-09-02",
            "by": "zhangwei",
        }
    ]
}
DECIDED = {
    "dates": dict(DATES),
    "investigation": INVESTIGATION,
    "prior_notice": {
        "hearing_right": False,
        "hearing_right_reason": "罚款数额未达听证标准",
        "served_on": "2026-10-09",
    },
    "statement": {"statement": "请求从轻", "reexamination": "维持"},
    "legal_review": {"result": "passed", "opinion": "事实清楚", "reviewer": "qianli"},
    "departure_approval": {
        "by": "head",
        "on": "2026-10-18",
        "reason": "情节严重，经主要负责人批准",
        "fine_fen": 3_500_000,
    },
}
SERVED = {
    **copy.deepcopy(DECIDED),
    "service": {"published_on": "2026-09-25", "method": "public_notice", "served_on": "2026-10-26"},
}
PAID = {**copy.deepcopy(SERVED), "execution": {"paid_on": "2026-11-05", "amount_fen": 3_500_000, "done": "paid"}}  # fmt: skip
SURCHARGED = {
    **copy.deepcopy(SERVED),
    "execution": {
        "demand_served_on": "2026-11-16",
        "agreement": {
            "status": "in_force",
            "agreed_on": "2026-11-18",
            "terms": "分两期缴纳",
            "stages": [],
            "remedy": "已安装净化设施",
            "waived_fen": 100_000,
            "accrued_fen": 300_000,
        },
        "paid_on": "2026-11-20",
        "amount_fen": 3_900_000,
        "done": "paid",
    },
}
ON_SITE = {
    "witness": "",
    "statement": "当事人称设备为他人所有",
    "identity_shown": True,
    "told": True,
    "party_present": True,
    "party_notified": True,
    "party_signature": "王某",
    "record": "现场笔录已由当事人签名",
}
MEASURE_OPEN = {
    "id": str(uuid.uuid4()),
    "kind": "seize",
    "items": ["油烟直排风机 1 台"],
    "started_on": "2026-11-10",
    "reason": "防止证据损毁",
    "basis": "《行政强制法》第九条第(三)项",
    "on_site": ON_SITE,
    "approved_by": "head",
    "ends_on": "2027-01-15",
    "documents": [
        {"kind": "查封扣押决定书", "number": "玄综执强〔2026〕7号", "sha256": "b" * 64},
        {"kind": "查封扣押清单", "number": "玄综执清〔2026〕7号", "sha256": "c" * 64},
        {"kind": "现场笔录", "number": None, "sha256": "d" * 64},
    ],
    "extended_days": 30,
    "extension_reason": "案情复杂",
    "testing": [["2026-11-12", "2026-11-18"]],
}
MEASURE_LIFTED = {
    "id": str(uuid.uuid4()),
    "kind": "seal",
    "items": ["后厨灶台"],
    "started_on": "2026-11-20",
    "reason": "情况紧急",
    "basis": "《行政强制法》第十九条",
    "on_site": {**ON_SITE, "party_present": False, "witness": "社区网格员李某"},
    "emergency": True,
    "executed_at": "2026-11-20T10:00:00+08:00",
    "approval_due": "2026-11-21T10:00:00+08:00",
    "ends_on": "2026-12-20",
    "approved_by": "head",
    "approved_at": "2026-11-20T15:30:00+08:00",
    "ended_on": "2026-11-23",
    "outcome": "lifted",
    "late": False,
    "ground": "no_longer_needed",
    "returned": ["后厨灶台"],
    "documents": [
        {"kind": "查封扣押决定书", "number": "玄综执强〔2026〕8号", "sha256": "e" * 64},
        {"kind": "解除查封、扣押决定书", "number": "玄综执解〔2026〕1号", "sha256": "f" * 64},
    ],
}
MEASURED = {
    "dates": {"filed": "2026-11-01"},
    "investigation": INVESTIGATION,
    "compulsory_measures": {"measures": [MEASURE_OPEN, MEASURE_LIFTED]},
}
NO_PENALTY_BASIS = "《中华人民共和国行政处罚法》第三十三条第一款、第五十七条第一款第(二)项"
NO_PENALTY = {
    "dates": {"filed": "2026-10-01", "decided": "2026-11-02"},
    "no_penalty_facts": {"corrected": True, "harm": "none", "first_violation": True},
    "outcome": {
        "kind": "no_penalty",
        "ground": "minor",
        "reason": "及时改正，没有危害后果",
        "text": "拟不予行政处罚",
        "article": NO_PENALTY_BASIS,
        "by": "head",
        "on": "2026-11-01",
        "decision_number": "玄综执不罚〔2026〕2号",
        "summary": "不予行政处罚（玄综执不罚〔2026〕2号）",
        "execution": "不予行政处罚，无须执行",
    },
    "education": [{"content": "已教育", "educated_on": "2026-11-01", "by": "zhangwei"}],
    "service": {"method": "direct", "served_on": "2026-11-03"},
}
ON_SPOT = {
    "dates": {"decided": "2026-11-10", "pay_due": "2026-11-25"},
    "on_spot_decision": {
        "decided_on": "2026-11-10",
        "fine_fen": 20_000,
        "method": "direct",
        "collected_on_spot": False,
        "receipt_no": "",
    },
}

# name → (district, stage, status, details, decided_on, fine_fen, documents issued)
CASES = {
    "draft": (T1, "filing", "draft", {}, None, None, {}),
    "investigation": (
        T1, "investigation", "open", {"dates": {"filed": "2026-11-01"}, "investigation": INVESTIGATION}, None, None, {},
    ),
    "decided": (T1, "service", "open", DECIDED, "2026-10-20", 3_500_000, {"行政处罚决定书": "玄综执罚〔2026〕11号"}),
    "served": (T1, "execution", "open", SERVED, "2026-10-20", 3_500_000, {"行政处罚决定书": "玄综执罚〔2026〕12号"}),
    "paid": (T1, "execution", "open", PAID, "2026-10-20", 3_500_000, {"行政处罚决定书": "玄综执罚〔2026〕13号"}),
    "surcharged": (T2, "execution", "open", SURCHARGED, "2026-10-20", 3_500_000, {"行政处罚决定书": "玄武综执罚〔2026〕1号"}),
    "measures": (T1, "compulsory_measures", "open", MEASURED, None, None, {}),
    "closed": (
        T2, "archive", "closed", {**copy.deepcopy(PAID), "compulsory_measures": {"measures": [MEASURE_LIFTED]}},
        "2026-10-20", 3_500_000, {"行政处罚决定书": "玄武综执罚〔2026〕2号"},
    ),
    "no_penalty": (T1, "closure", "open", NO_PENALTY, "2026-11-02", None, {"不予行政处罚决定书": "玄综执不罚〔2026〕2号"}),
    "on_spot": (T2, "filing_record", "open", ON_SPOT, "2026-11-10", 20_000, {"当场处罚决定书": "玄武当罚〔2026〕5号"}),
}  # fmt: skip
IDS = {name: uuid.uuid4() for name in CASES}


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """A database migrated to the revision before the typed records: (owner URL)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
        upgrade(url, BEFORE)
        yield url
        return
    reason = support.pg_unavailable_reason()
    if reason:
        if support.IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    database = support.PostgresDatabase()
    database.create(revision=BEFORE)
    yield database.owner_url
    database.drop()


def _as_district(conn, tenant_id) -> None:
    if conn.dialect.name == "postgresql":  # the owner is bound by FORCE ROW LEVEL SECURITY
        conn.execute(
            sa.text("select set_config('app.tenant_id', :t, false)"), {"t": str(tenant_id)}
        )


def _filler(column: sa.Column):
    """A value for a required column the test does not care about."""
    python = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
    return {
        uuid.UUID: uuid.uuid4,
        str: lambda: "x",
        int: lambda: 1,
        bool: lambda: False,
        dict: dict,
        dt.datetime: lambda: dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        dt.date: lambda: dt.date(2026, 11, 1),
        bytes: lambda: b"",
    }[python]()


def _insert(conn, metadata: sa.MetaData, table: str, **values) -> None:
    """A row with `values`; every other NOT NULL column without a default gets a filler
    (the schema at the previous revision, read from the database)."""
    found = metadata.tables[table]
    for column in found.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        if column.autoincrement is True and column.primary_key:
            continue
        values[column.name] = _filler(column)
    if conn.dialect.name == "sqlite":  # reflected as CHAR(32): SQLAlchemy's Uuid stores hex
        values = {k: v.hex if isinstance(v, uuid.UUID) else v for k, v in values.items()}
    conn.execute(found.insert().values(**values))


def _seed(url: str) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.begin() as conn:
        for n, tenant in enumerate((T1, T2)):
            slug = f"m{uuid.uuid4().hex[:8]}"
            _insert(
                conn, metadata, "tenant", id=tenant, slug=slug, name=f"区{n}",
                division_code=support.unique_division_code(),
            )  # fmt: skip
        for tenant in (T1, T2):
            _as_district(conn, tenant)
            _insert(
                conn, metadata, "agency", id=AGENCY[tenant], tenant_id=tenant, name="综合执法局"
            )
        for name, (tenant, stage, status, details, decided, fine, issued) in CASES.items():
            _as_district(conn, tenant)
            case_id = IDS[name]
            _insert(
                conn, metadata, "enforcement_case",
                id=case_id, tenant_id=tenant, agency_id=AGENCY[tenant], number=f"案{name}",
                procedure="simple" if name == "on_spot" else "general", stage=stage,
                status=status, matter_code="CG-0014", details=details,
                decided_on=dt.date.fromisoformat(decided) if decided else None,
                fine_fen=fine, proposed_fine_fen=fine, confiscation_fen=None,
                penalty_kinds=["fine"] if fine else [],
                discretion=ASSESSMENT if name not in ("no_penalty", "on_spot") else {},
                served_on=None, version=1,
            )  # fmt: skip
            _insert(
                conn, metadata, "case_party", id=uuid.uuid4(), tenant_id=tenant,
                case_id=case_id, position=0, kind="organisation", name=PARTY,
            )  # fmt: skip
            for serial, (kind, number) in enumerate(issued.items(), start=1):
                _insert(
                    conn, metadata, "case_document", id=uuid.uuid4(), tenant_id=tenant,
                    case_id=case_id, agency_id=AGENCY[tenant], kind=kind, number=number,
                    serial=serial, status="issued", year=2026,
                )  # fmt: skip
            if name == "no_penalty":
                _insert(
                    conn, metadata, "case_event", id=uuid.uuid4(), tenant_id=tenant,
                    case_id=case_id, seq=1, kind="decide_no_penalty", stage="decision",
                    actor="head", at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
                    payload={"outcome": "no_penalty", "basis": NO_PENALTY_BASIS},
                    prev_hash="0" * 64, hash="1" * 64,
                )  # fmt: skip
    engine.dispose()


def _rows(url: str, table: str) -> dict[uuid.UUID, list[dict]]:
    engine = sa.create_engine(url)
    found: dict[uuid.UUID, list[dict]] = {}
    with engine.begin() as conn:
        for tenant in (T1, T2):
            _as_district(conn, tenant)
            query = sa.text(f"select * from {table} where tenant_id = :t")  # noqa: S608
            for row in conn.execute(query, {"t": tenant if "sqlite" not in url else tenant.hex}):
                row = dict(row._mapping)
                key = row.get("case_id") or row["id"]
                found.setdefault(uuid.UUID(str(key)), []).append(row)
    engine.dispose()
    return found


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def test_the_upgrade_moves_every_stage_s_records_out_of_the_json(old_database):
    url = old_database
    _seed(url)
    upgrade(url, REVISION)

    cases = {uuid.UUID(str(r[0]["id"])): r[0] for r in _rows(url, "enforcement_case").values()}
    details = {name: _json(cases[IDS[name]]["details"]) for name in CASES}
    decisions = _rows(url, "case_decision")
    services = _rows(url, "case_service")
    payments = _rows(url, "case_payment")
    measures = _rows(url, "case_measure")

    # the JSON no longer holds the moved facts; its notes stay
    for name, facts in details.items():
        assert not set(MOVED) & set(facts), name
        assert "served_on" not in (facts.get("prior_notice") or {}), name
        assert "service" not in facts or facts["service"] == {}, name
        assert not {"paid_on", "amount_fen"} & set(facts.get("execution") or {}), name
        assert "measures" not in (facts.get("compulsory_measures") or {}), name
        assert "decision_number" not in (facts.get("outcome") or {}), name
    assert details["decided"]["prior_notice"]["hearing_right"] is False
    assert details["surcharged"]["execution"]["agreement"]["waived_fen"] == 100_000
    assert details["paid"]["execution"] == {"done": "paid"}
    assert details["no_penalty"]["outcome"]["summary"].startswith("不予行政处罚")
    assert details["draft"] == {} and "compulsory_measures" not in details["measures"]

    # the decision: number, date, kinds, amounts in fen, basis, benchmark, departure
    assert set(decisions) == {
        IDS[n] for n in ("decided", "served", "paid", "surcharged", "closed", "no_penalty", "on_spot")
    }  # fmt: skip
    decided = decisions[IDS["decided"]][0]
    assert decided["outcome"] == "penalty" and decided["number"] == "玄综执罚〔2026〕11号"
    assert _date(decided["decided_on"]) == dt.date(2026, 10, 20)
    assert _json(decided["penalty_kinds"]) == ["fine"] and decided["fine_fen"] == 3_500_000
    assert decided["legal_basis"] == ASSESSMENT["penalty_basis"]
    assert (decided["benchmark_min_fen"], decided["benchmark_max_fen"]) == (1_000_000, 3_000_000)
    assert decided["benchmark_tier"] == "一般" and bool(decided["outside_benchmark"]) is True
    assert decided["departure_reason"] == ASSESSMENT["justification"]
    assert decided["departure_approved_by"] == "head"
    assert _date(decided["departure_approved_on"]) == dt.date(2026, 10, 18)
    assert decided["departure_approval_reason"] == "情节严重，经主要负责人批准"
    assert decided["departure_fine_fen"] == 3_500_000
    no_penalty = decisions[IDS["no_penalty"]][0]
    assert (no_penalty["outcome"], no_penalty["number"]) == ("no_penalty", "玄综执不罚〔2026〕2号")
    assert no_penalty["legal_basis"] == NO_PENALTY_BASIS and no_penalty["fine_fen"] is None
    on_spot = decisions[IDS["on_spot"]][0]
    assert (on_spot["number"], on_spot["fine_fen"]) == ("玄武当罚〔2026〕5号", 20_000)

    # service: the prior notice and the decision, the way, the date, to whom
    served = {s["document"]: s for s in services[IDS["served"]]}
    assert _date(served["prior_notice"]["served_on"]) == dt.date(2026, 10, 9)
    decision_service = served["decision"]
    assert decision_service["method"] == "public_notice"
    assert _date(decision_service["published_on"]) == dt.date(2026, 9, 25)
    assert _date(decision_service["served_on"]) == dt.date(2026, 10, 26)
    assert decision_service["recipient"] == PARTY
    assert [s["document"] for s in services[IDS["decided"]]] == ["prior_notice"]
    assert IDS["investigation"] not in services and IDS["draft"] not in services

    # payment (and the surcharge paid with it)
    paid = payments[IDS["paid"]][0]
    assert (_date(paid["paid_on"]), paid["amount_fen"]) == (dt.date(2026, 11, 5), 3_500_000)
    late = payments[IDS["surcharged"]][0]
    assert late["amount_fen"] == 3_900_000 and late["fine_fen"] == 3_500_000
    assert set(payments) == {IDS["paid"], IDS["surcharged"], IDS["closed"]}

    # compulsory measures: kind, from, until, extended, tested, released
    held = sorted(measures[IDS["measures"]], key=lambda m: m["position"])
    assert [m["kind"] for m in held] == ["seize", "seal"]
    assert _date(held[0]["started_on"]) == dt.date(2026, 11, 10)
    assert _date(held[0]["ends_on"]) == dt.date(2027, 1, 15)
    assert held[0]["extended_days"] == 30 and held[0]["ended_on"] is None
    assert _json(held[0]["testing"]) == [["2026-11-12", "2026-11-18"]]
    assert _date(held[1]["ended_on"]) == dt.date(2026, 11, 23)
    assert held[1]["release_ground"] == "no_longer_needed" and bool(held[1]["emergency"])
    assert len(measures[IDS["closed"]]) == 1

    # read through the models, each case shows the `details` it always had
    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import tenant_scope
    from yimen.platform.kernel.db.session import TenantSession

    engine = sa.create_engine(url)
    for name, (tenant, *_rest) in CASES.items():
        with tenant_scope(tenant), TenantSession(bind=engine) as session:
            case = session.get(Case, IDS[name])
            assert case.stage_facts() == CASES[name][3], name
    engine.dispose()

    # and the downgrade puts the JSON back as it was
    downgrade(url, PREVIOUS)
    restored = {uuid.UUID(str(r[0]["id"])): r[0] for r in _rows(url, "enforcement_case").values()}
    for name in CASES:
        assert _json(restored[IDS[name]]["details"]) == CASES[name][3], name


def _json(value):
    import json

    return json.loads(value) if isinstance(value, str) else value
