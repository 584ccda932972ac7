"""GET /api/v1/info: what this service is and which version runs (the example endpoint)."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from . import bp


@bp.get("/info")
def info() -> Response:
    return jsonify(
        name=current_app.config["SERVICE_NAME"],
        version=current_app.config["SERVICE_VERSION"],
        environment=current_app.config["APP_ENV"],
    )
