"""Prometheus metrics at /metrics, by prometheus-flask-exporter: request counts and latency
histograms by method, endpoint and status.

Each label takes a bounded set of values, whatever clients send: endpoints are the app's own
(None for a URL no route matches), statuses are those the app answers, and methods are those
in METHODS. A request with any other method gets the answer routing found for it (405 with
the URL's Allow header, or 404) before the exporter counts it (the access log has it), so made-up
method names cannot add series.
"""

from __future__ import annotations

import os
from typing import NoReturn

from flask import Flask, request
from prometheus_client import CollectorRegistry
from prometheus_flask_exporter import PrometheusMetrics
from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics
from werkzeug.exceptions import MethodNotAllowed

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
    """Answer now, marked for the exporter not to count (its documented do_not_track)."""
    if request.method not in METHODS:
        refuse()


@PrometheusMetrics.do_not_track()
def refuse() -> NoReturn:
    # No route takes such a method: routing found a 405 (with Allow) or a 404 already.
    raise request.routing_exception or MethodNotAllowed()
