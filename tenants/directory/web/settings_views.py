"""The district's settings, read and changed by its administrator."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from yimen.platform.kernel.db import db
from yimen.platform.kernel.permissions import requires
from yimen.tenants.directory import district_settings
from yimen.tenants.directory.schemas import DistrictSettingsPatchSchema, DistrictSettingsSchema

blp = Blueprint("district_settings", __name__, description="区设置 / District settings")


@blp.route("/district/settings")
class DistrictSettings(MethodView):
    @requires("district.settings.read")
    @blp.response(200, DistrictSettingsSchema)
    def get(self):
        """本区设置 (取值、默认值及说明) / The district's settings, defaults and meaning"""
        tenant = district_settings.current_district(db.session)
        return {"items": district_settings.describe(tenant)}

    @requires("district.settings.write")
    @blp.arguments(DistrictSettingsPatchSchema)
    @blp.response(200, DistrictSettingsSchema)
    def patch(self, changes: dict):
        """修改本区设置 (部分修改；null 恢复默认；有误则全部不改) / Change some settings

        Partial: keys left out keep their value; `null` restores the default. An unknown
        key or an invalid value is a 422 naming each field, and nothing is written.
        """
        tenant = district_settings.update_settings(db.session, changes)
        return {"items": district_settings.describe(tenant)}
