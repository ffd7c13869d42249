"""Structured logs with request ids, Prometheus metrics, health and readiness."""
