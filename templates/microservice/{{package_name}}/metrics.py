"""Prometheus metrics at /metrics: request counts and latency histograms by endpoint and status.

Under gunicorn, gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR before anything imports
prometheus_client: every worker then writes its samples to files there and /metrics adds up
all workers, whichever one answers the scrape.
"""

from __future__ import annotations

import os

from flask import Flask
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics


def init_app(app: Flask) -> PrometheusMetrics:
    """Serve /metrics and track every request of `app` (a registry per app keeps tests apart)."""
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Set for gunicorn, inherited by `flask` commands and workers: they write there too.
        os.makedirs(folder, exist_ok=True)
    metrics = PrometheusMetrics(
        app,
        path="/metrics",
        registry=CollectorRegistry(),
        group_by="endpoint",
    )
    app.extensions["metrics"] = metrics
    return metrics
