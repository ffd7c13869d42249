"""HTML error pages (placeholder)."""

from flask import Response


def error_page(error):
    return Response(f"<h1>{error.code}</h1>", status=error.code, mimetype="text/html")
