"""Structured logs: one JSON object per line on stdout, each carrying its request's id.

The id comes from the caller's X-Request-ID header (so one id follows a request across
services) or is made here, and is echoed back in the response's X-Request-ID header.
gunicorn's own log and its access log use the same format (see GunicornJsonLogger).
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler
from gunicorn.glogging import Logger as GunicornLogger
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from outside are echoed into headers and logs: accept only short, plain tokens.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED_FIELDS = {"asctime": "time", "levelname": "level", "name": "logger"}


def init_app(app: Flask) -> None:
    """Log JSON to stdout at LOG_LEVEL; give every request an id and echo it back."""
    configure_logging(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    app.before_request(assign_request_id)
    app.after_request(echo_request_id)


def configure_logging(level: str | int) -> None:
    """Send every logger's records to one JSON handler on stdout (idempotent)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "is_json_stdout", False)]:
        root.removeHandler(handler)
    root.addHandler(json_handler())
    root.setLevel(level)


def json_handler(stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    handler.is_json_stdout = True  # type: ignore[attr-defined]
    return handler


def json_formatter() -> JsonFormatter:
    return JsonFormatter(LOG_FORMAT, rename_fields=RENAMED_FIELDS)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


def assign_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def echo_request_id(response: Response) -> Response:
    if request_id := current_request_id():
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


class GunicornJsonLogger(GunicornLogger):
    """gunicorn's error and access logs as JSON lines on stdout.

    Selected in gunicorn.conf.py with `logger_class`. Each access line carries the request id
    the app echoed in its response, so it joins up with the app's own lines.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(json_formatter())
                handler.addFilter(RequestIdFilter())
                if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                    handler.setStream(sys.stdout)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.cfg.accesslog:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(
            "%s %s %s",
            atoms["m"],
            atoms["U"],
            atoms["s"],
            extra={
                "request_id": atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i"),
                "method": atoms["m"],
                "path": atoms["U"],
                "query": atoms["q"],
                "status": int(atoms["s"]),
                "duration_ms": round(request_time.total_seconds() * 1000, 3),
                "response_bytes": atoms["B"],
                "remote_addr": atoms["h"],
                "user_agent": atoms["a"],
            },
        )
