"""Runs dramatiq workers: in-process threads for the embedded default, or standalone;
optionally with the scheduler of periodic jobs."""

from __future__ import annotations

import socket
import threading

import dramatiq
from dramatiq import Worker

from yimen.gateway.worker.broker import BrokerHandle

HEARTBEAT_SECONDS = 30


class InProcessWorker:
    """A dramatiq Worker plus a timer that sends a heartbeat through the broker."""

    def __init__(self, handle: BrokerHandle, threads: int = 2, scheduler: bool = False) -> None:
        self.handle = handle
        self.worker = Worker(handle.broker, worker_threads=threads, worker_timeout=100)
        self.scheduler = None
        if scheduler:
            from yimen.gateway.worker.schedule import Scheduler

            actors = {actor.actor_name: actor for actor in handle.actors}
            self.scheduler = Scheduler(actors, handle.periods)
        self.name = f"{socket.gethostname()}:{id(self):x}"
        self._stop = threading.Event()
        self._beat = threading.Thread(
            target=self._heartbeat_loop, daemon=True, name="yimen-heartbeat"
        )

    def start(self) -> None:
        self.worker.start()
        self._beat.start()
        if self.scheduler:
            self.scheduler.start()

    def stop(self) -> None:
        self._stop.set()
        if self.scheduler:
            self.scheduler.stop()
        self.worker.stop()

    def _heartbeat_loop(self) -> None:
        from yimen.gateway.worker.actors import record_heartbeat

        while not self._stop.is_set():
            try:
                record_heartbeat.send(self.name)
            except dramatiq.errors.DramatiqError:
                pass  # broker briefly down; the next beat retries
            self._stop.wait(HEARTBEAT_SECONDS)
