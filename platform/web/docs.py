"""Interactive API documentation: Swagger UI served from the swagger-ui-bundle package
(no CDN), reading the OpenAPI document flask-smorest generates at /api/openapi.json."""

from __future__ import annotations

from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from yimen.platform.auth.permissions import public

bp = Blueprint("docs", __name__)


@bp.get("/api/docs")
@public
def docs():
    return render_template("docs.html")


@bp.get("/api/docs/assets/<path:filename>")
@public
def assets(filename: str):
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
