"""Identity provisioning as the composition root sees it. The adapter (built-in or
Keycloak) is the root's choice (yimen.platform.app)."""

from __future__ import annotations

from yimen.platform.kernel.feature import Feature
from yimen.tenants.identity import tasks
from yimen.tenants.identity.web import views

FEATURE = Feature(
    name="identity",
    api_blueprints=(views.blp,),
    actors=(tasks.provision,),
    session_hooks=(tasks.install,),  # jobs are sent after the change commits
)
