"""GET /api/v1/info: what this service is and which version runs (the example endpoint)."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields

bp = Blueprint("info", __name__, url_prefix="/api/v1", description="What this service is.")


class InfoSchema(Schema):
    name = fields.String(metadata={"description": "The service's name"})
    version = fields.String(metadata={"description": "The installed version"})
    environment = fields.String(metadata={"description": "development, testing or production"})


@bp.get("/info")
@bp.response(200, InfoSchema)
def info() -> dict[str, str]:
    """The service's name, version and environment."""
    return {
        "name": current_app.config["API_TITLE"],
        "version": current_app.config["API_VERSION"],
        "environment": current_app.config["APP_ENV"],
    }
