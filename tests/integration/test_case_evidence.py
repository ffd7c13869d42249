"""Evidence files of a case (处罚法 第四十六条 the kinds, 第四十七条 the full-process
record): an officer streams photos, videos, recordings and documents up; they are typed
by their content, kept under their SHA-256, listed, downloaded unchanged, and each one's
hash is in the case's chain. A case that takes no evidence now keeps nothing; a re-sent
offline upload is one evidence; nobody outside the agency sees any of it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import uuid
from urllib.parse import quote

from tests.integration import test_blob_store_contract as contract
from tests.integration import test_case_lifecycle as lifecycle
from tests.integration.test_complaint_attachments import _blobs, tiny_png

desk = lifecycle.desk  # the officers of 综合执法局 zhzf, its head and a legal reviewer
MB = 1024 * 1024


def tiny_pdf() -> bytes:
    """A minimal PDF, unique per call (evidence is content-addressed)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"% " + os.urandom(8).hex().encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def headers(desk, kind="audio_visual", title="现场照片", who="officer", **extra) -> dict:
    out = {
        **desk[who],
        "Content-Type": "application/octet-stream",
        "X-Evidence-Kind": kind,
        "X-Evidence-Title": quote(title),
    }
    out.update({f"X-{k.replace('_', '-').title()}": v for k, v in extra.items()})
    return out


def filed(client, desk) -> lifecycle.Case:
    case = lifecycle.Case(client, desk)
    case.do("approve_filing", who="head")
    assert case.json["stage"] == "investigation"
    return case


def upload(client, case_id, body: bytes, hdrs: dict):
    return client.post(f"/api/v1/cases/{case_id}/evidence", data=body, headers=hdrs)


def evidence_events(client, desk, case_id) -> list[dict]:
    items = client.get(
        f"/api/v1/cases/{case_id}/events?page_size=100", headers=desk["officer"]
    ).json["items"]
    return [e for e in items if e["kind"] == "add_evidence"]


def test_a_photo_and_a_pdf_are_listed_downloaded_unchanged_and_bound_into_the_chain__第四十七条(
    client, desk
):
    case = filed(client, desk)
    photo, pdf = tiny_png(), tiny_pdf()
    r = upload(
        client,
        case.id,
        photo,
        headers(
            desk,
            "audio_visual",
            "珠江路88号油烟直排照片",
            captured_at="2026-11-20T09:30:00+08:00",
            captured_lat="32.0489",
            captured_lng="118.7913",
            device=quote("执法记录仪 DSJ-01"),
        ),
    )
    assert r.status_code == 201, r.json
    shot = r.json
    assert shot["media_type"] == "image/png" and shot["kind_label"] == "视听资料"
    assert shot["sha256"] == hashlib.sha256(photo).hexdigest() and shot["size"] == len(photo)
    assert shot["title"] == "珠江路88号油烟直排照片" and shot["device"] == "执法记录仪 DSJ-01"
    assert (shot["latitude"], shot["longitude"]) == (32.0489, 118.7913)
    captured = dt.datetime.fromisoformat(shot["captured_at"])
    assert captured == dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)
    r = upload(client, case.id, pdf, headers(desk, "documentary", "营业执照复印件"))
    assert r.status_code == 201, r.json
    assert r.json["media_type"] == "application/pdf"

    listed = client.get(f"/api/v1/cases/{case.id}/evidence", headers=desk["officer"]).json
    assert listed["total"] == 2
    for item, content in zip(listed["items"], (photo, pdf), strict=True):
        got = client.get(
            f"/api/v1/cases/{case.id}/evidence/{item['id']}/content", headers=desk["officer"]
        )
        assert got.status_code == 200
        assert hashlib.sha256(got.data).hexdigest() == item["sha256"]
        assert got.data == content
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Disposition"].startswith("attachment")
        assert got.headers["ETag"] == f'"{item["sha256"]}"'

    chained = evidence_events(client, desk, case.id)
    assert [e["payload"]["sha256"] for e in chained] == [
        hashlib.sha256(photo).hexdigest(),
        hashlib.sha256(pdf).hexdigest(),
    ]
    assert chained[0]["payload"]["collected_on"] == "2026-11-20"  # the capture's day
    assert chained[1]["payload"]["kind"] == "documentary"
    chain = client.get(f"/api/v1/cases/{case.id}/chain", headers=desk["officer"]).json
    assert chain["ok"] is True and chain["events"] >= 3


def test_a_download_resumes_from_a_byte_range(client, desk):
    case = filed(client, desk)
    pdf = tiny_pdf()
    item = upload(client, case.id, pdf, headers(desk, "documentary", "询问笔录")).json
    url = f"/api/v1/cases/{case.id}/evidence/{item['id']}/content"
    part = client.get(url, headers={**desk["officer"], "Range": "bytes=10-"})
    assert part.status_code == 206 and part.data == pdf[10:]
    assert part.headers["Content-Range"] == f"bytes 10-{len(pdf) - 1}/{len(pdf)}"


def test_a_disguised_file_is_typed_by_its_content_not_its_name_or_type(app, client, desk):
    case = filed(client, desk)
    before = _blobs(app)
    text = "这不是照片，只是一段文字。".encode() * 10
    r = upload(
        client, case.id, text, {**headers(desk, title="照片.jpg"), "Content-Type": "image/jpeg"}
    )
    assert r.status_code == 422, r.json
    assert r.json["errors"][0]["field"] == "body" and "证据格式" in r.json["detail"]
    assert _blobs(app) == before
    png = tiny_png()
    r = upload(
        client, case.id, png, {**headers(desk, title="现场.jpg"), "Content-Type": "image/jpeg"}
    )
    assert r.status_code == 201 and r.json["media_type"] == "image/png"
    got = client.get(
        f"/api/v1/cases/{case.id}/evidence/{r.json['id']}/content", headers=desk["officer"]
    )
    assert got.mimetype == "image/png"
    assert got.headers["Content-Disposition"].endswith(".png")


def test_the_kind_must_be_one_of_the_eight_kinds_of_the_law__处罚法_第四十六条(client, desk):
    case = filed(client, desk)
    r = upload(client, case.id, tiny_png(), headers(desk, kind="rumour"))
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "X-Evidence-Kind"
    assert "第四十六条" in r.json["detail"]
    bad_title = {**headers(desk), "X-Evidence-Title": "%E7%8E"}  # cut UTF-8
    assert upload(client, case.id, tiny_png(), bad_title).status_code == 422
    raw_title = {**headers(desk), "X-Evidence-Title": "现场照片".encode().decode("latin-1")}
    refused = upload(client, case.id, tiny_png(), raw_title)
    assert refused.status_code == 422 and "百分号编码" in refused.json["detail"]
    bad_place = headers(desk, captured_lat="95")
    assert upload(client, case.id, tiny_png(), bad_place).json["errors"][0]["field"] == (
        "X-Captured-Lat"
    )


def test_an_upload_to_a_case_not_yet_filed_is_refused_and_leaves_no_blob(app, client, desk):
    draft = lifecycle.Case(client, desk)
    before = _blobs(app)
    r = upload(client, draft.id, tiny_png(), headers(desk))
    assert r.status_code == 409 and r.json["code"] == "out-of-order"
    assert "立案" in r.json["detail"]
    assert _blobs(app) == before
    assert (
        client.get(f"/api/v1/cases/{draft.id}/evidence", headers=desk["officer"]).json["total"] == 0
    )
    assert evidence_events(client, desk, draft.id) == []


def test_a_file_the_engine_refuses_after_it_was_stored_is_removed(app, client, desk, monkeypatch):
    """The early check skipped: the engine's own refusal removes what the upload wrote."""
    from yimen.platform.cases.evidence import files as evidence

    monkeypatch.setattr(evidence, "check_takes_evidence", lambda case: None)
    draft = lifecycle.Case(client, desk)
    before = _blobs(app)
    r = upload(client, draft.id, tiny_png(), headers(desk))
    assert r.status_code == 409 and r.json["code"] == "out-of-order"
    assert _blobs(app) == before
    assert (
        client.get(f"/api/v1/cases/{draft.id}/evidence", headers=desk["officer"]).json["total"] == 0
    )


def test_an_offline_upload_sent_twice_is_one_evidence(client, desk):
    case = filed(client, desk)
    photo, client_id = tiny_png(), f"app-{uuid.uuid4()}"
    first = upload(client, case.id, photo, headers(desk, client_id=client_id))
    again = upload(client, case.id, photo, headers(desk, client_id=client_id))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert (
        client.get(f"/api/v1/cases/{case.id}/evidence", headers=desk["officer"]).json["total"] == 1
    )
    assert len(evidence_events(client, desk, case.id)) == 1
    other = filed(client, desk)
    reused = upload(client, other.id, tiny_png(), headers(desk, client_id=client_id))
    assert reused.status_code == 409 and reused.json["code"] == "client-id-reused"


def test_a_file_past_the_limit_is_refused_while_reading_and_keeps_nothing(app, client, desk):
    case = filed(client, desk)
    settings = app.extensions["yimen.settings"]
    app.extensions["yimen.settings"] = dataclasses.replace(settings, evidence_max_bytes=MB)
    try:
        before = _blobs(app)
        big = tiny_png() + os.urandom(3 * MB)
        r = upload(client, case.id, big, headers(desk))
        assert r.status_code == 413 and r.json["code"] == "evidence-too-large"
        assert r.mimetype == "application/problem+json" and "1 MB" in r.json["detail"]
        assert _blobs(app) == before
        assert evidence_events(client, desk, case.id) == []
    finally:
        app.extensions["yimen.settings"] = settings


def test_only_the_evidence_route_goes_past_the_body_limit_of_the_app(app, client, desk):
    limit = app.config["MAX_CONTENT_LENGTH"]
    case = filed(client, desk)
    body = tiny_pdf() + b"%" * (limit + MB)
    r = upload(client, case.id, body, headers(desk, "documentary", "整本账册扫描件"))
    assert r.status_code == 201, r.json
    assert r.json["size"] == len(body)
    other = client.post(
        "/api/v1/cases",
        data=b"{" + b" " * (limit + 1),
        headers={**desk["officer"], "Content-Type": "application/json"},
    )
    assert other.status_code == 413


def _officer_of(live_server, slug: str, code: str = "zhzf") -> dict:
    from sqlalchemy import select

    from tests.conftest import bearer
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
    client_id = f"{code}-{uuid.uuid4().hex[:6]}"
    with tenant_scope(tenant_id), db.new_session() as s:
        row, secret = create_machine_client(s, client_id, code, ["officer"])
        row.agency_code = code
        s.commit()
    return bearer(live_server.client_token(slug, client_id, secret))


def test_another_district_or_agency_gets_404_for_the_evidence(app, client, desk, live_server):
    case = filed(client, desk)
    item = upload(client, case.id, tiny_png(), headers(desk)).json
    # the demo's xuanwu as the neighbour: a district with the same agencies, only reading
    for outsider in (
        _officer_of(live_server, "xuanwu"),
        _officer_of(live_server, desk["slug"], "scjg"),
    ):
        base = f"/api/v1/cases/{case.id}/evidence"
        assert client.get(base, headers=outsider).status_code == 404
        assert client.get(f"{base}/{item['id']}/content", headers=outsider).status_code == 404
        sneaked = upload(client, case.id, tiny_png(), {**headers(desk), **outsider})
        assert sneaked.status_code == 404
    assert (
        client.get(f"/api/v1/cases/{case.id}/evidence", headers=desk["officer"]).json["total"] == 1
    )


def test_reading_needs_cases_read_and_uploading_cases_handle(client, desk, machine_token):
    from tests.conftest import bearer

    case = filed(client, desk)
    hotline = bearer(machine_token(desk["slug"], ["hotline_operator"]))
    assert client.get(f"/api/v1/cases/{case.id}/evidence", headers=hotline).status_code == 403
    assert upload(client, case.id, tiny_png(), {**headers(desk), **hotline}).status_code == 403


s3_server = contract.s3_server  # moto's S3 server over HTTP


def test_evidence_in_an_s3_store_is_uploaded_downloaded_and_resumed_the_same(
    app, client, desk, s3_server
):
    """YIMEN_BLOB_URL=s3://…: the same API, the file in the bucket under its SHA-256."""
    from yimen.platform.kernel.blobs import key_for
    from yimen.platform.kernel.blobs.s3 import S3BlobStore

    store = S3BlobStore.from_url(
        f"s3://case-evidence-api/{desk['slug']}", s3_server, "us-east-1", "testing", "testing"
    )
    store.client.create_bucket(Bucket="case-evidence-api")
    filesystem = app.extensions["yimen.blobs"]
    app.extensions["yimen.blobs"] = store
    try:
        case = filed(client, desk)
        pdf = tiny_pdf() + os.urandom(64 * 1024)
        item = upload(client, case.id, pdf, headers(desk, "documentary", "检测报告")).json
        assert store.exists(key_for(hashlib.sha256(pdf).hexdigest()))
        url = f"/api/v1/cases/{case.id}/evidence/{item['id']}/content"
        assert client.get(url, headers=desk["officer"]).data == pdf
        part = client.get(url, headers={**desk["officer"], "Range": "bytes=100-199"})
        assert part.status_code == 206 and part.data == pdf[100:200]
    finally:
        app.extensions["yimen.blobs"] = filesystem


def test_the_console_lists_an_uploaded_file_and_serves_it_through_the_session(client, desk):
    import re

    case = filed(client, desk)
    photo = tiny_png()
    upload(client, case.id, photo, headers(desk, "audio_visual", "油烟直排现场照片"))
    page = client.get(f"/console/cases/{case.id}", headers=desk["officer"]).get_data(as_text=True)
    link = re.search(r'href="(/console/cases/[^"]+/evidence/[^"]+)">油烟直排现场照片</a>', page)
    assert link, "the evidence title links its file"
    got = client.get(link.group(1), headers=desk["officer"])
    assert got.status_code == 200 and got.data == photo
