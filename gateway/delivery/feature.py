"""The delivery engine's plug: its API and console pages for the district administrator
and the platform operator."""

from __future__ import annotations

from yimen.gateway.delivery import cli, reconcile, tasks
from yimen.gateway.delivery.web import console_views, views
from yimen.platform.kernel.feature import Feature, PeriodicJob

FEATURE = Feature(
    name="gateway",
    api_blueprints=(views.blp,),
    web_blueprints=(console_views.bp,),
    cli_commands=(cli.gateway_group,),
    session_hooks=(tasks.install,),  # a batch right after a commit that published
    actors=(reconcile.reconcile_nightly,),
    periodic_jobs=(PeriodicJob(reconcile.reconcile_nightly, 3600),),  # yesterday, once
)
