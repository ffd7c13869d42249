"""The case engine as the composition root sees it (see yimen.platform.kernel.feature)."""

from __future__ import annotations

from yimen.platform.cases import cli as _cli  # noqa: F401 - adds `yimen gateway backfill`
from yimen.platform.cases.documents import rendering
from yimen.platform.cases.external import tasks as external_tasks
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.law import thresholds as law_service
from yimen.platform.cases.web import case_views as views
from yimen.platform.cases.web import (
    console_evidence,
    console_views,
    discretion_views,
    document_views,
    draft_views,
    evidence_views,
    external_views,
    law_views,
    threshold_views,
)
from yimen.platform.cases.web import record_views as event_views
from yimen.platform.kernel.feature import Feature, PeriodicJob

FEATURE = Feature(
    name="cases",
    api_blueprints=(
        views.blp,
        discretion_views.blp,
        law_views.blp,
        event_views.blp,
        document_views.blp,
        evidence_views.blp,
        external_views.blp,
    ),
    web_blueprints=(console_views.bp, draft_views.bp, console_evidence.bp, threshold_views.bp),
    actors=(
        law_flags.flag_case_limits,
        rendering.render_document,
        rendering.render_pending_documents,
        external_tasks.pull_external_cases,
    ),
    periodic_jobs=(
        PeriodicJob(law_flags.flag_case_limits, 3600),  # hourly
        # re-sends documents whose render message was lost (the embedded broker keeps
        # its messages in memory only)
        PeriodicJob(rendering.render_pending_documents, 60),
        # cases of the vertical systems a district turned on (the connector overlaps
        # the windows and runs the nightly full pass)
        PeriodicJob(external_tasks.pull_external_cases, 300),
    ),
    # a new district starts with the hearing thresholds (《行政处罚法》第六十三条)
    district_defaults=(law_service.seed_hearing_thresholds,),
)
