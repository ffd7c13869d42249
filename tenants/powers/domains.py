"""The enforcement domains of the matter catalog (they live in the kernel, which the
directory shares: yimen.platform.kernel.domains)."""

from __future__ import annotations

from yimen.platform.kernel.domains import DOMAINS, label

__all__ = ["DOMAINS", "label"]
