"""Public site (placeholder)."""

from flask import Blueprint

from yimen.platform.auth.permissions import public

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def home():
    return "一门"
