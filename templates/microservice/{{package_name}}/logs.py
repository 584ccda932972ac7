"""Logging through Python's logging: one handler on stderr, JSON lines (python-json-logger) or
plain text in development, each record with the id of the request it belongs to.

The id is the caller's X-Request-ID when it sends a plain one (so that one id follows a
request across services), or a new uuid4; the response's X-Request-ID header carries it back.
gunicorn's error and access logs take the same settings (logconfig_dict in gunicorn.conf.py).
"""

from __future__ import annotations

import logging.config
import re
import uuid
from collections.abc import Mapping
from typing import Any, cast

from flask import Flask, Response, g, has_app_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from outside end up in headers and logs: only short, plain tokens are taken.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Successful probes come every few seconds: /metrics counts them, the access log leaves them out.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


def init_app(app: Flask) -> None:
    logging.config.dictConfig(logging_config(app.config["LOG_LEVEL"], app.config["LOG_JSON"]))
    app.before_request(take_request_id)
    app.after_request(send_request_id)


def take_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def send_request_id(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


def logging_config(level: str = "INFO", json_lines: bool = True) -> dict[str, Any]:
    """Settings for logging.config.dictConfig: the app's records and gunicorn's, on stderr."""
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "json" if json_lines else "text",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "access": {"()": AccessLogFilter},
        },
        "formatters": {
            "json": {
                "()": JsonFormatter,
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",  # ISO 8601, UTC
            },
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "console": {**handler, "filters": ["request_id"]},
            "access": {**handler, "filters": ["access"]},
        },
        "root": {"level": level, "handlers": ["console"]},
        # gunicorn's own log goes to the root's handler; its access lines get the filter above.
        "loggers": {
            "gunicorn.error": {"level": level, "propagate": True},
            "gunicorn.access": {"level": level, "handlers": ["access"], "propagate": False},
        },
    }


class RequestIdFilter(logging.Filter):
    """Add the id of the request a record is logged in (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_app_context() else None
        return True


class AccessLogFilter(logging.Filter):
    """Give gunicorn's access lines their fields, from the atoms gunicorn logs them with.

    Successful probes are left out. gunicorn escapes the quotes in its atoms for its text
    format; the JSON formatter escapes what it must, so the fields get the original text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = cast(Mapping[str, Any], record.args)  # gunicorn logs a line with its atoms
        status = int(atoms["s"])
        if status < 400 and atoms["U"] in QUIET_PATHS:
            return False
        record.__dict__.update(
            method=atoms["m"],
            path=unescape(atoms["U"]),
            query=unescape(atoms["q"]),
            status=status,
            duration_ms=atoms["D"] / 1000,
            response_bytes=atoms["B"],
            request_id=atoms["{x-request-id}o"],
            remote_addr=atoms["h"],
            user_agent=unescape(atoms["a"]),
        )
        return True


def unescape(atom: str) -> str:
    """Undo the one escape gunicorn adds to its atoms: \\" for a quote."""
    return atom.replace('\\"', '"')
