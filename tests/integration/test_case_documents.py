"""Case documents: gapless numbers per agency, kind and year even under 50 concurrent
issues on PostgreSQL; the decision's mandatory contents (处罚法 第五十九条) in its PDF;
the on-the-spot decision's reconsideration-first notice (行政复议法 第二十三条); signatures
bound to the PDF's SHA-256; the PDF endpoint scoped to the agency and the district."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import bearer
from tests.integration.conftest import _agency_client

OIL_FUMES = "CG-0014"  # 大气污染防治法 第一百一十八条
PARTY = "南京味道餐饮管理有限公司"


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def _tenant_id(slug: str = "xuanwu") -> uuid.UUID:
    from yimen.platform.kernel.db import db
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        return s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()


def _agency(tenant_id, prefix: str) -> uuid.UUID:
    """A fresh agency, so that its sequences start at 1 whatever other tests issued."""
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Agency, AgencyKind

    code = f"t{uuid.uuid4().hex[:8]}"
    with tenant_scope(tenant_id), db.new_session() as s:
        agency = Agency(
            code=code,
            name=f"玄武区测试执法局{code}",  # the district's agencies carry its name
            credit_code=uuid.uuid4().hex[:18].upper(),
            kind=AgencyKind.COMPREHENSIVE_BUREAU,
            doc_prefix=prefix,
        )
        s.add(agency)
        s.commit()
        return agency.id


def _case(tenant_id, agency_id=None, agency_code: str = "zhzf", **fields) -> uuid.UUID:
    from yimen.platform.cases.record.model import Case, CaseParty
    from yimen.platform.cases.service import take_part
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.db.agency_scope import ParticipationRole
    from yimen.platform.kernel.directory import Agency

    with tenant_scope(tenant_id), db.new_session() as s:
        if agency_id is None:
            agency_id = s.execute(select(Agency.id).where(Agency.code == agency_code)).scalar()
        case = Case(
            agency_id=agency_id,
            matter_code=OIL_FUMES,
            facts="在玄武区珠江路88号经营餐馆，未安装油烟净化设施直排油烟。",
            place="玄武区珠江路88号",
            penalty_kinds=["fine"],
            fine_fen=500000,
            **fields,
        )
        case.parties.append(
            CaseParty(
                kind="organisation",
                name=PARTY,
                credit_code="91320102MA1MXXX90X",
                address="南京市玄武区珠江路88号",
            )
        )
        s.add(case)
        take_part(s, case, agency_id, ParticipationRole.LEAD)  # as the use case does
        s.commit()
        return case.id


def _issue(tenant_id, case_id, kind="行政处罚决定书", now=None, commit=True):
    from yimen.platform.cases.documents import issuing as documents
    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(tenant_id), db.new_session() as s:
        document = documents.issue(s, s.get(Case, case_id), kind, {}, "test", now=now)
        number = document.number
        if commit:
            s.commit()
        else:
            s.rollback()
        return number


@pytest.fixture
def fast_pdf(monkeypatch):
    """Numbering tests do not need a real PDF (~0.5 s each): the rest of issue() runs."""
    from yimen.platform.cases.documents import issuing as documents

    monkeypatch.setattr(documents, "render", lambda kind, ctx: f"%PDF {ctx['number']}".encode())


def test_fifty_parallel_decisions_are_numbered_1_to_50_without_gap_or_repeat(
    app, backend, fast_pdf
):
    """Issue acceptance: 50 decisions issued at once for one agency, each in its own
    session and transaction, get 玄测罚〔year〕1号 … 50号 exactly once each."""
    if backend != "postgresql":
        pytest.skip("the concurrency guarantee is PostgreSQL's row lock (SQLite has one writer)")
    tenant = _tenant_id()
    agency = _agency(tenant, "玄测罚")
    case = _case(tenant, agency)
    numbers, errors = [], []
    start = threading.Barrier(50)

    def worker():
        try:
            start.wait()
            numbers.append(_issue(tenant, case))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    year = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).year
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [
        f"玄测罚〔{year}〕{n}号" for n in range(1, 51)
    ]


def test_a_rolled_back_issue_consumes_no_number(app, fast_pdf):
    tenant = _tenant_id()
    case = _case(tenant, _agency(tenant, "玄回执"))
    assert _issue(tenant, case, commit=False).endswith("1号")
    assert _issue(tenant, case).endswith("1号")
    assert _issue(tenant, case).endswith("2号")


def test_sequences_are_separate_per_kind_agency_and_year_of_issue_in_shanghai(app, fast_pdf):
    tenant = _tenant_id()
    first, second = _agency(tenant, "玄甲执"), _agency(tenant, "玄乙执罚")
    case_a, case_b = _case(tenant, first), _case(tenant, second)
    new_years_eve = dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)  # 23:30 in Shanghai
    new_year = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 2027-01-01
    assert _issue(tenant, case_a, now=new_years_eve) == "玄甲执罚〔2026〕1号"
    assert _issue(tenant, case_a, "行政处罚事先告知书", new_years_eve) == "玄甲执告〔2026〕1号"
    assert _issue(tenant, case_b, now=new_years_eve) == "玄乙执罚〔2026〕1号"
    assert _issue(tenant, case_a, now=new_year) == "玄甲执罚〔2027〕1号"
    assert _issue(tenant, case_a, now=new_years_eve) == "玄甲执罚〔2026〕2号"
    assert _issue(tenant, case_a, "询问笔录", new_years_eve) is None  # records carry no number


def test_decision_pdf_states_what_article_59_requires_and_is_served_to_its_agency_only(
    app, client, live_server, cjk_fonts
):
    """处罚法 第五十九条: party's name and address, facts, type and basis, how and by when
    to pay, reconsideration (60 days, the district government) and litigation (6 months),
    agency name and date, seal; the PDF is the agency's, invisible to another district."""
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.kernel.db import db, tenant_scope

    tenant = _tenant_id()
    case = _case(tenant)
    _issue(tenant, case)
    with tenant_scope(tenant), db.new_session() as s:
        document = s.execute(select(CaseDocument).where(CaseDocument.case_id == case)).scalar_one()
        number, digest = document.number, document.sha256

    officer = _agency_client(live_server, app, "zhzf", ["officer"])
    r = client.get(f"/api/v1/cases/{case}/documents", headers=officer)
    assert r.status_code == 200 and r.json["total"] == 1
    item = r.json["items"][0]
    assert (item["kind"], item["number"]) == ("行政处罚决定书", number)

    r = client.get(item["pdf_url"], headers=officer)
    assert r.status_code == 200
    assert r.mimetype == "application/pdf" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''%E8%A1%8C%E6%94%BF" in r.headers["Content-Disposition"]  # 行政…
    assert hashlib.sha256(r.data).hexdigest() == digest
    text = _text(r.data)
    for expected in (
        PARTY,
        "南京市玄武区珠江路88号",
        "未安装油烟净化设施直排油烟",
        "罚款人民币伍仟元整（¥5,000.00）",
        "第一百一十八条",
        number,
        "十五日内",
        "六十日内向南京市玄武区人民政府申请行政复议",
        "六个月内",
        "玄武区综合行政执法局（印章）",
    ):
        assert expected in text, expected

    # A signature is bound to the exact PDF it was put on.
    r = client.post(
        f"/api/v1/cases/{case}/documents/{item['id']}/signatures",
        json={"signer": "王小明", "signer_role": "party"},
        headers=officer,
    )
    assert r.status_code == 201, r.json
    assert r.json["pdf_sha256"] == digest
    r = client.get(f"/api/v1/cases/{case}/documents/{item['id']}", headers=officer)
    roles = {(s["signer_role"], s["pdf_sha256"]) for s in r.json["signatures"]}
    assert roles == {("agency_seal", digest), ("party", digest)}

    other_agency = _agency_client(live_server, app, "scjg", ["officer"])
    assert client.get(item["pdf_url"], headers=other_agency).status_code == 404
    other_district = bearer(_district_officer(live_server, "qinhuai", "zhzf"))
    assert client.get(item["pdf_url"], headers=other_district).status_code == 404


def _district_officer(live_server, slug: str, agency_code: str) -> str:
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope

    client_id = f"{slug}-{uuid.uuid4().hex[:6]}"
    with tenant_scope(_tenant_id(slug)), db.new_session() as s:
        row, secret = create_machine_client(s, client_id, agency_code, ["officer"])
        row.agency_code = agency_code
        s.commit()
    return live_server.client_token(slug, client_id, secret)


def test_on_the_spot_decision_says_reconsideration_first_and_offers_no_direct_suit(app, cjk_fonts):
    """行政复议法 第二十三条第一款第(一)项、第二款: an on-the-spot penalty goes to
    reconsideration first, and the decision must tell the party so."""
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.kernel.db import db, tenant_scope

    tenant = _tenant_id()
    case = _case(tenant, procedure="simple")
    number = _issue(tenant, case, "当场处罚决定书")
    with tenant_scope(tenant), db.new_session() as s:
        document = s.execute(select(CaseDocument).where(CaseDocument.number == number)).scalar_one()
        text = _text(document.pdf)
    assert "先向南京市玄武区人民政府申请行政复议" in text
    assert "提起行政诉讼" not in text and "六个月" not in text
    assert number.startswith("玄综执简罚〔")
