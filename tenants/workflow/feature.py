"""Workflow configuration as the composition root sees it."""

from __future__ import annotations

from yimen.platform.kernel.feature import Feature
from yimen.tenants.workflow.web import console_views, views

FEATURE = Feature(name="workflow", api_blueprints=(views.blp,), web_blueprints=(console_views.bp,))
