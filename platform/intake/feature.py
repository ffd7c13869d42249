"""The one door (intake) as the composition root sees it (see yimen.platform.kernel.feature)."""

from __future__ import annotations

from functools import partial

from yimen.platform.cases import contracts as case_events
from yimen.platform.intake import hotline, service, sms, tasks, upper_level
from yimen.platform.intake.web import (
    attachment_views,
    console_views,
    envelope_views,
    open311,
    public_pages,
    public_views,
    soap_service,
    views,
)
from yimen.platform.kernel.feature import Feature, PeriodicJob

FEATURE = Feature(
    name="intake",
    api_blueprints=(views.blp, attachment_views.blp, public_views.blp, envelope_views.blp),
    web_blueprints=(open311.bp, public_pages.bp, console_views.bp, soap_service.bp),
    # GeoReport clients and upper-level SOAP systems are machines without sessions
    csrf_exempt=(open311.bp, soap_service.bp),
    actors=(tasks.escalate_overdue_clues,),
    periodic_jobs=(PeriodicJob(tasks.escalate_overdue_clues, 3600),),  # hourly
    sms_templates=sms.registered_templates(),
    published_events=tuple(sms.TEMPLATES),  # outbox topics of the `sms` connector
    # 12345 work orders and the callback's satisfaction, from the gateway's inbox
    # and clues upper-level systems assign over SOAP (web/soap_service.py)
    inbound_handlers={**hotline.HANDLERS, **upper_level.HANDLERS},
    # the complainant is told what became of the case made from their clue
    handlers={topic: partial(service.follow_case, topic=topic) for topic in case_events.TOPICS},
)
