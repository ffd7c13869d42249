"""Discretion over the API (issue 5, part 4): an officer applies the benchmark to the
facts before proposing a penalty (国办发〔2022〕27号 （十二）), and supervisors see how the
same matter was punished across the district — quartiles, per-agency counts and the
outliers, without party data (27号 （十三）)."""

from __future__ import annotations

import datetime as dt
import statistics
import uuid

from tests.conftest import bearer

DUST = "CG-0018"  # 大气法 第一百一十六条: 2,000–20,000 yuan
WINDOW = {"decided_from": "2025-03-01", "decided_to": "2025-03-31"}


def _insert_cases(desks, rows) -> dict[str, str]:
    """Cases written straight to the table: (agency, fine yuan, day, status, extra)."""
    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import db, tenant_scope

    numbers = {}
    batch = uuid.uuid4().hex[:6]
    with tenant_scope(desks["tenant_id"]), db.new_session() as s:
        for i, (agency, fine, day, status, extra) in enumerate(rows):
            number = f"测执罚〔2025〕{batch}-{i + 1}号"
            s.add(
                Case(
                    agency_id=uuid.UUID(desks["ids"][agency]),
                    number=number,
                    matter_code=extra.pop("matter_code", DUST),
                    status=status,
                    stage="closure",
                    decided_on=dt.date(2025, 3, day) if day else None,
                    fine_fen=None if fine is None else fine * 100,
                    facts="运输渣土未密闭，沿路遗撒",
                    **extra,
                )
            )
            numbers[f"{agency}-{fine}"] = number
        s.commit()
    return numbers


FINES = {  # yuan, by agency; 19000 is far beyond the others
    "zhzf": [3000, 4000, 5000, 5000, 6000, 7000],
    "scjg": [5500, 6500, 7500, 19000],
    "sthj": [4500],
}


def test_the_distribution_of_one_matter_shows_quartiles_agencies_and_outliers(client, desks):
    rows = [
        (agency, fine, 3 + i, "closed", {"flagged": fine == 19000})
        for agency, fines in FINES.items()
        for i, fine in enumerate(fines)
    ]
    # decided above the range assessed for its facts (从轻 2,000–7,400 yuan), justified and flagged
    lighter = {"tier": "lighter", "fine_min_fen": 200000, "fine_max_fen": 740000}
    rows.append(("zhzf", 8000, 20, "archived", {"flagged": True, "discretion": lighter}))
    rows += [
        ("zhzf", 2500, None, "open", {}),  # proposed, not decided
        ("zhzf", 2600, 21, "not_filed", {}),  # never a decision on a filed case
        ("zhzf", None, 22, "closed", {}),  # decided without a fine (a warning)
        ("zhzf", 90000, 23, "closed", {"matter_code": "CG-0019"}),  # another matter
        ("zhzf", 15000, None, "closed", {}),  # no decision date: not decided
    ]
    numbers = _insert_cases(desks, rows)

    r = client.get(
        f"/api/v1/discretion/matters/{DUST}/distribution",
        query_string={**WINDOW, "page_size": 1},
        headers=desks["legal"],
    )
    assert r.status_code == 200, r.json
    body = r.json
    decided = sorted([f for fines in FINES.values() for f in fines] + [8000])
    assert body["decided"] == 12 and body["flagged"] == 2
    q1, median, q3 = statistics.quantiles(decided, n=4, method="inclusive")
    assert body["fines"] == {"min": 3000, "q1": q1, "median": median, "q3": q3, "max": 19000}
    assert (body["statutory_min_yuan"], body["statutory_max_yuan"]) == (2000, 20000)
    assert {a["agency_code"]: a["count"] for a in body["agencies"]} == {
        "zhzf": 7,
        "scjg": 4,
        "sthj": 1,
    }
    outliers = body["outliers"]
    assert (outliers["total"], outliers["pages"], len(outliers["items"])) == (2, 2, 1)
    second = client.get(
        f"/api/v1/discretion/matters/{DUST}/distribution",
        query_string={**WINDOW, "page_size": 1, "page": 2},
        headers=desks["legal"],
    ).json["outliers"]["items"]
    by_number = {o["case_number"]: o for o in outliers["items"] + second}
    assert by_number[numbers["scjg-19000"]]["reasons"] == ["iqr_high"]
    assert by_number[numbers["scjg-19000"]]["agency_code"] == "scjg"
    assert by_number[numbers["zhzf-8000"]]["reasons"] == ["outside_benchmark"]
    assert by_number[numbers["zhzf-8000"]]["flagged"] is True
    text = r.get_data(as_text=True)
    assert "运输渣土" not in text and "party" not in text  # no facts, no party data


def test_supervisors_see_the_distribution_officers_do_not(client, desks):
    url = f"/api/v1/discretion/matters/{DUST}/distribution"
    assert client.get(url, headers=desks["zhzf"]).status_code == 403
    assert (
        client.get(
            "/api/v1/discretion/matters/XX-9999/distribution", headers=desks["legal"]
        ).status_code
        == 404
    )


def test_another_district_sees_none_of_this_districts_decisions(
    client, desks, new_district, machine_token
):
    _insert_cases(desks, [("zhzf", 5000, 10, "closed", {})])
    other = new_district("测试区")
    supervisor = bearer(machine_token(other.slug, ["legal_affairs"]))
    r = client.get(
        f"/api/v1/discretion/matters/{DUST}/distribution", query_string=WINDOW, headers=supervisor
    )
    assert r.status_code == 200 and r.json["decided"] == 0 and r.json["fines"] is None


def test_an_officer_applies_the_benchmark_and_sees_a_proposal_outside_it_refused(client, desks):
    """处罚法 第三十二条 + 重庆 第十七条: two lighter factors → the 从轻 tier; 9,000 yuan is
    above it, and since 第三十二条 says 应当从轻, no written justification lifts it: refused,
    not merely flagged (the trust issue, item 13)."""
    body = {
        "matter_code": DUST,
        "party_kind": "organisation",
        "facts": {
            "circumstances": "ordinary",
            "mitigating": ["eliminated_harm", "confessed"],
            "illegal_gains_fen": 50000,
        },
        "proposed_fine_fen": 900000,
    }
    r = client.post("/api/v1/discretion/assess", json=body, headers=desks["zhzf"])
    assert r.status_code == 200, r.json
    a = r.json
    assert (a["tier"], a["fine_min_fen"], a["fine_max_fen"]) == ("lighter", 200000, 740000)
    assert a["rule"] == "two_lighter_minimum" and a["confiscate_gains_fen"] == 50000
    assert not a["check"]["ok"] and not a["check"]["flag_for_supervision"]
    assert "应当从轻或者减轻处罚" in a["check"]["message"]
    assert "第三十二条" in a["check"]["message"]
    assert any(x["article"] == "《行政处罚法》第三十二条第(一)项" for x in a["reasons"])
    within = client.post(
        "/api/v1/discretion/assess",
        json={**body, "proposed_fine_fen": 500000},
        headers=desks["zhzf"],
    ).json
    assert within["check"]["ok"] and "决定罚款人民币5000元，在基准幅度内" in within["statement"]


def test_facts_that_cannot_be_assessed_are_field_errors(client, desks):
    def post(**body):
        return client.post(
            "/api/v1/discretion/assess",
            json={"matter_code": DUST, "party_kind": "person", **body},
            headers=desks["zhzf"],
        )

    unknown = post(facts={"mitigating": ["was_polite"]})
    assert unknown.status_code == 422
    assert unknown.json["errors"][0]["field"].startswith("facts.mitigating")
    assert "从轻、减轻情节" in unknown.json["errors"][0]["message"]
    wrong_party = post(matter_code="CG-0019")  # 单位 range, a person
    assert wrong_party.status_code == 422
    assert wrong_party.json["errors"][0]["field"] == "party_kind"
    assert post(matter_code="XX-9999").status_code == 404
