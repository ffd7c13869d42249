"""The systems the platform pulls records from, as the composition root configured them.

The root registers each pull connector with its endpoint and credentials (one per
deployment until district subscriptions carry them, encrypted); the feature whose use
case stores what is pulled asks for them here, so that it never imports a connector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from yimen.gateway.ports import PullConnector


@dataclass(frozen=True)
class PullTarget:
    connector: PullConnector
    endpoint: str
    credentials: Mapping[str, str] = field(default_factory=dict)


_targets: dict[str, PullTarget] = {}


def register(target: PullTarget) -> None:
    _targets[target.connector.name] = target


def targets() -> dict[str, PullTarget]:
    return dict(_targets)
