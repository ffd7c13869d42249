"""A citizen attaches photos to a complaint: sniffed, limited, all or none; officers of
the district download them unchanged, nobody else sees them."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib

import pytest

from tests.conftest import bearer
from tests.integration.conftest import _agency_client

DISTRICT: dict = {}  # the module's own district, where the complaints are filed
FIELDS = {
    "matter_code": "CG-0014",
    "description": "楼下餐馆油烟直排，拍了照片",
    "place": "玄武区珠江路88号",
    "anonymous": "true",
}


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG with random pixels, so no two tests share a blob."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + os.urandom(3 * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


def _url() -> str:
    return f"/api/v1/public/{DISTRICT['slug']}/complaints"


def _post(client, files: list[tuple[bytes, str]], **fields):
    data = {**FIELDS, **fields, "photos": [(io.BytesIO(b), name) for b, name in files]}
    return client.post(_url(), data=data, content_type="multipart/form-data")


def _clue_count(app) -> int:
    from sqlalchemy import func, select

    from yimen.platform.intake.model import Clue
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(DISTRICT["tenant_id"]), db.new_session() as s:
        return s.execute(select(func.count()).select_from(Clue)).scalar_one()


def _blobs(app) -> set[str]:
    root = app.extensions["yimen.blobs"].root
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def officer(live_server, app):
    return _agency_client(live_server, app, "zhzf", ["officer"], DISTRICT["slug"])


def _clue_id(client, officer, code: str) -> str:
    items = client.get("/api/v1/clues?page_size=100", headers=officer).json["items"]
    return next(c["id"] for c in items if c["receipt_code"] == code)


def test_a_photo_is_kept_and_an_officer_downloads_it_unchanged(client, app, officer):
    photo = tiny_png()
    r = _post(client, [(photo, "油烟 照片.png")])
    assert r.status_code == 201, r.json
    clue_id = _clue_id(client, officer, r.json["receipt_code"])

    listed = client.get(f"/api/v1/clues/{clue_id}/attachments", headers=officer).json
    assert listed["total"] == 1
    item = listed["items"][0]
    assert (item["media_type"], item["size"], item["filename"]) == (
        "image/png",
        len(photo),
        "油烟 照片.png",
    )
    assert item["sha256"] == hashlib.sha256(photo).hexdigest()

    got = client.get(f"/api/v1/clues/{clue_id}/attachments/{item['id']}", headers=officer)
    assert got.status_code == 200
    assert hashlib.sha256(got.data).hexdigest() == hashlib.sha256(photo).hexdigest()
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")


def test_the_type_is_read_from_the_content_not_from_the_name(client, app, officer):
    """A text file named .jpg is refused, with the Chinese message on the field, and
    nothing is written: no clue, no blob."""
    clues, blobs = _clue_count(app), _blobs(app)
    r = _post(client, [(b"just some text, not a photo at all", "现场.jpg")])
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    assert r.json["errors"] == [
        {
            "field": "photos",
            "message": "第1个文件不是允许的照片或视频格式 (JPEG、PNG、WebP、HEIC 或 MP4)。",
            "message_en": "File 1 is not an accepted photo or video (JPEG, PNG, WebP, HEIC or MP4).",
        }
    ]
    assert _clue_count(app) == clues and _blobs(app) == blobs


def test_a_good_photo_before_a_bad_file_is_not_kept_either(client, app):
    clues, blobs = _clue_count(app), _blobs(app)
    r = _post(client, [(tiny_png(), "a.png"), (b"<html><script>", "b.png")])
    assert r.status_code == 422 and "第2个文件" in r.json["errors"][0]["message"]
    assert _clue_count(app) == clues and _blobs(app) == blobs


def test_a_file_over_10_mb_is_refused(client, app):
    clues, blobs = _clue_count(app), _blobs(app)
    too_big = tiny_png() + b"\x00" * (10 * 1024 * 1024)
    r = _post(client, [(too_big, "big.png")])
    assert r.status_code == 422
    assert r.json["errors"][0] == {
        "field": "photos",
        "message": "第1个文件超过10 MB，请压缩后再上传。",
        "message_en": "File 1 is larger than 10 MB; make it smaller.",
    }
    assert _clue_count(app) == clues and _blobs(app) == blobs


def test_six_files_are_refused(client, app):
    clues = _clue_count(app)
    r = _post(client, [(tiny_png(), f"{i}.png") for i in range(6)])
    assert r.status_code == 422
    assert r.json["errors"][0]["field"] == "photos"
    assert r.json["errors"][0]["message"] == "最多上传5个照片或视频文件。"
    assert _clue_count(app) == clues


def test_five_photos_and_a_phone_video_are_accepted_as_five(client, officer):
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + os.urandom(64)
    mp4 = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isommp41" + os.urandom(64)
    jpeg = b"\xff\xd8\xff\xe0" + os.urandom(64)
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8 " + os.urandom(64)
    files = [(heic, "IMG_0001.HEIC"), (mp4, "clip.mov"), (jpeg, "x"), (webp, "y"), (tiny_png(), "")]
    r = _post(client, files)
    assert r.status_code == 201, r.json
    clue_id = _clue_id(client, officer, r.json["receipt_code"])
    items = client.get(f"/api/v1/clues/{clue_id}/attachments", headers=officer).json["items"]
    assert sorted(i["media_type"] for i in items) == [
        "image/heic",
        "image/jpeg",
        "image/png",
        "image/webp",
        "video/mp4",
    ]


def test_a_multipart_complaint_without_photos_is_filed(client, officer):
    r = client.post(_url(), data=FIELDS, content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    clue_id = _clue_id(client, officer, r.json["receipt_code"])
    assert client.get(f"/api/v1/clues/{clue_id}/attachments", headers=officer).json["total"] == 0


def test_multipart_fields_are_checked_like_json(client, app):
    clues = _clue_count(app)
    r = _post(client, [(tiny_png(), "a.png")], anonymous="false", phone="1234")
    assert r.status_code == 422
    assert r.json["errors"][0] == {
        "field": "phone",
        "message": "请输入正确的11位手机号码。",
        "message_en": "Enter a valid mainland mobile number.",
    }
    assert _clue_count(app) == clues


def test_json_is_still_accepted(client):
    body = {**FIELDS, "anonymous": True}
    assert client.post(_url(), json=body).status_code == 201


def test_the_progress_page_and_api_show_nothing_of_the_photos(client):
    photo = tiny_png()
    code = _post(client, [(photo, "我的照片.png")]).json["receipt_code"]
    progress = client.get(f"/api/v1/public/{DISTRICT['slug']}/progress?code={code}")
    page = client.get(f"/t/{DISTRICT['slug']}/progress?code={code}")
    digest = hashlib.sha256(photo).hexdigest()
    for text in (progress.get_data(as_text=True), page.get_data(as_text=True)):
        assert "我的照片" not in text and digest not in text and "attachment" not in text


def test_another_district_cannot_list_or_download_the_photos(
    client, officer, new_district, machine_token
):
    code = _post(client, [(tiny_png(), "a.png")]).json["receipt_code"]
    clue_id = _clue_id(client, officer, code)
    item = client.get(f"/api/v1/clues/{clue_id}/attachments", headers=officer).json["items"][0]
    other = bearer(machine_token(new_district().slug, ["officer"]))
    assert client.get(f"/api/v1/clues/{clue_id}/attachments", headers=other).status_code == 404
    assert (
        client.get(f"/api/v1/clues/{clue_id}/attachments/{item['id']}", headers=other).status_code
        == 404
    )


def test_a_wrong_file_on_the_public_form_is_explained_next_to_the_field(client, app):
    import re

    form = client.get(f"/t/{DISTRICT['slug']}/complaint").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and "照片 (可选，最多5张)" in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    clues = _clue_count(app)
    r = client.post(
        f"/t/{DISTRICT['slug']}/complaint",
        data={
            "csrf_token": token,
            "description": "路边违规停车占用人行道",
            "place": "中山路",
            "anonymous": "on",
            "photos": [(io.BytesIO(b"%PDF-1.4 not a photo"), "scan.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert "第1个文件不是允许的照片或视频格式" in r.get_data(as_text=True)
    assert _clue_count(app) == clues


def test_photos_may_together_exceed_the_usual_body_limit(client, app):
    """Five files of 10 MB must fit: the complaint raises YIMEN_MAX_BODY_BYTES for itself."""
    usual = app.config["MAX_CONTENT_LENGTH"]
    big = tiny_png() + b"\x00" * (usual // 2 + 1024)
    r = _post(client, [(big, "1.png"), (tiny_png() + big[100:], "2.png")])
    assert r.status_code == 201, r.json


def test_a_body_past_every_file_limit_is_cut_while_reading(client, app):
    from yimen.platform.intake import attachments

    r = client.post(
        _url(),
        data=b"x" * (attachments.max_body() + 1),
        content_type="multipart/form-data; boundary=zz",
    )
    assert r.status_code == 413 and r.content_type == "application/problem+json"
