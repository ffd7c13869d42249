"""The case list at its cost (issue 12, item 10): keyset paging after a row, and
searches of two characters — most Chinese names — which trigrams cannot serve."""

from __future__ import annotations

import random
import uuid

import pytest

from tests.integration.conftest import _agency_client
from tests.integration.test_case_console import _party

LIST = "/console/cases/"


def _two_characters() -> str:
    """Two CJK characters unlikely to be anywhere else in the module's district."""
    rnd = random.Random(uuid.uuid4().int)
    return "".join(chr(rnd.randint(0x5000, 0x9000)) for _ in range(2))


def test_the_list_pages_after_a_row_through_every_case_once_in_the_list_order(
    live_server, app, client, own_district
):
    officer = _agency_client(live_server, app, "sthj", ["officer"], own_district["slug"])
    marker = f"巡查{uuid.uuid4().hex[:8]}"
    made = set()
    for n in range(7):
        body = {"parties": [_party(f"某某{n}号公司")], "facts": f"{marker}发现问题{n}"}
        r = client.post("/api/v1/cases", json=body, headers=officer)
        assert r.status_code == 201
        made.add(r.json["id"])
    numbered = client.get(f"/api/v1/cases?q={marker}&page_size=100", headers=officer).json
    assert numbered["total"] == 7 and numbered["next"] is None
    seen, after, pages = [], None, 0
    while True:
        url = f"/api/v1/cases?q={marker}&page_size=3" + (f"&after={after}" if after else "")
        page = client.get(url, headers=officer).json
        pages += 1
        assert page["total"] == 7 and page["pages"] == 3
        assert page["page"] == (None if after else 1)
        seen += [c["id"] for c in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert pages == 3 and len(seen) == 7 and set(seen) == made
    assert seen == [c["id"] for c in numbered["items"]]  # the same order as numbered pages
    bad = client.get("/api/v1/cases?after=not-a-cursor", headers=officer)
    assert bad.status_code == 422 and bad.json["code"] == "bad-cursor"


def test_a_two_character_name_finds_its_case_in_the_facts_and_among_the_parties(
    live_server, app, client, own_district
):
    officer = _agency_client(live_server, app, "sthj", ["officer"], own_district["slug"])
    name = _two_characters()
    body = {"parties": [_party(name)], "facts": f"当事人{name}在珠江路88号随意倾倒垃圾。"}
    r = client.post("/api/v1/cases", json=body, headers=officer)
    assert r.status_code == 201
    case_id = r.json["id"]
    found = client.get(f"/api/v1/cases?q={name}", headers=officer).json
    assert [c["id"] for c in found["items"]] == [case_id] and found["total"] == 1
    longer = client.get(f"/api/v1/cases?q={name}在珠", headers=officer).json  # trigrams too
    assert [c["id"] for c in longer["items"]] == [case_id]
    assert client.get(f"/api/v1/cases?q={name[::-1]}", headers=officer).json["total"] == 0
    html = client.get(f"{LIST}?q={name}", headers=officer).get_data(as_text=True)
    assert html.count("<tr data-case=") == 1 and f'data-case="{case_id}"' in html
    other = _agency_client(live_server, app, "scjg", ["officer"], own_district["slug"])
    assert client.get(f"/api/v1/cases?q={name}", headers=other).json["total"] == 0


def test_a_fine_filter_larger_than_any_fine_the_record_holds_is_a_field_error(
    live_server, app, client, own_district
):
    """Amounts are fen in INTEGER columns: a bound past 2^31 - 1 is refused by name,
    never sent to the database (where PostgreSQL would refuse it as out of range)."""
    officer = _agency_client(live_server, app, "sthj", ["officer"], own_district["slug"])
    r = client.get("/api/v1/cases?fine_max_fen=4611686018427387904", headers=officer)
    assert r.status_code == 422, r.json
    assert [e["field"] for e in r.json["errors"]] == ["query.fine_max_fen"]
    assert client.get("/api/v1/cases?fine_max_fen=2147483647", headers=officer).status_code == 200


def test_a_search_follows_a_drafts_edits_to_its_facts_and_parties(
    live_server, app, client, own_district
):
    """The search's index is kept by the database (triggers): a draft whose party is
    renamed and whose facts are rewritten is found by the new words, not the old."""
    officer = _agency_client(live_server, app, "sthj", ["officer"], own_district["slug"])
    old, new = _two_characters(), _two_characters()
    body = {"parties": [_party(old)], "facts": f"当事人{old}在珠江路随意倾倒垃圾。"}
    r = client.post("/api/v1/cases", json=body, headers=officer)
    assert r.status_code == 201
    case_id, version = r.json["id"], r.json["version"]
    edit = {"version": version, "parties": [_party(new)], "facts": f"当事人{new}在中山路倾倒垃圾。"}
    r = client.patch(f"/api/v1/cases/{case_id}", json=edit, headers=officer)
    assert r.status_code == 200, r.json

    def found(q: str) -> list[str]:
        return [c["id"] for c in client.get(f"/api/v1/cases?q={q}", headers=officer).json["items"]]

    assert found(new) == [case_id] and found(old) == []
    assert found("中山") and case_id in found("中山") and case_id not in found("珠江路随")
    html = client.get(f"{LIST}?q={new}", headers=officer).get_data(as_text=True)
    assert f'data-case="{case_id}"' in html


def test_a_two_character_search_is_an_index_lookup_for_the_application_role(
    backend, pg_database, live_server, app, client, own_district
):
    """Under row-level security (the application role) PostgreSQL makes a condition an
    index condition only if its functions are LEAKPROOF: the search's lookup of its
    bigrams is (texteq), so the plan reads case_search_term's key, not every case of
    the district."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: reads its plan as the application role")
    from sqlalchemy import event

    from yimen.platform.kernel.db import db

    officer = _agency_client(live_server, app, "sthj", ["officer"], own_district["slug"])
    name = _two_characters()
    body = {"parties": [_party(name)], "facts": f"当事人{name}在珠江路随意倾倒垃圾。"}
    assert client.post("/api/v1/cases", json=body, headers=officer).status_code == 201
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "case_search_term" in statement:
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get(f"/api/v1/cases?q={name}", headers=officer).json["total"] == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert sent, "the search did not look its bigrams up"
    statement, parameters = sent[0]
    tenant = next(v for k, v in parameters.items() if k.startswith("tenant_id"))
    with pg_database.connect_as_app() as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant),))
        conn.execute("SET enable_seqscan = off")  # a tiny table: ask what it *could* use
        plan = "\n".join(
            row[0] for row in conn.execute("EXPLAIN " + statement, parameters).fetchall()
        )
    lines = plan.splitlines()
    at = next(i for i, line in enumerate(lines) if "pk_case_search_term" in line)
    assert "Index Cond" in lines[at + 1] and "term = ANY" in lines[at + 1], plan
