"""The blob store streams: it hashes while it writes, refuses past a limit without
reading on, and a blob appears under its key whole or not at all."""

from __future__ import annotations

import hashlib
import io

import pytest

from yimen.platform.kernel.blobs import BlobNotFound, BlobTooLarge, FilesystemBlobStore, key_for


class Chunks(io.RawIOBase):
    """A stream that hands out at most `chunk` bytes per read and counts what was read."""

    def __init__(self, data: bytes, chunk: int = 7, fail_after: int | None = None) -> None:
        self.data, self.chunk, self.fail_after, self.read_bytes = data, chunk, fail_after, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.fail_after is not None and self.read_bytes >= self.fail_after:
            raise ConnectionResetError("the client went away")
        n = self.chunk if n < 0 else min(n, self.chunk)
        out = self.data[self.read_bytes : self.read_bytes + n]
        self.read_bytes += len(out)
        return out


def _files(root) -> list:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_multi_chunk_stream_is_stored_under_its_sha256(tmp_path):
    data = bytes(range(256)) * 1000
    store = FilesystemBlobStore(tmp_path, chunk_bytes=4096)
    blob = store.put(Chunks(data, chunk=1000))
    digest = hashlib.sha256(data).hexdigest()
    assert (blob.key, blob.sha256, blob.size, blob.created) == (
        key_for(digest),
        digest,
        len(data),
        True,
    )
    assert blob.key == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    with store.open(blob.key) as f:
        assert f.read() == data
    assert store.exists(blob.key) and _files(tmp_path) == [blob.key]


def test_the_same_content_twice_is_one_blob_and_the_second_put_created_nothing(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    first, second = store.put(io.BytesIO(b"same photo")), store.put(io.BytesIO(b"same photo"))
    assert first.key == second.key and first.created and not second.created


def test_a_stream_past_the_limit_is_refused_while_reading_and_leaves_nothing(tmp_path):
    store = FilesystemBlobStore(tmp_path, chunk_bytes=10)
    stream = Chunks(b"x" * 10_000, chunk=10)
    with pytest.raises(BlobTooLarge):
        store.put(stream, max_bytes=100)
    assert stream.read_bytes <= 110  # stopped at the limit, not after reading it all
    assert _files(tmp_path) == []


def test_an_interrupted_write_leaves_nothing(tmp_path):
    store = FilesystemBlobStore(tmp_path, chunk_bytes=10)
    with pytest.raises(ConnectionResetError):
        store.put(Chunks(b"y" * 1000, chunk=10, fail_after=500))
    assert _files(tmp_path) == []


def test_exactly_the_limit_is_accepted(tmp_path):
    assert FilesystemBlobStore(tmp_path).put(io.BytesIO(b"z" * 100), max_bytes=100).size == 100


def test_delete_removes_the_blob_and_is_quiet_when_it_is_gone(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    blob = store.put(io.BytesIO(b"evidence"))
    store.delete(blob.key)
    store.delete(blob.key)
    assert not store.exists(blob.key)
    with pytest.raises(BlobNotFound):
        store.open(blob.key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "sha256/aa/bb/" + "c" * 64, "x"])
def test_a_key_that_is_not_a_content_address_names_nothing(tmp_path, key):
    store = FilesystemBlobStore(tmp_path)
    assert not store.exists(key)
    with pytest.raises(BlobNotFound):
        store.open(key)
