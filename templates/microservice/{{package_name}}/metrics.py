"""Prometheus metrics at /metrics, by prometheus-flask-exporter: request counts and latency
histograms by method, endpoint and status.

Each label takes a bounded set of values, whatever clients send: endpoints are the app's own
(None for a URL no route matches), statuses are those the app answers, and methods are those
in METHODS. A request with any other method gets 501 before the exporter counts it (the access
log has it), so made-up method names cannot add series.
"""

from __future__ import annotations

import os
from typing import NoReturn

from flask import Flask, abort, request
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def init_app(app: Flask) -> PrometheusMetrics:
    app.before_request(refuse_unknown_methods)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Under gunicorn (gunicorn.conf.py sets the folder): every worker writes its samples
        # there, and /metrics adds up all workers, whichever one answers the scrape.
        return GunicornInternalPrometheusMetrics(app, group_by="endpoint")
    # A registry per app: tests build many apps in one process.
    return PrometheusMetrics(app, group_by="endpoint", registry=CollectorRegistry())


def refuse_unknown_methods() -> None:
    if request.method not in METHODS:
        not_implemented()


@PrometheusMetrics.do_not_track()
def not_implemented() -> NoReturn:
    """501, as RFC 9110 says for a method the server does not know; not counted."""
    abort(501, "This service does not implement this method.")
