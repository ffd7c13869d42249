"""Prometheus metrics at /metrics: request counts and latencies by endpoint, and each
gateway connector's queue per district (read from the delivery rows at each scrape)."""

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


class GatewayCollector:
    """Per connector and district: pending, held, dead, the oldest unsent record's age,
    and every record sent (a counter: the sent rows are kept)."""

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        from yimen.gateway.delivery import queries

        labels = ["connector", "district"]
        families = {
            name: GaugeMetricFamily(f"yimen_gateway_{name}", text, labels=labels)
            for name, text in (
                ("pending", "Deliveries waiting to be sent"),
                ("held", "Deliveries held behind an earlier unsent record of their case"),
                ("dead", "Dead letters waiting for a person"),
                ("oldest_unsent_seconds", "Age of the oldest unsent delivery"),
            )
        }
        sent = CounterMetricFamily("yimen_gateway_sent", "Deliveries sent", labels=labels)
        for district in queries.region_health():
            for h in district.connectors:
                where = [h.connector, district.slug]
                families["pending"].add_metric(where, h.pending)
                families["held"].add_metric(where, h.held)
                families["dead"].add_metric(where, h.dead)
                families["oldest_unsent_seconds"].add_metric(where, h.oldest_unsent_seconds or 0)
                sent.add_metric(where, h.sent)
        yield from families.values()
        yield sent


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
    registry.register(GatewayCollector())
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
