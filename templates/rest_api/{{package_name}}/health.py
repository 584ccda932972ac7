"""Liveness at /healthz: the process answers HTTP. No database, no credentials, no rate limit."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("health", __name__)
# The answer never changes: its bytes are built once (what jsonify(status="ok") would send).
HEALTHY = b'{"status":"ok"}\n'


@bp.get("/healthz")
def healthz() -> Response:
    """200 while the app answers; it calls nothing else, so a slow database restarts nothing."""
    return Response(HEALTHY, mimetype="application/json")
