"""Chooses dramatiq's broker from YIMEN_BROKER_URL.

`stub://` (the embedded default) keeps messages in memory and is drained by an
in-process worker thread; outbox rows, not broker messages, are the durable record,
so nothing is lost when the process restarts. `redis://…` and `amqp://…` are the
production brokers. The broker is set before any actor module is imported, because
dramatiq binds actors to the global broker at import time. The actors and the periodic
jobs come from the composition root (each feature declares its own); the gateway
imports no feature.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import dramatiq
from dramatiq.brokers.stub import StubBroker


@dataclass
class BrokerHandle:
    broker: dramatiq.Broker
    kind: str
    url: str
    actors: tuple[dramatiq.Actor, ...] = ()
    periods: dict[str, float] = field(default_factory=dict)  # actor name → seconds

    def declare(
        self, actors: Iterable[dramatiq.Actor], periods: dict[str, float] | None = None
    ) -> None:
        """The actors this process sends and runs, and which of them are periodic."""
        self.actors = tuple(actors)
        if periods is not None:
            self.periods = dict(periods)
        _rebind_actors(self.broker, self.actors)

    def ping(self) -> bool:
        if self.kind == "redis":
            return bool(self.broker.client.ping())
        if self.kind == "rabbitmq":
            import pika

            params = pika.URLParameters(self.url)
            params.socket_timeout = params.blocked_connection_timeout = 3
            connection = pika.BlockingConnection(params)
            connection.close()
            return True
        return True


_current: BrokerHandle | None = None


def configure_broker(url: str) -> BrokerHandle:
    """The broker for `url`; the actors declared on the previous handle move to it."""
    global _current
    if _current is not None and _current.url == url:
        return _current
    previous = _current
    if url.startswith("redis://") or url.startswith("rediss://"):
        from dramatiq.brokers.redis import RedisBroker

        handle = BrokerHandle(RedisBroker(url=url), "redis", url)
    elif url.startswith("amqp://") or url.startswith("amqps://"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        handle = BrokerHandle(RabbitmqBroker(url=url), "rabbitmq", url)
    elif url.startswith("stub://"):
        handle = BrokerHandle(StubBroker(), "stub", url)
    else:
        raise ValueError(f"YIMEN_BROKER_URL: unsupported scheme in {url!r}")
    dramatiq.set_broker(handle.broker)
    _current = handle
    if previous is not None:
        handle.declare(previous.actors, previous.periods)
    return handle


def _rebind_actors(broker: dramatiq.Broker, actors: Iterable[dramatiq.Actor]) -> None:
    """Actors declared under an earlier broker (tests switch brokers) move to this one."""
    for actor in actors:
        actor.broker = broker
        if actor.actor_name not in broker.actors:
            broker.declare_actor(actor)


def current_broker() -> BrokerHandle:
    if _current is None:
        raise RuntimeError("broker not configured")
    return _current
