"""GET /: where to start, for a person who opens the service's address."""

from __future__ import annotations

from flask import current_app, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields

bp = Blueprint("index", __name__, description="Where to start.")


class IndexSchema(Schema):
    name = fields.String(metadata={"description": "The service's name"})
    links = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "The API's document, the example endpoint, the probes"},
    )


@bp.get("/")
@bp.response(200, IndexSchema)
def index() -> dict[str, object]:
    """Links to the OpenAPI document, the example endpoint, the probes and the metrics."""
    return {
        "name": current_app.config["API_TITLE"],
        "links": {
            "openapi": url_for("api-docs.openapi_json"),
            "info": url_for("info.info"),
            "health": url_for("health.healthz"),
            "readiness": url_for("health.readyz"),
            "metrics": "/metrics",
        },
    }
