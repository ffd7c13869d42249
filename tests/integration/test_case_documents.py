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

from tests import support
from tests.conftest import bearer
from tests.integration.conftest import _agency_client

OIL_FUMES = "CG-0014"  # 大气污染防治法 第一百一十八条
PARTY = "南京味道餐饮管理有限公司"


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


DISTRICT: dict = {}  # the module's own district, where the helpers below write and read


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


def _tenant_id(slug: str | None = None) -> uuid.UUID:
    """District `slug`'s id; without one, the module's own district's."""
    return support.tenant_id(slug) if slug else DISTRICT["tenant_id"]


def _agency(tenant_id, prefix: str) -> uuid.UUID:
    """A fresh agency, so that its sequences start at 1 whatever other tests issued."""
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Agency, AgencyKind

    code = f"t{uuid.uuid4().hex[:8]}"
    with tenant_scope(tenant_id), db.new_session() as s:
        agency = Agency(
            code=code,
            name=f"测试区测试执法局{code}",  # the district's agencies carry its name
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
    session and transaction, get 测测罚〔year〕1号 … 50号 exactly once each."""
    if backend != "postgresql":
        pytest.skip("the concurrency guarantee is PostgreSQL's row lock (SQLite has one writer)")
    tenant = _tenant_id()
    agency = _agency(tenant, "测测罚")
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
        f"测测罚〔{year}〕{n}号" for n in range(1, 51)
    ]


def test_a_rolled_back_issue_consumes_no_number(app, fast_pdf):
    tenant = _tenant_id()
    case = _case(tenant, _agency(tenant, "测回执"))
    assert _issue(tenant, case, commit=False).endswith("1号")
    assert _issue(tenant, case).endswith("1号")
    assert _issue(tenant, case).endswith("2号")


def test_sequences_are_separate_per_kind_agency_and_year_of_issue_in_shanghai(app, fast_pdf):
    tenant = _tenant_id()
    first, second = _agency(tenant, "测甲执"), _agency(tenant, "测乙执罚")
    case_a, case_b = _case(tenant, first), _case(tenant, second)
    new_years_eve = dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)  # 23:30 in Shanghai
    new_year = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 2027-01-01
    assert _issue(tenant, case_a, now=new_years_eve) == "测甲执罚〔2026〕1号"
    assert _issue(tenant, case_a, "行政处罚事先告知书", new_years_eve) == "测甲执告〔2026〕1号"
    assert _issue(tenant, case_b, now=new_years_eve) == "测乙执罚〔2026〕1号"
    assert _issue(tenant, case_a, now=new_year) == "测甲执罚〔2027〕1号"
    assert _issue(tenant, case_a, now=new_years_eve) == "测甲执罚〔2026〕2号"
    assert _issue(tenant, case_a, "询问笔录", new_years_eve) is None  # records carry no number


def test_decision_pdf_states_what_article_59_requires_and_is_served_to_its_agency_only(
    app, client, live_server, cjk_fonts, render_documents
):
    """处罚法 第五十九条: party's name and address, facts, type and basis, how and by when
    to pay, reconsideration (60 days, the district government) and litigation (6 months),
    agency name and date, seal; the PDF is the agency's, invisible to another district."""
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.kernel.db import db, tenant_scope

    tenant = _tenant_id()
    case = _case(tenant)
    _issue(tenant, case)
    render_documents()  # the worker, after the issuing transaction committed
    with tenant_scope(tenant), db.new_session() as s:
        document = s.execute(select(CaseDocument).where(CaseDocument.case_id == case)).scalar_one()
        number, digest = document.number, document.sha256

    officer = _agency_client(live_server, app, "zhzf", ["officer"], DISTRICT["slug"])
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
        "六十日内向测试区人民政府申请行政复议",
        "六个月内",
        "测试区综合行政执法局（印章）",
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

    other_agency = _agency_client(live_server, app, "scjg", ["officer"], DISTRICT["slug"])
    assert client.get(item["pdf_url"], headers=other_agency).status_code == 404
    # the demo's qinhuai as the neighbour: a district with the same agencies, only reading
    other_district = bearer(_district_officer(live_server, "qinhuai", "zhzf"))
    assert client.get(item["pdf_url"], headers=other_district).status_code == 404


def _stored_pdf(app, document) -> bytes:
    with app.extensions["yimen.blobs"].open(document.blob_key) as f:
        return f.read()


def _district_officer(live_server, slug: str, agency_code: str) -> str:
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope

    client_id = f"{slug}-{uuid.uuid4().hex[:6]}"
    with tenant_scope(_tenant_id(slug)), db.new_session() as s:
        row, secret = create_machine_client(s, client_id, agency_code, ["officer"])
        row.agency_code = agency_code
        s.commit()
    return live_server.client_token(slug, client_id, secret)


def test_on_the_spot_decision_says_reconsideration_first_and_offers_no_direct_suit(
    app, cjk_fonts, render_documents
):
    """行政复议法 第二十三条第一款第(一)项、第二款: an on-the-spot penalty goes to
    reconsideration first, and the decision must tell the party so."""
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.kernel.db import db, tenant_scope

    tenant = _tenant_id()
    case = _case(tenant, procedure="simple")
    number = _issue(tenant, case, "当场处罚决定书")
    render_documents()
    with tenant_scope(tenant), db.new_session() as s:
        document = s.execute(select(CaseDocument).where(CaseDocument.number == number)).scalar_one()
        text = _text(_stored_pdf(app, document))
    assert "先向测试区人民政府申请行政复议" in text
    assert "提起行政诉讼" not in text and "六个月" not in text
    assert number.startswith("测综执简罚〔")


# --- rendered after commit (issue #12, item 6) --------------------------------------


def _pdf_events(client, case_id, headers) -> list[dict]:
    r = client.get(f"/api/v1/cases/{case_id}/events?page_size=100", headers=headers)
    return [e for e in r.json["items"] if e["kind"] == "document_rendered"]


def test_an_issued_document_is_pending_until_the_worker_renders_it_and_binds_its_hash(
    app, client, live_server, render_documents, cjk_fonts
):
    """The action commits the number; the PDF is not there yet (生成中): the API says
    `pending`, the PDF answers 409 with Retry-After in both languages, nobody can sign
    it. The worker then renders it into the blob store and appends `document_rendered`
    with the PDF's SHA-256 to the case's chain, which stays intact."""
    from tests.integration.test_case_lifecycle import Case

    officer = _agency_client(live_server, app, "zhzf", ["officer"], DISTRICT["slug"])
    head = _agency_client(live_server, app, "zhzf", ["agency_head", "officer"], DISTRICT["slug"])
    names = client.get("/api/v1/officers?page_size=100", headers=officer).json["items"]
    by_name = {o["name"]: o["id"] for o in names}
    desk = {"officer": officer, "head": head, "officers": [by_name["张伟"], by_name["王芳"]]}
    case = Case(client, desk)
    case.do("approve_filing", "head", opinion="同意立案")

    item = client.get(f"/api/v1/cases/{case.id}/documents", headers=officer).json["items"][0]
    assert (item["kind"], item["pdf_status"], item["sha256"], item["size"]) == (
        "立案审批表",
        "pending",
        None,
        None,
    )
    r = client.get(item["pdf_url"], headers=officer)
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert r.json["code"] == "document-pending" and r.json["pdf_status"] == "pending"
    assert "生成中" in r.json["detail"] and "being generated" in r.json["detail_en"]
    assert r.headers["Retry-After"] == "5"
    signed = client.post(
        f"{item['pdf_url'].removesuffix('.pdf')}/signatures",
        json={"signer": "王小明", "signer_role": "party"},
        headers=officer,
    )
    assert signed.status_code == 409 and signed.json["code"] == "document-pending"
    assert _pdf_events(client, case.id, officer) == []

    assert render_documents() == [uuid.UUID(item["id"])]

    ready = client.get(item["pdf_url"].removesuffix(".pdf"), headers=officer).json
    pdf = client.get(item["pdf_url"], headers=officer)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    digest = hashlib.sha256(pdf.data).hexdigest()
    assert (ready["pdf_status"], ready["sha256"], ready["size"]) == ("ready", digest, len(pdf.data))
    (bound,) = _pdf_events(client, case.id, officer)
    assert bound["payload"]["documents"] == [
        {
            "id": item["id"],
            "kind": "立案审批表",
            "number": None,
            "sha256": digest,
            "size": len(pdf.data),
        }
    ]
    assert bound["actor"] == "system:documents"
    chain = client.get(f"/api/v1/cases/{case.id}/chain", headers=officer).json
    assert chain["ok"] and chain["head_hash"] == bound["hash"]

    # A retry (or the relay finding it) renders nothing and appends nothing.
    from yimen.platform.cases.documents import rendering as document_tasks

    assert not document_tasks.render_now(_tenant_id(), uuid.UUID(item["id"]))
    assert len(_pdf_events(client, case.id, officer)) == 1


def test_rendering_holds_no_lock_and_a_document_is_rendered_and_bound_once(
    app, backend, render_documents, monkeypatch
):
    """While the worker renders, the same agency issues the next number of the same
    kind (it would wait for the counter's row lock if rendering held it); a second run,
    after or racing the first, renders nothing more and appends no second event."""
    from yimen.platform.cases.documents import issuing as documents
    from yimen.platform.cases.documents import rendering as document_tasks
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.cases.record.log import CaseEvent
    from yimen.platform.kernel.db import db, tenant_scope

    tenant = _tenant_id()
    case = _case(tenant, _agency(tenant, "测锁执罚"))
    renders, issued_meanwhile = [], []

    def issue_meanwhile():
        issued_meanwhile.append(_issue(tenant, case))

    def fake_render(html: str) -> bytes:
        renders.append(html)
        if len(renders) == 1:
            other = threading.Thread(target=issue_meanwhile)
            other.start()
            other.join(20)
            assert not other.is_alive(), "issuing waited for the rendering"
        return f"%PDF-fake {uuid.uuid4()}".encode()

    monkeypatch.setattr(documents, "render_pdf", fake_render)
    first = _issue(tenant, case)
    assert first.endswith("1号")
    assert len(render_documents()) == 2  # the first, and the one issued meanwhile
    assert issued_meanwhile[0].endswith("2号") and len(renders) == 2

    with tenant_scope(tenant), db.new_session() as s:
        docs = s.execute(select(CaseDocument).where(CaseDocument.case_id == case)).scalars()
        ids = [d.id for d in docs]
        assert not any(document_tasks.render_now(tenant, d) for d in ids)
    assert len(renders) == 2

    if backend == "postgresql":  # two runs racing past the pending check
        _issue(tenant, case)
        with tenant_scope(tenant), db.new_session() as s:
            pending = s.execute(
                select(CaseDocument.id).where(
                    CaseDocument.case_id == case, CaseDocument.sha256.is_(None)
                )
            ).scalar_one()
        both = threading.Barrier(2)

        def slow_render(html: str) -> bytes:
            both.wait(10)
            return f"%PDF-race {uuid.uuid4()}".encode()

        monkeypatch.setattr(documents, "render_pdf", slow_render)
        results = []
        runs = [
            threading.Thread(
                target=lambda: results.append(document_tasks.render_now(tenant, pending))
            )
            for _ in range(2)
        ]
        for run in runs:
            run.start()
        for run in runs:
            run.join(30)
        assert sorted(results) == [False, True]

    with tenant_scope(tenant), db.new_session() as s:
        rendered = (
            s.execute(
                select(CaseEvent).where(
                    CaseEvent.case_id == case, CaseEvent.kind == "document_rendered"
                )
            )
            .scalars()
            .all()
        )
        bound = [e.payload["documents"][0]["id"] for e in rendered]
        assert len(bound) == len(set(bound)) == (3 if backend == "postgresql" else 2)
        for e in rendered:
            document = s.get(CaseDocument, uuid.UUID(e.payload["documents"][0]["id"]))
            assert document.sha256 == e.payload["documents"][0]["sha256"]
            assert app.extensions["yimen.blobs"].exists(document.blob_key)


def test_a_pdf_kept_in_the_row_is_still_served_and_moves_to_the_blob_store(
    app, client, live_server, render_documents
):
    """Documents issued before the blob store was used keep their PDF in the row and are
    served from it; `yimen documents move-to-blobs` moves them (again: moves nothing)."""
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import db, tenant_scope

    tenant = _tenant_id()
    case = _case(tenant)
    old_pdf = f"%PDF-1.7 issued before the blob store {uuid.uuid4()}".encode()
    with tenant_scope(tenant), db.new_session() as s:
        document = CaseDocument(
            case_id=case,
            agency_id=s.get(Case, case).agency_id,
            kind="询问笔录",
            year=2026,
            template_version="t-old",
            sha256=hashlib.sha256(old_pdf).hexdigest(),
            size=len(old_pdf),
            pdf=old_pdf,
            issued_by="test",
        )
        s.add(document)
        s.commit()
        doc_id, digest = document.id, document.sha256
    officer = _agency_client(live_server, app, "zhzf", ["officer"], DISTRICT["slug"])
    url = f"/api/v1/cases/{case}/documents/{doc_id}.pdf"
    assert client.get(url, headers=officer).data == old_pdf
    assert client.get(url.removesuffix(".pdf"), headers=officer).json["pdf_status"] == "ready"

    result = app.test_cli_runner().invoke(args=["documents", "move-to-blobs"])
    assert result.exit_code == 0, result.output
    assert "moved to the blob store" in result.output
    with tenant_scope(tenant), db.new_session() as s:
        from sqlalchemy.orm import undefer

        moved = s.execute(
            select(CaseDocument).where(CaseDocument.id == doc_id).options(undefer(CaseDocument.pdf))
        ).scalar_one()
        assert moved.pdf is None and moved.blob_key.endswith(digest)
    served = client.get(url, headers=officer)
    assert served.data == old_pdf and served.headers["ETag"] == f'"{digest}"'
    again = app.test_cli_runner().invoke(args=["documents", "move-to-blobs"])
    assert "已移入文件存储 0 份文书" in again.output


def test_a_rolled_back_issue_sends_nothing_and_a_lost_message_is_sent_again(
    app, render_documents, monkeypatch
):
    """Nothing leaves the process before the commit (a number given back is never
    rendered); a message lost on the way (the embedded broker keeps them in memory) is
    found by `render_pending_documents` once it is older than RELAY_AFTER."""
    from yimen.platform.cases.documents import issuing as documents
    from yimen.platform.cases.documents import rendering as document_tasks
    from yimen.platform.cases.documents.model import CaseDocument
    from yimen.platform.kernel.db import db, tenant_scope

    monkeypatch.setattr(documents, "render_pdf", lambda html: f"%PDF {uuid.uuid4()}".encode())
    tenant = _tenant_id()
    case = _case(tenant, _agency(tenant, "测丢执罚"))
    _issue(tenant, case, commit=False)
    assert render_documents() == []
    _issue(tenant, case)
    document_tasks.render_document.broker.flush(document_tasks.QUEUE)  # lost
    with tenant_scope(tenant), db.new_session() as s:
        lost = s.execute(select(CaseDocument.id).where(CaseDocument.case_id == case)).scalar_one()
    assert (tenant, lost) in document_tasks.pending()

    document_tasks.render_pending_documents()  # issued just now: its message may be on its way
    assert lost not in render_documents()
    monkeypatch.setattr(document_tasks, "RELAY_AFTER", dt.timedelta(0))
    document_tasks.render_pending_documents()
    assert lost in render_documents()
    assert (tenant, lost) not in document_tasks.pending()
