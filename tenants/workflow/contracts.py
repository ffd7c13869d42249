"""The commands the workflow configuration's use cases take (service.py); who publishes
is given beside them, as the actor's user name."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PublishLibrary:
    """A new version of the platform's library definition of a procedure `kind`."""

    kind: str
    definition: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True)
class PublishOverride:
    """A district's (agency_id None) or an agency's delta on the library definition."""

    kind: str
    delta: Mapping[str, Any]
    agency_id: uuid.UUID | None = None
    note: str = ""
