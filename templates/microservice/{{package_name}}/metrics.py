"""Prometheus metrics at /metrics: request counts and latency histograms by endpoint and status.

prometheus-flask-exporter serves /metrics. Under gunicorn, gunicorn.conf.py sets
PROMETHEUS_MULTIPROC_DIR before anything imports prometheus_client: every worker then writes
its samples to files there and /metrics adds up all workers, whichever one answers the scrape.

Each request is recorded here, under the exporter's default names and labels (latency by
method, endpoint and status; count by method and status) with less work than the exporter's
own per-request hooks, which cost a fifth of a small JSON response.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, Response, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_flask_exporter import PrometheusMetrics

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# The view prometheus-flask-exporter registers for /metrics: scrapes are not counted.
METRICS_ENDPOINT = "prometheus_metrics"
# When the request started (a key of the WSGI environ).
STARTED_KEY = f"{__name__}.started"
Labels = tuple[str, str, int]


def init_app(app: Flask) -> PrometheusMetrics:
    """Serve /metrics and track every request of `app` (a registry per app keeps tests apart)."""
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Set for gunicorn, inherited by `flask` commands and workers: they write there too.
        os.makedirs(folder, exist_ok=True)
    registry = CollectorRegistry()
    metrics = PrometheusMetrics(app, path="/metrics", registry=registry, export_defaults=False)
    metrics.info(
        "flask_exporter_info",
        "Information about the Prometheus Flask exporter",
        version=metrics.version,
    )
    app.wsgi_app = Stopwatch(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(RequestMetrics(registry).record)
    app.extensions["metrics"] = metrics
    return metrics


class Stopwatch:
    """Note when each request arrives: as WSGI middleware, cheaper than a before_request hook."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[STARTED_KEY] = time.perf_counter()
        return self.wsgi_app(environ, start_response)


class RequestMetrics:
    """Latency by method, endpoint and status; count by method and status."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.duration = Histogram(
            "flask_http_request_duration_seconds",
            "Flask HTTP request duration in seconds",
            ("method", "endpoint", "status"),
            registry=registry,
        )
        self.total = Counter(
            "flask_http_request_total",
            "Total number of HTTP requests",
            ("method", "status"),
            registry=registry,
        )
        # Looking up labelled series is most of the cost: keep each pair once found.
        self.series: dict[Labels, tuple[Histogram, Counter]] = {}

    def record(self, response: Response) -> Response:
        started = request.environ.get(STARTED_KEY)
        endpoint = str(request.endpoint)
        if started is None or endpoint == METRICS_ENDPOINT:
            return response
        labels = (request.method, endpoint, response.status_code)
        duration, total = self.series.get(labels) or self.find_series(labels)
        duration.observe(max(time.perf_counter() - started, 0.0))
        total.inc()
        return response

    def find_series(self, labels: Labels) -> tuple[Histogram, Counter]:
        method, endpoint, status = labels
        found = (self.duration.labels(method, endpoint, status), self.total.labels(method, status))
        self.series[labels] = found
        return found
