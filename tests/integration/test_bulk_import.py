"""A district administrator imports agencies and officers from the XLSX template."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.conftest import bearer


@pytest.fixture
def district(new_district, machine_token):
    tenant = new_district("导入测试区")
    return tenant, bearer(machine_token(tenant.slug, ["district_admin"]))


def _upload(client, headers, kind: str, content: bytes, name="import.xlsx"):
    return client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(content), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_the_template_has_chinese_and_english_headers(client, district):
    _, admin = district
    r = client.get("/api/v1/imports/templates/agencies.xlsx", headers=admin)
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert sheet.cell(1, 4).value == "统一社会信用代码 (credit code)"


def test_26_agencies_import_in_one_go(client, district):
    tenant, admin = district
    r = _upload(client, admin, "agencies", factories.agencies_xlsx(tenant.division_code))
    assert r.status_code == 201, r.json
    assert r.json == {"imported": 26}
    assert client.get("/api/v1/agencies", headers=admin).json["total"] == 26


def test_one_malformed_row_rejects_the_whole_file_with_a_row_report(client, district):
    tenant, admin = district
    rows = factories.agency_rows(tenant.division_code, 5)
    rows[2][3] = rows[2][3][:-1] + ("0" if rows[2][3][-1] != "0" else "1")  # wrong check character
    rows[4][4] = "不存在的类别"
    rows[3][0] = rows[0][0]  # duplicate code within the file
    r = _upload(client, admin, "agencies", factories.xlsx(factories.AGENCY_COLUMNS, rows))
    assert r.status_code == 422
    assert r.content_type == "application/problem+json"
    assert r.json["code"] == "import-rejected"
    assert r.json["invalid_rows"] == 3
    by_row = {(e["row"], e["field"]) for e in r.json["rows"]}
    assert {(4, "credit_code"), (5, "code"), (6, "kind")} <= by_row
    assert client.get("/api/v1/agencies", headers=admin).json["total"] == 0


def test_a_csv_file_works_too(client, district):
    tenant, admin = district
    header = ",".join(c.header for c in factories.AGENCY_COLUMNS)
    lines = [header] + [",".join(row) for row in factories.agency_rows(tenant.division_code, 3)]
    r = _upload(client, admin, "agencies", "\n".join(lines).encode("utf-8-sig"), "agencies.csv")
    assert r.status_code == 201 and r.json["imported"] == 3


def test_a_file_missing_a_required_column_is_explained(client, district):
    _, admin = district
    content = factories.xlsx(factories.AGENCY_COLUMNS[:2], [["a", "b"]])
    r = _upload(client, admin, "agencies", content)
    assert r.status_code == 422 and "统一社会信用代码" in r.json["detail"]


def test_a_damaged_file_is_a_clear_error(client, district):
    _, admin = district
    r = _upload(client, admin, "agencies", b"PK\x03\x04 this is not really a workbook")
    assert r.status_code == 422 and r.json["code"] == "invalid-import-file"


def test_officers_import_with_their_certificates(client, district):
    tenant, admin = district
    _upload(client, admin, "agencies", factories.agencies_xlsx(tenant.division_code))
    r = _upload(client, admin, "officers", factories.officers_xlsx(52, tenant.slug))
    assert r.status_code == 201, r.json
    officers = client.get("/api/v1/officers?page_size=100", headers=admin).json
    assert officers["total"] == 52
    assert all(
        o["certificate_valid_until"] == "2029-06-30"
        for o in officers["items"]
        if o["certificate_no"]
    )


def test_an_officer_row_with_an_unknown_agency_rejects_the_file(client, district):
    tenant, admin = district
    _upload(client, admin, "agencies", factories.agencies_xlsx(tenant.division_code, 3))
    rows = factories.officer_rows(3, tenant.slug, agencies=3)
    rows[1][2] = "nosuch"
    r = _upload(client, admin, "officers", factories.xlsx(factories.OFFICER_COLUMNS, rows))
    assert r.status_code == 422 and r.json["rows"][0]["row"] == 3
    assert client.get("/api/v1/officers", headers=admin).json["total"] == 0
