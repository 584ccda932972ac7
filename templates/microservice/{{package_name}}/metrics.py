"""Prometheus metrics at /metrics, by prometheus-flask-exporter: request counts and latency
histograms by method, endpoint and status."""

from __future__ import annotations

import os

from flask import Flask
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics


def init_app(app: Flask) -> PrometheusMetrics:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Under gunicorn (gunicorn.conf.py sets the folder): every worker writes its samples
        # there, and /metrics adds up all workers, whichever one answers the scrape.
        return GunicornInternalPrometheusMetrics(app, group_by="endpoint")
    # A registry per app: tests build many apps in one process.
    return PrometheusMetrics(app, group_by="endpoint", registry=CollectorRegistry())
