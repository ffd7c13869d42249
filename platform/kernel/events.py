"""Domain events: one feature says what happened, another reacts in the same transaction.

A feature announces an event (the case engine: a case filed, decided, closed, with the
clue it came from) with `announce`; a feature that cares declares a handler for the
topic on its `Feature` object (`Feature(handlers={"case.filed": fn})`), and the
composition root installs them all here (`install`). The announcing feature imports no
subscriber: features talk through the composition root, as the import-linter contracts
require. Handlers run synchronously, in the announcer's session and transaction: what
they write commits or rolls back with the act (an SMS they publish goes through the
outbox, so it is sent only after the commit). A handler must not commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, Mapping[str, Any]], object]
"""Takes the session of the announcing transaction and the event's payload (ids, dates
and codes only, never personal data)."""

_handlers: dict[str, tuple[Handler, ...]] = {}


def install(handlers: Mapping[str, Iterable[Handler]]) -> None:
    """Topic → the handlers the composition root collected from the features (replaces
    what was installed: an application built again in the same process, as tests do,
    does not run a handler twice)."""
    _handlers.clear()
    _handlers.update({topic: tuple(fns) for topic, fns in handlers.items()})


def announce(session: Session, topic: str, payload: Mapping[str, Any]) -> None:
    """Run every handler of `topic`, in order, in the caller's transaction."""
    for handler in _handlers.get(topic, ()):
        handler(session, payload)


def subscribed(topic: str) -> tuple[Handler, ...]:
    return _handlers.get(topic, ())
