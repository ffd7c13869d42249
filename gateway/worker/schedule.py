"""Periodic jobs: which actor runs how often, and the thread that sends them.

dramatiq has no scheduler of its own. A feature declares its periodic jobs in the object
it hands the composition root (`Feature.periodic_jobs`); the root gives them to the
broker handle, and the process that runs the scheduler (`yimen run` on the embedded default, `yimen worker`
unless started with `--no-scheduler`) sends each actor when its period has passed, and
the workers run it like any other message. The jobs are safe to run twice (the relay
finds what is still pending; an escalation is recorded once, under optimistic locking),
so a second scheduler on another node costs work, not correctness.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import dramatiq


class Scheduler:
    """Sends each periodic actor once per period; the first run comes one period after
    start (a restarting node does not repeat what another just did)."""

    def __init__(
        self,
        actors: dict[str, dramatiq.Actor],
        periods: dict[str, float],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.periods = dict(periods)  # actor name → seconds between runs
        self.actors = {name: actors[name] for name in self.periods if name in actors}
        self.clock = clock
        start = clock()
        self.due = {name: start + self.periods[name] for name in self.actors}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="yimen-scheduler")

    def tick(self) -> list[str]:
        """Send what is due now; returns the names sent."""
        now, sent = self.clock(), []
        for name, actor in self.actors.items():
            if now >= self.due[name]:
                try:
                    actor.send()
                except dramatiq.errors.DramatiqError:
                    continue  # broker briefly down: try again at the next tick
                self.due[name] = now + self.periods[name]
                sent.append(name)
        return sent

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            self.tick()
