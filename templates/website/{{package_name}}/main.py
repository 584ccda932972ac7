"""The site's pages."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    return render_template("main/index.html")


@bp.get("/about")
def about() -> str:
    return render_template("main/about.html")


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness for load balancers and orchestrators: the app answers."""
    return {"status": "ok"}
