"""Officer console (placeholder)."""

from flask import Blueprint, redirect

from yimen.platform.auth.permissions import requires

bp = Blueprint("console", __name__, url_prefix="/console")


def redirect_to_login():
    return redirect("/console/login")


@bp.get("/")
@requires("self.read")
def home():
    return "console"
