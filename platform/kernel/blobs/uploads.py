"""Helpers for files people upload (complaint attachments, case evidence): the name
shown to officers and the stream whose head was read to sniff its type."""

from __future__ import annotations

import io
import unicodedata
from typing import BinaryIO


def display_name(name: str | None) -> str:
    """The client's file name, shown to officers only: the last path part, without
    control or markup characters, at most 100 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    kept = "".join(
        c for c in name if unicodedata.category(c)[0] != "C" and c not in '<>:"|?*;'
    ).strip(" .")
    return kept[:100]


class Prefixed(io.RawIOBase):
    """The sniffed head followed by the rest of the stream, read once."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.head:
            out, self.head = (self.head, b"") if n < 0 else (self.head[:n], self.head[n:])
            return out
        return self.rest.read(n)
