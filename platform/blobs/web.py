"""Flask glue of the blob store: the app's store, larger bodies for upload endpoints,
and sending a blob as a download that no browser will render or sniff."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request, send_file

from yimen.platform.kernel.blobs.store import BlobStore

EXTENSION = "yimen.blobs"
F = TypeVar("F", bound=Callable)


def init_app(app: Flask, store: BlobStore) -> None:
    """Register before anything reads a body (the CSRF check reads forms)."""
    app.extensions[EXTENSION] = store
    app.before_request(_body_limit)


def blob_store() -> BlobStore:
    return current_app.extensions[EXTENSION]


def accepts_uploads(max_body: Callable[[], int]) -> Callable[[F], F]:
    """This endpoint may receive bodies up to `max_body()` bytes (files and fields),
    beyond the app's YIMEN_MAX_BODY_BYTES; werkzeug cuts a longer body while reading."""

    def mark(fn: F) -> F:
        fn.yimen_max_body = max_body  # type: ignore[attr-defined]
        return fn

    return mark


def _body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    target = getattr(view_class, request.method.lower(), None) if view_class else view
    max_body = getattr(target, "yimen_max_body", None)
    if max_body is not None:
        request.max_content_length = max(max_body(), current_app.config["MAX_CONTENT_LENGTH"])


def send_blob(
    store: BlobStore,
    key: str,
    media_type: str,
    download_name: str,
    size: int | None = None,
    etag: str | None = None,
) -> Response:
    """Streamed, as an attachment with the type the content was sniffed as. Given the
    blob's size (and its SHA-256 as a strong ETag), a Range request gets its part (206)
    and If-None-Match / If-Range are honoured — a 2 GB download can resume."""
    response = send_file(
        store.open(key),
        mimetype=media_type,
        as_attachment=True,
        download_name=download_name,
        conditional=False,
        etag=etag or False,
        max_age=0,
    )
    if size is not None:
        response.content_length = size
        response = response.make_conditional(request, accept_ranges=True, complete_length=size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
