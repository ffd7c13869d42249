"""Blob store: files kept outside the database under their SHA-256 (complaint photos now,
case evidence of up to 2 GB later). Feature code sees the `BlobStore` port; the
composition root picks the adapter (the filesystem under YIMEN_BLOB_DIR by default)."""

from yimen.platform.kernel.blobs.filesystem import FilesystemBlobStore
from yimen.platform.kernel.blobs.store import (
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    StoredBlob,
    key_for,
)

__all__ = [
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "FilesystemBlobStore",
    "StoredBlob",
    "key_for",
]
