"""Interactive API documentation: Swagger UI served from the swagger-ui-bundle package
(no CDN), reading the OpenAPI document flask-smorest generates at /api/openapi.json."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from yimen.platform.kernel.permissions import public
from yimen.platform.web.pages import harden

bp = Blueprint("docs", __name__)
bp.after_request(harden)

# The files the page loads (and their source maps); nothing else of the vendored dist,
# such as its index.html that would fetch the Petstore example.
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})
SWAGGER_UI_VERSION = Path(swagger_ui_path).name.removeprefix("swagger-ui-")


@bp.get("/api/docs")
@public
def docs():
    return render_template("docs.html", swagger_ui_version=SWAGGER_UI_VERSION)


@bp.get("/api/docs/assets/<path:filename>")
@public
def assets(filename: str):
    if filename.removesuffix(".map") not in ASSETS:
        abort(404)
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
