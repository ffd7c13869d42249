"""The directory's use cases as the composition root sees them (the records are kernel:
yimen.platform.kernel.directory)."""

from __future__ import annotations

from yimen.platform.kernel.feature import Feature
from yimen.tenants.directory.web import (
    bulk_views,
    console_staff,
    console_views,
    settings_views,
    tenant_views,
    views,
)

FEATURE = Feature(
    name="directory",
    api_blueprints=(tenant_views.blp, views.blp, bulk_views.blp, settings_views.blp),
    web_blueprints=(console_views.bp, console_staff.bp),
)
