"""The features the platform is made of, in one list: the composition root (app, CLI,
worker) reads everything it wires from here (see yimen.platform.kernel.feature)."""

from __future__ import annotations

from yimen.platform.kernel.feature import Feature, PeriodicJob

DELIVERY_TICK_SECONDS = 2.0


def features() -> tuple[Feature, ...]:
    """In the order their blueprints are mounted (the API documentation follows it)."""
    # Every table first: a feature's module may touch a mapper as it loads (the case
    # list's loader options do), and a key to another feature's table (a case's clue)
    # must find that table in the metadata then.
    import yimen.platform.models  # noqa: F401
    from yimen.gateway.delivery.feature import FEATURE as gateway
    from yimen.platform.cases.feature import FEATURE as cases
    from yimen.platform.idp.feature import FEATURE as idp
    from yimen.platform.intake.feature import FEATURE as intake
    from yimen.tenants.calendar.feature import FEATURE as calendar
    from yimen.tenants.directory.feature import FEATURE as directory
    from yimen.tenants.identity.feature import FEATURE as identity
    from yimen.tenants.powers.feature import FEATURE as powers
    from yimen.tenants.workflow.feature import FEATURE as workflow

    return (idp, directory, powers, workflow, intake, identity, calendar, cases, gateway)


def gateway_jobs() -> tuple[tuple, tuple[PeriodicJob, ...]]:
    """The gateway's own actors (the worker's heartbeat, outbox delivery and relay, the
    pull of the sources that are asked, e.g. the 12345 hotline's work orders, and the
    delivery engine's batch, ticked every few seconds)."""
    from yimen.gateway.delivery.tasks import deliver_batch
    from yimen.gateway.inbox.service import pull_inbound
    from yimen.gateway.outbox.service import deliver, relay_outbox
    from yimen.gateway.worker.actors import record_heartbeat

    return (record_heartbeat, deliver, relay_outbox, pull_inbound, deliver_batch), (
        PeriodicJob(relay_outbox, 60),
        PeriodicJob(pull_inbound, 60),
        PeriodicJob(deliver_batch, DELIVERY_TICK_SECONDS),
    )


def actors_and_periods(every: tuple[Feature, ...]) -> tuple[tuple, dict[str, float]]:
    """Every actor the worker must know, and the periodic ones by name."""
    actors, jobs = gateway_jobs()
    actors = actors + tuple(a for f in every for a in f.actors)
    jobs = jobs + tuple(j for f in every for j in f.periodic_jobs)
    return actors, {job.actor.actor_name: job.seconds for job in jobs}


def district_defaults(every: tuple[Feature, ...]) -> tuple:
    return tuple(d for f in every for d in f.district_defaults)


def sms_templates(every: tuple[Feature, ...]) -> dict[str, str]:
    return {code: text for f in every for code, text in f.sms_templates.items()}


def inbound_handlers(every: tuple[Feature, ...]) -> dict:
    """Topic → handler for records outside systems send (the gateway's inbox reads it);
    two features may not claim one topic."""
    handlers: dict = {}
    for f in every:
        for topic, handler in f.inbound_handlers.items():
            if topic in handlers:
                raise ValueError(f"inbound topic {topic} claimed twice ({f.name})")
            handlers[topic] = handler
    return handlers


def event_handlers(every: tuple[Feature, ...]) -> dict[str, tuple]:
    """Topic → the features' handlers of that domain event, in the features' order
    (kernel/events.py installs them)."""
    handlers: dict[str, tuple] = {}
    for f in every:
        for topic, handler in f.handlers.items():
            handlers[topic] = (*handlers.get(topic, ()), handler)
    return handlers
