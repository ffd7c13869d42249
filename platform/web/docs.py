"""Interactive API docs page (placeholder)."""

from flask import Blueprint

bp = Blueprint("docs", __name__)
