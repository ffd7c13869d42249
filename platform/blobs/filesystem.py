"""The default adapter: a folder (YIMEN_BLOB_DIR) with one file per content address."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from yimen.platform.kernel.blobs.store import (
    CHUNK_BYTES,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    StoredBlob,
    check_key,
    key_for,
)


class FilesystemBlobStore(BlobStore):
    """Writes to a temporary file inside the store (same filesystem), then links it to
    sha256/ab/cd/<hex> in one atomic step: a reader sees the whole blob or nothing, and
    an interrupted write leaves only a temporary file that is removed at once."""

    def __init__(self, root: Path | str, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.root = Path(root)
        self.chunk_bytes = chunk_bytes

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, stream: BinaryIO, max_bytes: int | None = None) -> StoredBlob:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(self.chunk_bytes):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            key = key_for(sha256)
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(tmp, path)  # atomic, and never replaces a blob already there
                created = True
            except FileExistsError:
                created = False
            return StoredBlob(key, sha256, size, created)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except BlobNotFound:
            return False

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
