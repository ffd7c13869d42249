"""Prometheus metrics at /metrics: request counts and latencies by endpoint."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from yimen.platform.kernel.permissions import public


def init_app(app: Flask) -> None:
    registry = CollectorRegistry()
    requests_total = Counter(
        "yimen_http_requests_total",
        "HTTP requests",
        ["method", "endpoint", "status"],
        registry=registry,
    )
    latency = Histogram(
        "yimen_http_request_seconds",
        "HTTP request latency",
        ["method", "endpoint"],
        registry=registry,
    )
    app.extensions["yimen.metrics"] = registry

    @app.before_request
    def _start() -> None:
        g.metrics_start = time.perf_counter()

    @app.after_request
    def _observe(response):
        endpoint = request.endpoint or "unmatched"
        requests_total.labels(request.method, endpoint, str(response.status_code)).inc()
        start = g.get("metrics_start")
        if start is not None:
            latency.labels(request.method, endpoint).observe(time.perf_counter() - start)
        return response

    @public
    def metrics_view() -> Response:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", "metrics", metrics_view)
