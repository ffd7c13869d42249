"""The port: put a stream, get back its content address; open, test and delete by key."""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass
from typing import BinaryIO

CHUNK_BYTES = 1024 * 1024
_KEY = re.compile(r"^sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


@dataclass(frozen=True)
class StoredBlob:
    key: str
    sha256: str
    size: int
    # False when the same content was already there: whoever cleans up after a failed
    # request deletes only what that request created.
    created: bool = True


class BlobTooLarge(Exception):
    """The stream went past the limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"blob larger than {limit} bytes")
        self.limit = limit


class BlobNotFound(KeyError):
    pass


def key_for(sha256_hex: str) -> str:
    """The content address: sha256/ab/cd/abcd…, two levels so no folder grows huge."""
    return f"sha256/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}"


def check_key(key: str) -> str:
    """A key is only ever a content address (no path of the caller's choosing)."""
    m = _KEY.match(key)
    if m is None or not m.group(3).startswith(m.group(1) + m.group(2)):
        raise BlobNotFound(key)
    return key


class BlobStore(abc.ABC):
    """Where attachments and evidence live. `put` streams: it reads in chunks, hashes
    while it writes, refuses past `max_bytes` as soon as the stream goes beyond it, and
    makes the blob visible under its key only once complete (never a partial blob)."""

    @abc.abstractmethod
    def put(self, stream: BinaryIO, max_bytes: int | None = None) -> StoredBlob: ...

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary stream of the blob; BlobNotFound when there is none."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; nothing happens when it is already gone."""
