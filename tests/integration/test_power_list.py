"""The power list: a regional catalog of enforcement matters with their legal bases; a
district adopts matters and assigns each to exactly one agency at a time, with every
change kept as history; the public reads it on the district's page."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from tests import factories
from tests.conftest import bearer


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def district(client, new_district, machine_token):
    """A new district with 26 agencies (imported) and its administrator."""
    tenant = new_district("权责测试区")
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    client.post(
        "/api/v1/imports/agencies",
        data={"file": (io.BytesIO(factories.agencies_xlsx(tenant.division_code)), "a.xlsx")},
        headers=admin,
        content_type="multipart/form-data",
    )
    agencies = {
        a["code"]: a["id"]
        for a in client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
    }
    return tenant, admin, agencies


@pytest.fixture
def operator(machine_token):
    return bearer(machine_token("platform", ["platform_operator"]))


def _adopt(client, admin, *codes, **body):
    r = client.post(
        "/api/v1/power-list/adoptions", json={"codes": list(codes), **body}, headers=admin
    )
    assert r.status_code == 201, r.json
    return r


def _assign(client, admin, code, agency_id, **body):
    return client.post(
        f"/api/v1/power-list/{code}/assignment",
        json={"agency_id": agency_id, **body},
        headers=admin,
    )


def _upload(client, headers, content: bytes):
    return client.post(
        "/api/v1/matters.xlsx",
        data={"file": (io.BytesIO(content), "matters.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )


# --- the catalog --------------------------------------------------------------------


def test_the_catalog_has_at_least_60_matters_in_6_domains_each_with_its_law_and_article(
    client, machine_token
):
    # the demo's xuanwu: an officer anywhere reads the region's catalog
    officer = bearer(machine_token("xuanwu", ["officer"]))
    matters = []
    for page in (1, 2, 3):
        matters += client.get(f"/api/v1/matters?page_size=100&page={page}", headers=officer).json[
            "items"
        ]
    assert len(matters) >= 60 and len({m["domain"] for m in matters}) >= 6
    for m in matters:
        basis = m["penalty_basis"]
        assert basis["law"].startswith("《") and basis["article"].startswith("第"), m["code"]
        assert m["basis"] and all(p["law"] and p["article"] for p in m["basis"]), m["code"]


def test_a_matter_carries_its_provisions_benchmark_and_criminal_threshold(client, operator):
    air = client.get("/api/v1/matters/HJ-0001", headers=operator).json
    assert air["legal_basis"] == "《中华人民共和国大气污染防治法》第九十九条"
    assert air["basis"] == [
        {"law": "《中华人民共和国大气污染防治法》", "article": "第十八条", "clause": ""}
    ]
    assert [(t["name"], t["fine_min"], t["fine_max"]) for t in air["benchmark"]] == [
        ("从轻", 100000, 370000),
        ("一般", 370000, 730000),
        ("从重", 730000, 1000000),
    ]
    assert "order_closure" in air["benchmark"][2]["other_penalties"]
    assert "order_closure" not in air["benchmark"][0]["other_penalties"]
    assert "污染环境罪" in air["criminal_threshold"] and air["is_major"]
    fake = client.get("/api/v1/matters/SC-0004", headers=operator).json
    assert {"metric": "sales_amount", "label": "销售金额", "value": 50000, "unit": "元"} in fake[
        "threshold_values"
    ]
    litter = client.get("/api/v1/matters/CG-0001", headers=operator).json
    assert litter["penalty_basis"] == {
        "law": "《城市市容和环境卫生管理条例》",
        "article": "第三十四条",
        "clause": "第(一)项",
    }


def test_the_catalog_is_searchable_by_words_domain_and_major_flag(client, operator):
    found = client.get("/api/v1/matters?q=油烟", headers=operator).json["items"]
    assert [m["code"] for m in found] == ["CG-0014"]
    major = client.get("/api/v1/matters?domain=safety_production&major=true", headers=operator)
    assert major.json["total"] >= 5 and all(m["is_major"] for m in major.json["items"])
    r = client.get("/api/v1/matters?domain=astrology", headers=operator)
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "query.domain"
    assert client.get("/api/v1/matters/XX-9999", headers=operator).status_code == 404


# --- adoption and assignment ----------------------------------------------------------


def test_a_district_adopts_by_domain_and_assigns_one_agency(client, district):
    tenant, admin, agencies = district
    r = _adopt(client, admin, domain="environment")
    assert r.json["adopted"] >= 6 and r.json["already"] == 0
    assert _adopt(client, admin, "HJ-0005").json == {"adopted": 0, "already": 1}
    r = _assign(client, admin, "HJ-0005", agencies["sthj"], reason="三定方案")
    assert r.status_code == 201, r.json
    assert r.json["agency_name"] == "测试区生态环境分局" and r.json["valid_to"] is None
    listed = client.get("/api/v1/power-list?domain=environment&page_size=100", headers=admin).json
    row = next(i for i in listed["items"] if i["matter"]["code"] == "HJ-0005")
    assert row["agency_name"] == "测试区生态环境分局" and row["since"]
    one = client.get("/api/v1/power-list/HJ-0005", headers=admin).json
    assert one["agency_id"] == agencies["sthj"] and one["matter"]["name"]
    waiting = client.get("/api/v1/power-list?unassigned=true&page_size=100", headers=admin).json
    assert "HJ-0005" not in {i["matter"]["code"] for i in waiting["items"]}
    assert waiting["total"] == listed["total"] - 1


def test_a_matter_assigned_to_a_second_agency_is_refused_and_nothing_changes(client, district):
    tenant, admin, agencies = district
    _adopt(client, admin, "CG-0014")
    assert _assign(client, admin, "CG-0014", agencies["zhzf"]).status_code == 201
    r = _assign(client, admin, "CG-0014", agencies["jd1"])
    assert r.status_code == 409 and r.content_type == "application/problem+json"
    assert r.json["code"] == "already-assigned" and "测试区综合行政执法局" in r.json["detail"]
    assert r.json["current_agency_id"] == agencies["zhzf"] and r.json["detail_en"]
    assert r.json["errors"][0]["field"] == "agency_id"
    history = client.get("/api/v1/power-list/CG-0014/history", headers=admin).json["assignments"]
    assert [h["agency_id"] for h in history] == [agencies["zhzf"]]
    assert (
        client.get("/api/v1/power-list/CG-0014", headers=admin).json["agency_id"]
        == (agencies["zhzf"])
    )


def test_an_agency_without_the_domain_cannot_take_the_matter(client, district):
    tenant, admin, agencies = district
    _adopt(client, admin, "SP-0001")
    r = _assign(client, admin, "SP-0001", agencies["sthj"])
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "agency_id"
    assert "食品安全" in r.json["errors"][0]["message"] and r.json["errors"][0]["message_en"]
    assert client.get("/api/v1/power-list/SP-0001/history", headers=admin).json["assignments"] == []


def test_bad_assignments_are_problems_and_write_nothing(client, district):
    tenant, admin, agencies = district
    _adopt(client, admin, "WL-0001")
    cases = [
        ({"agency_id": "not-a-uuid"}, 422, "agency_id"),
        ({"agency_id": str(uuid.uuid4())}, 422, "agency_id"),
        (
            {"agency_id": agencies["whly"], "effective": str(_today() + dt.timedelta(days=3))},
            422,
            "effective",
        ),
        ({"agency_id": agencies["whly"], "reason": "x" * 501}, 422, "reason"),
        ({"agency_id": agencies["whly"], "effective": "0001-01-01"}, 422, "effective"),
        ({}, 422, "agency_id"),
    ]
    for body, status, field in cases:
        r = client.post("/api/v1/power-list/WL-0001/assignment", json=body, headers=admin)
        assert r.status_code == status and r.content_type == "application/problem+json", body
        assert field in {e["field"] for e in r.json["errors"]}, (body, r.json)
    r = _assign(client, admin, "WL-0002", agencies["whly"])
    assert r.status_code == 404 and r.json["code"] == "not-adopted"
    assert client.get("/api/v1/power-list/WL-0001/history", headers=admin).json["assignments"] == []


def test_the_comprehensive_bureau_takes_a_power_over_and_history_is_kept(client, district):
    """综合执法局 took 无照经营 over from 市场监管局 on day D; both stay on record."""
    tenant, admin, agencies = district
    client.patch(
        f"/api/v1/agencies/{agencies['zhzf']}",
        json={"domains": ["urban_management", "market_regulation"]},
        headers=admin,
    )
    _adopt(client, admin, "SC-0001")
    began, takeover = _today() - dt.timedelta(days=100), _today() - dt.timedelta(days=10)
    r = _assign(client, admin, "SC-0001", agencies["scjg"], effective=str(began))
    assert r.status_code == 201, r.json
    r = client.post(
        "/api/v1/power-list/SC-0001/transfer",
        json={
            "agency_id": agencies["zhzf"],
            "reason": "综合行政执法改革：无照经营查处划转综合执法局",
            "effective": str(takeover),
        },
        headers=admin,
    )
    assert r.status_code == 201, r.json
    history = client.get("/api/v1/power-list/SC-0001/history", headers=admin).json["assignments"]
    assert [h["agency_name"] for h in history] == ["测试区市场监督管理局", "测试区综合行政执法局"]
    assert history[0]["valid_to"] == history[1]["valid_from"] and history[1]["valid_to"] is None
    assert history[1]["valid_from"].startswith(f"{takeover - dt.timedelta(days=1)}T16:00:00")
    assert "划转" in history[1]["reason"]

    def holder(on):
        return client.get(f"/api/v1/power-list/SC-0001/holder?on={on}", headers=admin).json

    assert holder(takeover - dt.timedelta(days=1))["agency_name"] == "测试区市场监督管理局"
    for absurd in ("0001-01-01", "9999-12-31", "2026-02-30"):
        r = client.get(f"/api/v1/power-list/SC-0001/holder?on={absurd}", headers=admin)
        assert r.status_code == 422 and r.json["errors"][0]["field"] == "query.on", absurd
    assert holder(takeover)["agency_name"] == "测试区综合行政执法局"
    assert holder(began - dt.timedelta(days=1))["agency_id"] is None


def test_a_transfer_cannot_predate_the_holder_or_go_to_the_holder_itself(client, district):
    tenant, admin, agencies = district
    client.patch(
        f"/api/v1/agencies/{agencies['jd1']}", json={"domains": ["urban_management"]}, headers=admin
    )
    _adopt(client, admin, "CG-0001")
    _assign(
        client, admin, "CG-0001", agencies["zhzf"], effective=str(_today() - dt.timedelta(days=5))
    )
    early = client.post(
        "/api/v1/power-list/CG-0001/transfer",
        json={
            "agency_id": agencies["jd1"],
            "reason": "赋权街道",
            "effective": str(_today() - dt.timedelta(days=9)),
        },
        headers=admin,
    )
    assert early.status_code == 422 and early.json["code"] == "bad-effective-date"
    same = client.post(
        "/api/v1/power-list/CG-0001/transfer",
        json={"agency_id": agencies["zhzf"], "reason": "重复"},
        headers=admin,
    )
    assert same.status_code == 409 and same.json["code"] == "same-agency"
    no_reason = client.post(
        "/api/v1/power-list/CG-0001/transfer", json={"agency_id": agencies["jd1"]}, headers=admin
    )
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "reason"
    history = client.get("/api/v1/power-list/CG-0001/history", headers=admin).json["assignments"]
    assert len(history) == 1 and history[0]["valid_to"] is None


def test_adopting_an_unknown_code_names_it_and_adopts_nothing(client, district):
    tenant, admin, _ = district
    r = client.post(
        "/api/v1/power-list/adoptions", json={"codes": ["HJ-0001", "XX-9999"]}, headers=admin
    )
    assert r.status_code == 422 and "XX-9999" in r.json["detail"]
    assert r.json["errors"][0]["field"] == "codes"
    empty = client.post("/api/v1/power-list/adoptions", json={}, headers=admin)
    assert empty.status_code == 422 and empty.json["errors"][0]["message_en"]
    assert client.get("/api/v1/power-list", headers=admin).json["total"] == 0


def test_a_district_adds_matters_to_its_major_decision_list_but_cannot_drop_statutory_ones(
    client, district
):
    tenant, admin, _ = district
    _adopt(client, admin, "CG-0001", "HJ-0001")
    r = client.patch("/api/v1/power-list/CG-0001", json={"on_major_list": True}, headers=admin)
    assert r.status_code == 200 and r.json["on_major_list"] is True
    r = client.patch("/api/v1/power-list/HJ-0001", json={"on_major_list": False}, headers=admin)
    assert r.status_code == 422 and r.json["code"] == "major-by-law"
    assert client.get("/api/v1/power-list/HJ-0001", headers=admin).json["on_major_list"] is True


def test_another_district_cannot_list_read_or_change_the_power_list(
    client, district, new_district, machine_token
):
    tenant, admin, agencies = district
    _adopt(client, admin, "HJ-0006")
    _assign(client, admin, "HJ-0006", agencies["sthj"])
    other = bearer(machine_token(new_district("旁区").slug, ["district_admin"]))
    assert client.get("/api/v1/power-list?page_size=100", headers=other).json["total"] == 0
    for method, path, body in (
        ("GET", "/api/v1/power-list/HJ-0006", None),
        ("GET", "/api/v1/power-list/HJ-0006/history", None),
        ("GET", "/api/v1/power-list/HJ-0006/holder", None),
        ("PATCH", "/api/v1/power-list/HJ-0006", {"on_major_list": True}),
        ("POST", "/api/v1/power-list/HJ-0006/assignment", {"agency_id": agencies["sthj"]}),
        (
            "POST",
            "/api/v1/power-list/HJ-0006/transfer",
            {"agency_id": agencies["sthj"], "reason": "越权划转"},
        ),
    ):
        r = client.open(path, method=method, json=body, headers=other)
        assert r.status_code == 404 and r.json["code"] == "not-adopted", (method, path)
    _adopt(client, other, "HJ-0006")  # its own adoption of the same matter
    r = _assign(client, other, "HJ-0006", agencies["sthj"])  # … but not A's agency
    assert r.status_code == 422 and r.json["code"] == "unknown-agency"
    assert client.get("/api/v1/power-list/HJ-0006", headers=admin).json["on_major_list"] is False
    mine = client.get("/api/v1/power-list/HJ-0006/history", headers=admin).json["assignments"]
    assert [h["agency_id"] for h in mine] == [agencies["sthj"]]


def test_an_officer_sees_only_the_matters_of_their_own_agency(client, district, live_server):
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope

    tenant, admin, agencies = district
    _adopt(client, admin, "HJ-0001", "CG-0014")
    _assign(client, admin, "HJ-0001", agencies["sthj"])
    _assign(client, admin, "CG-0014", agencies["zhzf"])
    client_id = f"t-{uuid.uuid4().hex[:6]}"
    with tenant_scope(tenant.id), db.new_session() as s:
        machine, secret = create_machine_client(s, client_id, "环境局执法人员", ["officer"])
        machine.agency_code = "sthj"
        s.commit()
    officer = bearer(live_server.client_token(tenant.slug, client_id, secret))
    items = client.get("/api/v1/power-list", headers=officer).json["items"]
    assert {i["matter"]["code"] for i in items} == {"HJ-0001"}
    assert client.get("/api/v1/power-list/CG-0014", headers=officer).status_code == 404


# --- loading and correcting the starter catalog ----------------------------------------


def test_rows_loaded_before_the_second_revision_are_kept_and_corrected_by_the_seed(tmp_path):
    """20261122_0005 adds the structured fields to rows an older edition loaded; `yimen
    powers seed` then corrects starter rows (a new version when the penalty provision
    changed) and leaves an operator's imported rows alone."""
    from sqlalchemy import create_engine, select, text
    from sqlalchemy.orm import Session

    from yimen.platform.migrate import upgrade
    from yimen.tenants.powers.matters import seed_catalog
    from yimen.tenants.powers.model import EnforcementMatter

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "20261122_0009")
    engine = create_engine(url)
    insert = text(
        "INSERT INTO enforcement_matter (id, code, name, domain, law, article, penalty_kinds,"
        " fine_rule, benchmark, is_major, criminal_threshold, version, created_at, updated_at)"
        " VALUES (:id, :code, '旧名称', 'urban_management', '《城市市容和环境卫生管理条例》',"
        " '第三十五条', '[\"fine\"]', '', '[]', 0, '', 1, :at, :at)"
    )
    with engine.begin() as conn:
        for code in ("CG-0008", "CG-0021"):
            conn.execute(
                insert, {"id": uuid.uuid4().hex, "code": code, "at": "2026-06-01 00:00:00"}
            )
    upgrade(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE enforcement_matter SET origin = 'import' WHERE code = 'CG-0021'"))
    with Session(engine) as s:
        assert seed_catalog(s) == 88
        ads, geese = (
            s.execute(select(EnforcementMatter).where(EnforcementMatter.code == c)).scalar_one()
            for c in ("CG-0008", "CG-0021")
        )
        assert ads.article == "第三十六条第(一)项" and ads.version == 2
        assert ads.basis[0]["article"] == "第十一条" and ads.effective_from == dt.date(2026, 1, 1)
        assert geese.name == "旧名称" and geese.version == 1 and geese.origin == "import"
        assert seed_catalog(s) == 0 and ads.version == 2  # idempotent


# --- the region-wide catalog as XLSX ----------------------------------------------------


def test_the_catalog_round_trips_through_xlsx_unchanged(client, operator):
    exported = client.get("/api/v1/matters.xlsx", headers=operator)
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.data))
    assert book.sheetnames == ["执法事项", "裁量基准", "移送标准"]
    matters = book["执法事项"].max_row - 1
    assert matters >= 60 and book["裁量基准"].max_row > matters
    before = client.get("/api/v1/matters/HJ-0001", headers=operator).json
    r = _upload(client, operator, exported.data)
    assert r.status_code == 201 and r.json == {"imported": matters, "created": 0, "changed": 0}
    assert client.get("/api/v1/matters/HJ-0001", headers=operator).json == before


def _workbook(matters, tiers=(), thresholds=()) -> bytes:
    from yimen.tenants.powers.xlsx import MATTER_COLUMNS, THRESHOLD_COLUMNS, TIER_COLUMNS

    book = Workbook()
    sheets = (book.active, book.create_sheet("裁量基准"), book.create_sheet("移送标准"))
    sheets[0].title = "执法事项"
    for sheet, columns, rows in zip(
        sheets,
        (MATTER_COLUMNS, TIER_COLUMNS, THRESHOLD_COLUMNS),
        (matters, tiers, thresholds),
        strict=True,
    ):
        sheet.append([c.header for c in columns])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _matter_row(code, **changes):
    row = {
        "code": code,
        "name": "在城市道路上洗车 (测试)",
        "domain": "城市管理",
        "basis": "《城市道路管理条例》第二十七条第(七)项",
        "law": "《城市道路管理条例》",
        "article": "第四十二条",
        "kinds": "罚款",
        "party": "不区分",
        "fine_min": 0,
        "fine_max": 20000,
        "rule": "",
        "major": "否",
        "criminal": "",
        "from": "2026-01-01",
        "to": "",
        "version": "",
    }
    row.update(changes)
    return list(row.values())


def test_an_imported_matter_keeps_its_own_tiers_and_a_change_is_a_new_version(client, operator):
    code = f"T-{uuid.uuid4().hex[:6]}"
    tiers = [
        [code, "从轻", "单位", "首次违法且及时改正", 1000, 5000, ""],
        [code, "从重", "单位", "拒不改正", 15000, 20000, "罚款"],
    ]
    r = _upload(
        client,
        operator,
        _workbook([_matter_row(code)], tiers, [[code, "area", "占用面积", 50, "平方米"]]),
    )
    assert r.status_code == 201 and r.json == {"imported": 1, "created": 1, "changed": 0}, r.json
    matter = client.get(f"/api/v1/matters/{code}", headers=operator).json
    assert [(t["name"], t["party_type"], t["fine_max"]) for t in matter["benchmark"]] == [
        ("从轻", "organisation", 5000),
        ("从重", "organisation", 20000),
    ]
    assert matter["domain"] == "urban_management" and matter["version"] == 1
    assert matter["threshold_values"][0]["value"] == 50
    r = _upload(client, operator, _workbook([_matter_row(code, fine_max=10000)]))
    assert r.status_code == 201 and r.json["changed"] == 1
    changed = client.get(f"/api/v1/matters/{code}", headers=operator).json
    assert changed["version"] == 2 and changed["benchmark"][-1]["fine_max"] == 10000
    assert changed["threshold_values"][0]["value"] == 50  # the sheet stayed empty: kept


def test_a_malformed_workbook_is_refused_with_a_row_report_and_nothing_is_written(client, operator):
    new, also_new = f"T-{uuid.uuid4().hex[:6]}", f"T-{uuid.uuid4().hex[:6]}"
    matters = [
        _matter_row(new),
        _matter_row(also_new, domain="astrology", fine_min="很多"),
        _matter_row("CG-0001", article="三十四条", basis="城市道路管理条例 27"),
    ]
    tiers = [
        [new, "从重", "", "", 15000, 25000, "吊销许可证件"],
        ["XX-0000", "一般", "", "", 1, 2, ""],
    ]
    thresholds = [[new, "area", "占用面积", -5, "平方米"]]
    r = _upload(client, operator, _workbook(matters, tiers, thresholds))
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    assert r.json["code"] == "import-rejected" and r.json["invalid_rows"] == 5
    report = {(e.get("sheet"), e["row"], e["field"]) for e in r.json["rows"]}
    assert {
        (None, 3, "domain"),
        (None, 3, "fine_min"),
        (None, 4, "article"),
        (None, 4, "basis"),
        ("裁量基准", 2, "fine_max"),
        ("裁量基准", 2, "other_penalties"),
        ("裁量基准", 3, "code"),
        ("移送标准", 2, "value"),
    } <= report
    assert all(e["message"] and e["message_en"] for e in r.json["rows"])
    for code in (new, also_new):
        assert client.get(f"/api/v1/matters/{code}", headers=operator).status_code == 404
    assert (
        client.get("/api/v1/matters/CG-0001", headers=operator).json["article"]
        == "第三十四条第(一)项"
    )


def test_files_that_are_not_a_catalog_are_refused(client, operator, machine_token):
    assert _upload(client, operator, b"\x00" * (5 * 1024 * 1024 + 1)).status_code == 413
    r = _upload(client, operator, b"PK\x03\x04 not really a zip")
    assert r.status_code == 422 and r.json["code"] == "invalid-import-file"
    r = _upload(client, operator, b"code,name\nCG-0001,x\n")
    assert r.status_code == 422 and "law" in r.json["detail_en"]
    admin = bearer(machine_token("xuanwu", ["district_admin"]))  # the demo's: refused only
    assert _upload(client, admin, b"code\n").status_code == 403


# --- routing and the public page ----------------------------------------------------------


def test_holder_of_answers_who_held_a_matter_on_a_date(app, client, district):
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.tenants.powers.service import holder_of

    tenant, admin, agencies = district
    _adopt(client, admin, "WL-0003", "WL-0001")
    _assign(
        client, admin, "WL-0003", agencies["whly"], effective=str(_today() - dt.timedelta(days=3))
    )
    with tenant_scope(tenant.id), db.new_session() as s:
        assert holder_of(s, "WL-0003").code == "whly"
        assert holder_of(s, "WL-0003", _today() - dt.timedelta(days=3)).code == "whly"
        assert holder_of(s, "WL-0003", _today() - dt.timedelta(days=4)) is None
        assert holder_of(s, "WL-0001") is None  # adopted, nobody holds it yet
        assert holder_of(s, "ZZ-0000") is None


def test_the_demo_district_records_the_transfer_of_street_level_matters(client, machine_token):
    # about the demo seed itself (tenants/powers/demo.py): xuanwu's power list as seeded
    admin = bearer(machine_token("xuanwu", ["district_admin"]))
    history = client.get("/api/v1/power-list/CG-0001/history", headers=admin).json["assignments"]
    assert [h["agency_name"] for h in history] == [
        "玄武区综合行政执法局",
        "梅园新村街道办事处",
    ]
    assert "第二十四条" in history[1]["reason"]


def test_the_public_power_list_shows_the_legal_basis_and_only_the_districts_agencies(client):
    # the public demo pages: the demo districts' power lists as seeded, only read
    page = client.get("/t/xuanwu/powers?domain=environment").get_data(as_text=True)
    assert "《中华人民共和国大气污染防治法》第九十九条" in page and "第十八条" in page
    assert "玄武区生态环境局" in page and "秦淮区" not in page
    english = client.get("/t/xuanwu/powers?domain=environment&lang=en").get_data(as_text=True)
    assert "Provisions violated" in english and "Fine" in english
    found = client.get("/t/xuanwu/powers?q=油烟").get_data(as_text=True)
    assert "CG-0014" in found and "HJ-0001" not in found
    second = client.get("/t/xuanwu/powers?page=2")
    assert second.status_code == 200 and "/t/xuanwu/powers?page=1" in second.get_data(as_text=True)


def test_the_public_matter_page_publishes_the_benchmark_and_the_holders(client):
    r = client.get("/t/xuanwu/powers/CG-0001")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Content-Security-Policy" in r.headers
    assert "《城市市容和环境卫生管理条例》第三十四条第(一)项" in page
    assert "梅园新村街道办事处" in page and "玄武区综合行政执法局" in page
    assert "秦淮区" not in page
    air = client.get("/t/qinhuai/powers/HJ-0001").get_data(as_text=True)
    assert "从重" in air and "730,000" in air and "秦淮区生态环境局" in air and "玄武区" not in air
    assert client.get("/t/xuanwu/powers/XX-9999").status_code == 404
    assert client.get("/t/nowhere/powers").status_code == 404
