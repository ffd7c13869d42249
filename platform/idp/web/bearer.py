"""The bearer token of a request to the userinfo endpoint, read as RFC 6750 allows, and
its errors answered as RFC 6750 §3 says (WWW-Authenticate)."""

from __future__ import annotations

import re

from flask import Request, jsonify

FORM = "application/x-www-form-urlencoded"


class BearerError(Exception):
    """RFC 6750 §3.1: invalid_request (400) or invalid_token (401); no error code at all
    when the request carries no token (401, §3.1 "SHOULD NOT include an error code")."""

    def __init__(self, error: str | None, description: str, status: int) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def response(self):
        body = {"error": self.error or "invalid_token", "error_description": self.description}
        response = jsonify(body)
        response.status_code = self.status
        response.headers["Cache-Control"] = "no-store"
        challenge = 'Bearer realm="userinfo"'
        if self.error:
            # §3: the description is limited to %x20-21 / %x23-5B / %x5D-7E
            text = re.sub(r'[^\x20-\x7e]|["\\]', "", self.description)
            challenge += f', error="{self.error}", error_description="{text}"'
        response.headers["WWW-Authenticate"] = challenge
        return response


def invalid_request(description: str) -> BearerError:
    return BearerError("invalid_request", description, 400)


def bearer_token(request: Request) -> str:
    """The token from the Authorization header (RFC 6750 §2.1) or from a form-encoded
    POST body (§2.2: POST, application/x-www-form-urlencoded, `access_token` once); more
    than one way, or the same parameter twice, is an invalid_request (§3.1). The URI
    query (§2.3) is not offered: a token there would be logged with the URL."""
    header = request.headers.get("Authorization")
    if "access_token" in request.args:
        raise invalid_request("An access token in the URI query is not accepted.")
    in_body = _body_tokens(request)
    if header is not None:
        if in_body:
            raise invalid_request("The access token was sent both in the header and the body.")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise BearerError("invalid_token", "A bearer token is required.", 401)
        return value.strip()
    if len(in_body) > 1:
        raise invalid_request("The access_token parameter is repeated.")
    if not in_body or not in_body[0]:
        raise BearerError(None, "A bearer token is required.", 401)
    return in_body[0]


def _body_tokens(request: Request) -> list[str]:
    if request.mimetype != FORM:
        if request.mimetype and "access_token" in request.form:
            raise invalid_request(f"An access token in a body is accepted only as {FORM}.")
        return []
    tokens = request.form.getlist("access_token")
    if tokens and request.method != "POST":
        raise invalid_request("An access token in the body is accepted only with POST.")
    return tokens
