"""What a feature hands the composition root: one explicit object.

The platform has three rings. The kernel (this package) holds what everything stands
on; the features (intake, cases, the tenants' packages, the built-in identity provider)
hold the use cases; the shells (HTTP views, console and public pages, the identity
provider's pages) call them. The gateway (outbox, delivery, the worker) is
infrastructure beside the kernel and imports no feature. The composition root
(`yimen.platform.app`, the CLI, the worker it starts) collects one `Feature` from each
feature's `feature` module, in one list (`yimen.platform.features`), and wires what
they declare: nothing is wired by appending to another module's globals.

A feature's `feature` module is its plug: it may import the feature's `web` views and
its actor modules; the feature's use cases never import it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

DistrictDefault = Callable[[Session], object]
"""Runs in a new district's scope and transaction when it is created, and only flushes
(e.g. the case engine's hearing thresholds)."""

InboundHandler = Callable[[Session, dict], object]

EventHandler = Callable[[Session, Mapping[str, Any]], object]
"""Reacts to a domain event another feature announced, in its transaction (kernel/events.py)."""
"""Takes one record an outside system sent (12345 orders, a vertical system's cases)."""


@dataclass(frozen=True)
class PeriodicJob:
    """An actor the scheduler sends every `seconds` (see gateway.worker.schedule)."""

    actor: Any  # a dramatiq.Actor; the kernel does not import the worker's library
    seconds: float


@dataclass(frozen=True)
class Feature:
    name: str
    api_blueprints: tuple[Any, ...] = ()  # flask-smorest blueprints, mounted under /api/v1
    web_blueprints: tuple[Any, ...] = ()  # flask blueprints: console, public pages
    csrf_exempt: tuple[Any, ...] = ()  # web blueprints or views machines call without a session
    actors: tuple[Any, ...] = ()  # dramatiq actors the worker must know
    periodic_jobs: tuple[PeriodicJob, ...] = ()
    district_defaults: tuple[DistrictDefault, ...] = ()
    sms_templates: Mapping[str, str] = field(default_factory=dict)  # code → registered text
    inbound_handlers: Mapping[str, InboundHandler] = field(default_factory=dict)  # topic →
    published_events: tuple[str, ...] = ()  # outbox topics the feature writes
    # topic → handler of a domain event another feature announces (kernel/events.py),
    # run in the announcer's transaction
    handlers: Mapping[str, EventHandler] = field(default_factory=dict)
    session_hooks: tuple[Callable[[type[Session]], None], ...] = ()  # e.g. send after commit
    cli_commands: tuple[Any, ...] = ()  # click commands added to `yimen`
