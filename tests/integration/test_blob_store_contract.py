"""Both blob stores keep one contract: a blob is stored under its SHA-256, read back
unchanged, refused past its limit while reading, and never left half-written. The S3
store runs against moto's S3 server over real HTTP (multipart uploads and all)."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from tests.unit.test_blob_store import Chunks
from yimen.platform.kernel.blobs import BlobNotFound, BlobTooLarge, FilesystemBlobStore, key_for

MB = 1024 * 1024
S3_MIN_PART = 5 * MB  # the smallest part S3 (and moto) accepts but the last


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Store:
    """A store under test and what is physically left in it (files or objects, and
    unfinished multipart uploads)."""

    def __init__(self, kind: str, tmp_path, s3_url: str | None = None) -> None:
        self.kind = kind
        if kind == "filesystem":
            self.store = FilesystemBlobStore(tmp_path, chunk_bytes=MB)
            self.root = tmp_path
            return
        from yimen.platform.kernel.blobs.s3 import S3BlobStore

        bucket = f"evidence-{os.urandom(4).hex()}"
        self.store = S3BlobStore.from_url(
            f"s3://{bucket}/yimen/blobs", s3_url, "us-east-1", "testing", "testing"
        )
        self.store.part_bytes = S3_MIN_PART
        self.store.client.create_bucket(Bucket=bucket)

    def left(self) -> list[str]:
        if self.kind == "filesystem":
            return sorted(
                p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
            )
        client, bucket = self.store.client, self.store.bucket
        objects = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return sorted(
            [o["Key"].removeprefix("yimen/blobs/") for o in objects]
            + [f"upload:{u['Key']}" for u in uploads]
        )


@pytest.fixture(params=["filesystem", "s3"])
def subject(request, tmp_path) -> Store:
    if request.param == "s3":
        return Store("s3", tmp_path, request.getfixturevalue("s3_server"))
    return Store("filesystem", tmp_path)


@pytest.mark.parametrize("size", [1000, 12 * MB + 3], ids=["one part", "three parts"])
def test_a_stream_is_stored_under_its_sha256_and_read_back_unchanged(subject, size):
    data = os.urandom(size)
    blob = subject.store.put(Chunks(data, chunk=256 * 1024))
    digest = hashlib.sha256(data).hexdigest()
    assert (blob.key, blob.sha256, blob.size, blob.created) == (key_for(digest), digest, size, True)
    with subject.store.open(blob.key) as f:
        assert hashlib.sha256(f.read()).hexdigest() == digest
    assert subject.store.exists(blob.key)
    assert subject.left() == [blob.key]  # no temporary object, no open upload


@pytest.mark.parametrize("size", [100, 11 * MB], ids=["one part", "multipart"])
def test_the_same_content_twice_is_one_blob_and_the_second_put_created_nothing(subject, size):
    data = os.urandom(size)
    first = subject.store.put(io.BytesIO(data))
    second = subject.store.put(io.BytesIO(data))
    assert first.key == second.key and first.created and not second.created
    assert subject.left() == [first.key]


@pytest.mark.parametrize("limit", [100, 7 * MB], ids=["within a part", "past the first part"])
def test_a_stream_past_the_limit_is_refused_while_reading_and_leaves_nothing(subject, limit):
    stream = Chunks(b"x" * (30 * MB), chunk=64 * 1024)
    with pytest.raises(BlobTooLarge):
        subject.store.put(stream, max_bytes=limit)
    assert stream.read_bytes <= limit + 64 * 1024  # stopped at the limit, not at the end
    assert subject.left() == []


def test_an_interrupted_multipart_write_leaves_nothing(subject):
    with pytest.raises(ConnectionResetError):
        subject.store.put(Chunks(b"y" * (20 * MB), chunk=MB, fail_after=12 * MB))
    assert subject.left() == []


def test_exactly_the_limit_is_accepted(subject):
    assert subject.store.put(io.BytesIO(b"z" * 100), max_bytes=100).size == 100


def test_delete_removes_the_blob_and_is_quiet_when_it_is_gone(subject):
    blob = subject.store.put(io.BytesIO(os.urandom(64)))
    subject.store.delete(blob.key)
    subject.store.delete(blob.key)
    assert not subject.store.exists(blob.key)
    with pytest.raises(BlobNotFound):
        subject.store.open(blob.key)
    assert subject.left() == []


@pytest.mark.parametrize("key", ["../../etc/passwd", "sha256/aa/bb/" + "c" * 64, "x"])
def test_a_key_that_is_not_a_content_address_names_nothing(subject, key):
    assert not subject.store.exists(key)
    with pytest.raises(BlobNotFound):
        subject.store.open(key)


def test_the_composition_root_picks_s3_from_the_blob_url(s3_server, tmp_path):
    from yimen.platform.app import blob_store_for
    from yimen.platform.kernel.blobs.s3 import S3BlobStore
    from yimen.platform.kernel.config import load_settings

    settings = load_settings(
        var_dir=tmp_path,
        blob_url="s3://case-evidence/district",
        s3_endpoint_url=s3_server,
        s3_access_key_id="testing",
        s3_secret_access_key="testing",
    )
    store = blob_store_for(settings)
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == ("case-evidence", "district/")
    assert isinstance(blob_store_for(load_settings(var_dir=tmp_path)), FilesystemBlobStore)
