"""Structured logs: one JSON object per line on stdout, each carrying its request's id.

The id comes from the caller's X-Request-ID header (so one id follows a request across
services) or is made here, and is echoed back in the response's X-Request-ID header.
gunicorn's own log and its access log use the same format (see GunicornJsonLogger).
"""

from __future__ import annotations

import functools
import json
import logging
import random
import re
import sys
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, has_request_context, request
from flask.logging import default_handler
from gunicorn.glogging import Logger as GunicornLogger
from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REQUEST_ID_HEADER = "X-Request-ID"
# Where the id is kept for the rest of the request (a key of the WSGI environ).
REQUEST_ID_KEY = f"{__name__}.request_id"
# Ids from outside are echoed into headers and logs: accept only short, plain tokens.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED_FIELDS = {"asctime": "time", "levelname": "level", "name": "logger"}
# A line's field names back to the log record attributes they come from.
RECORD_ATTRIBUTES = {shown: name for name, shown in RENAMED_FIELDS.items()} | {"message": "msg"}
# Successful orchestrator and Docker probes come every few seconds, all day long: they are
# counted in /metrics but left out of the access log. A failing probe is logged.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


def init_app(app: Flask) -> None:
    """Log JSON to stdout at LOG_LEVEL; give every request an id and echo it back."""
    configure_logging(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]


class RequestIdMiddleware:
    """Give each request an id and echo it back: around the whole app, so every response has it.

    WSGI middleware rather than Flask hooks: it costs a few microseconds per request.
    """

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if VALID_REQUEST_ID.match(incoming) else new_request_id()
        environ[REQUEST_ID_KEY] = request_id

        def start_response_with_id(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_response_with_id)


def new_request_id() -> str:
    """32 random hex digits: an id to follow a request by, not a secret.

    Python's own generator rather than os.urandom: urandom's system call hands the GIL to
    another thread on every request, which cost a threaded worker about 5% of its throughput.
    Each process reseeds it after fork, so workers never share a sequence.
    """
    return f"{random.getrandbits(128):032x}"  # nosec B311


def current_request_id() -> str | None:
    """The id of the request being handled; None outside a request."""
    if has_request_context():
        return request.environ.get(REQUEST_ID_KEY)
    return None


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
    """time, level, logger and message, then any `extra=` fields, exc_info and stack_info."""
    return JsonLineFormatter(LOG_FORMAT, rename_fields=RENAMED_FIELDS)


class JsonLineFormatter(JsonFormatter):
    """python-json-logger's formatter, with times as the access lines write them."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return log_time(record.created)


def log_time(created: float) -> str:
    """ISO 8601 in UTC to the millisecond, as log pipelines read it: 2026-01-31T12:00:00.123Z."""
    second = int(created)
    return f"{utc_second(second)}.{int((created - second) * 1000):03d}Z"


@functools.lru_cache(maxsize=1)  # lines come many to a second: format each second once
def utc_second(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class GunicornJsonLogger(GunicornLogger):
    """gunicorn's error and access logs as JSON lines on stdout.

    Selected in gunicorn.conf.py with `logger_class`. Each access line carries the request's
    id (the one echoed in its response), so it joins up with the app's own lines.
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
        """Log one request, unless it is a successful probe.

        This runs for every request, in whichever worker thread served it. It reads the WSGI
        environ directly (gunicorn's atoms() copies every header) and writes the finished line
        to each stream in one call, rather than through logging's handlers: their lock, taken
        by every thread in turn, and their per-record formatting cost a threaded worker about
        10% of a small JSON response's throughput. Other handlers (syslog) get a record.
        """
        if not self.cfg.accesslog or not self.access_log.isEnabledFor(logging.INFO):
            return
        status = int(str(resp.status).split(None, 1)[0])
        path = environ.get("PATH_INFO", "")
        if status < 400 and path in QUIET_PATHS:
            return
        method = environ.get("REQUEST_METHOD", "-")
        fields = {
            "time": log_time(time.time()),
            "level": "INFO",
            "logger": self.access_log.name,
            "message": f"{method} {path} {status}",
            "request_id": environ.get(REQUEST_ID_KEY),  # gunicorn passes the app's environ
            "method": method,
            "path": path,
            "query": environ.get("QUERY_STRING", ""),
            "status": status,
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "response_bytes": getattr(resp, "sent", None),
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
            "user_agent": environ.get("HTTP_USER_AGENT", "-"),
        }
        line = json.dumps(fields) + "\n"
        for handler in self.access_log.handlers:
            if isinstance(handler, logging.StreamHandler):
                # One write per line: lines from different threads never interleave.
                handler.stream.write(line)
                handler.stream.flush()
            else:
                handler.handle(access_record(fields))


def access_record(fields: dict[str, Any]) -> logging.LogRecord:
    """The access line's fields as a log record, for handlers that want one."""
    record = logging.makeLogRecord(
        {RECORD_ATTRIBUTES.get(key, key): value for key, value in fields.items()}
    )
    record.levelno = logging.INFO
    return record
