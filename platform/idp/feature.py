"""The built-in identity provider as the composition root sees it: its pages (sign-in,
token, keys). Its store (keys, clients, credentials) is written by the built-in
provisioning adapter (tenants/identity/builtin.py)."""

from __future__ import annotations

from yimen.platform.idp.web import views
from yimen.platform.kernel.feature import Feature

FEATURE = Feature(
    name="idp",
    web_blueprints=(views.bp,),
    # machines call these with a client secret or a bearer token, never a session
    csrf_exempt=(views.token, views.revoke, views.logout, views.userinfo),
)
