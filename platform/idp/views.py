"""OIDC endpoints (placeholder)."""

from flask import Blueprint

bp = Blueprint("oidc", __name__, url_prefix="/oidc/<slug>")
