"""Liveness at /healthz: the process answers HTTP. No database, no credentials, no rate limit."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """200 while the app answers; it calls nothing else, so a slow database restarts nothing."""
    return {"status": "ok"}
