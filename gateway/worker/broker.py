"""Chooses dramatiq's broker from YIMEN_BROKER_URL.

`stub://` (the embedded default) keeps messages in memory and is drained by an
in-process worker thread; outbox rows, not broker messages, are the durable record,
so nothing is lost when the process restarts. `redis://…` and `amqp://…` are the
production brokers. The broker is set before any actor module is imported, because
dramatiq binds actors to the global broker at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
from dramatiq.brokers.stub import StubBroker


@dataclass
class BrokerHandle:
    broker: dramatiq.Broker
    kind: str
    url: str

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
    global _current
    if _current is not None and _current.url == url:
        return _current
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
    _rebind_actors(handle.broker)
    return handle


def _rebind_actors(broker: dramatiq.Broker) -> None:
    """Actors declared under an earlier broker (tests switch brokers) move to this one."""
    from yimen.gateway.worker import actors

    for actor in actors.ALL:
        actor.broker = broker
        if actor.actor_name not in broker.actors:
            broker.declare_actor(actor)


def current_broker() -> BrokerHandle:
    if _current is None:
        raise RuntimeError("broker not configured")
    return _current
