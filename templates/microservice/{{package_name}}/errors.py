"""Every error leaves the service as JSON of one shape.

    {"error": {"status": 404, "code": "not_found", "message": "...", "details": {},
               "request_id": "..."}}

Views raise ApiError; Flask's HTTP errors (404, 405, 413, bad JSON...) and unexpected
exceptions are turned into the same shape here, in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .logs import current_request_id

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error to answer with: its HTTP status, a message for the caller, optional details."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or status_code_name(status)
        self.details = dict(details or {})


def status_code_name(status: int) -> str:
    """`not_found` for 404: the standard reason phrase as an identifier."""
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("-", "_")


def error_body(
    status: int, message: str, *, code: str | None = None, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The one error shape, as a dict to put into a JSON response."""
    return {
        "error": {
            "status": status,
            "code": code or status_code_name(status),
            "message": message,
            "details": dict(details or {}),
            "request_id": current_request_id(),
        }
    }


def error_response(error: ApiError) -> Response:
    body = error_body(error.status, error.message, code=error.code, details=error.details)
    response = jsonify(body)
    response.status_code = error.status
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, error_response)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected_error)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    response = error_response(ApiError(status, error.description or status_code_name(status)))
    # Keep the headers the error carries (Allow on a 405, Retry-After...), not its HTML type.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_unexpected_error(error: Exception) -> Response:
    logger.exception("Unhandled exception")
    return error_response(ApiError(500, "An unexpected error occurred; it has been logged."))
