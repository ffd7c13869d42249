"""The enforcement-matter catalog as the composition root sees it."""

from __future__ import annotations

from yimen.platform.kernel.feature import Feature
from yimen.tenants.powers.web import public_views, views

FEATURE = Feature(
    name="powers",
    api_blueprints=(views.blp,),
    web_blueprints=(public_views.bp,),
)
