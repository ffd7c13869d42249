"""Periodic jobs are sent once per period, from the first period on (worker.schedule);
the features declare them (Feature.periodic_jobs) and the composition root collects them."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

from yimen.gateway.worker import schedule


def test_each_periodic_actor_is_sent_once_per_period_and_not_at_start():
    broker = StubBroker()
    periods = {"every_minute": 60, "hourly": 3600}

    def every_minute():
        pass

    def hourly():
        pass

    actors = {
        name: dramatiq.Actor(
            fn, actor_name=name, queue_name="t", priority=0, broker=broker, options={}
        )
        for name, fn in (("every_minute", every_minute), ("hourly", hourly))
    }
    now = [1000.0]
    scheduler = schedule.Scheduler(actors, periods, clock=lambda: now[0])
    assert scheduler.tick() == []
    now[0] += 60
    assert scheduler.tick() == ["every_minute"]
    now[0] += 30
    assert scheduler.tick() == []
    now[0] += 3600
    assert sorted(scheduler.tick()) == ["every_minute", "hourly"]
    assert broker.queues["t"].qsize() == 3


def test_the_relay_and_the_escalation_are_periodic():
    from yimen.platform.features import actors_and_periods, features

    actors, periods = actors_and_periods(features())
    names = {actor.actor_name for actor in actors}
    assert {"relay_outbox", "escalate_overdue_clues"} <= set(periods) <= names
