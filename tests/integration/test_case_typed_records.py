"""The handlers write the typed records (records.py) — the decision, its service, the
payment with its surcharge, the compulsory measures — and no longer those keys of
`details`; the API shows the same `details` as before, and the case list filters decided
cases by the decision's date and fine (what disclosure will query)."""

from __future__ import annotations

import uuid

import pytest

from tests.integration import test_case_rules_engine as engine
from tests.integration.test_case_lifecycle import PARTY
from tests.integration.test_case_rules_engine import ON_SITE, executing, filed

desk = engine.desk  # the zhzf desk (officers, head, legal reviewer): a fixture
pytestmark = pytest.mark.usefixtures("case_day")


def _row(case):
    """The case row and its typed records, read in the case's district."""
    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(case.desk["tenant_id"]), db.new_session() as s:
        case = s.get(Case, uuid.UUID(case.id))
        return (
            dict(case.details),
            case.decision,
            sorted(case.services, key=lambda x: x.document),
            case.payment,
            list(case.measures),
        )


def test_a_decision_served_and_paid_late_is_kept_in_typed_rows__处罚法_第五十九条_第七十二条(
    client, desk
):
    case = executing(client, desk, served_on="2026-03-02", fine=1_000_000)
    case.do("record_payment", amount_fen=2_000_000, paid_on="2026-11-20")

    details, decision, services, payment, _ = _row(case)
    assert decision.outcome == "penalty" and decision.number
    assert decision.fine_fen == 1_000_000 and decision.penalty_kinds == ["fine"]
    assert decision.decided_on is not None and decision.legal_basis
    assert decision.benchmark_tier and decision.benchmark_min_fen is not None
    assert [s.document for s in services] == ["decision", "prior_notice"]
    served = services[0]
    assert (served.method, served.served_on.isoformat()) == ("direct", "2026-03-02")
    assert served.recipient == PARTY["name"]
    assert services[1].served_on.isoformat() <= "2026-11-02"
    assert (payment.amount_fen, payment.fine_fen) == (2_000_000, 1_000_000)
    assert payment.surcharge_fen == 1_000_000  # 3% a day, capped at the fine (第七十二条)
    # the JSON keeps none of it …
    assert "service" not in details and "departure_approval" not in details
    assert "served_on" not in details["prior_notice"]
    assert details["execution"] == {"done": "paid"}
    # … and the API shows what it always showed
    shown = case.json["details"]
    assert shown["service"] == {"method": "direct", "served_on": "2026-03-02"}
    assert shown["execution"] == {"paid_on": "2026-11-20", "amount_fen": 2_000_000, "done": "paid"}
    assert shown["prior_notice"]["served_on"] == services[1].served_on.isoformat()

    listed = client.get(
        "/api/v1/cases?page_size=100&fine_min_fen=1000000&fine_max_fen=1000000"
        f"&decided_from={decision.decided_on}&decided_to={decision.decided_on}",
        headers=desk["officer"],
    )
    assert listed.status_code == 200
    assert case.id in {c["id"] for c in listed.json["items"]}
    dearer = client.get("/api/v1/cases?page_size=100&fine_min_fen=1000001", headers=desk["officer"])
    assert case.id not in {c["id"] for c in dearer.json["items"]}


def test_a_compulsory_measure_is_a_row__行政强制法_第二十四条_第二十五条(client, desk):
    case = filed(client, desk, measures_needed=True)
    case.do("impose_measure", who="head", kind="seal", items=["烧烤炉 1 台"], **ON_SITE)
    measure = case.json["details"]["compulsory_measures"]["measures"][-1]
    case.do("extend_measure", who="head", measure_id=measure["id"], days=30, reason="案情复杂")

    details, decision, _, _, measures = _row(case)
    assert "compulsory_measures" not in details and decision is None
    [row] = measures
    assert (str(row.id), row.kind, row.items) == (measure["id"], "seal", ["烧烤炉 1 台"])
    assert row.extended_days == 30 and row.ended_on is None
    assert {d["kind"] for d in row.documents} >= {"查封扣押决定书", "查封扣押清单"}
    shown = case.json["details"]["compulsory_measures"]["measures"][-1]
    assert shown["ends_on"] == row.ends_on.isoformat() and shown["extended_days"] == 30
    assert shown["documents"] == measure["documents"]
