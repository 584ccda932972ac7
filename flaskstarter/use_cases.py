"""The four kinds of Flask project; their values are the folder names under templates/."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class UseCase(StrEnum):
    WEBSITE = "website"
    REST_API = "rest_api"
    PROTOTYPE = "prototype"
    MICROSERVICE = "microservice"


@dataclass(frozen=True)
class RouteCheck:
    """A GET the smoke harness makes on the served project; `{answer}` fields are filled in."""

    path: str
    content_type: str
    marker: str
    # A route whose work is a database query: the benchmark compares it with a bare Flask app
    # running a query of the same shape, not with a hello-world.
    reads_database: bool = False


# Headers every kind promises on every response.
BASE_SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@dataclass(frozen=True)
class UseCaseInfo:
    purpose: str
    wires_in: tuple[str, ...]
    routes: tuple[RouteCheck, ...]
    headers: tuple[str, ...] = BASE_SECURITY_HEADERS
    # The answer sets we claim to support beyond the defaults: `flaskstarter smoke --all`
    # and the test suite check every one of them.
    combinations: tuple[dict[str, Any], ...] = ({},)
    # What production needs besides SECRET_KEY and the services (the smoke run serves with it).
    production_env: dict[str, str] = field(default_factory=dict)


CATALOGUE: dict[UseCase, UseCaseInfo] = {
    UseCase.WEBSITE: UseCaseInfo(
        purpose="A website: pages, a contact form, optional database and accounts with e-mail.",
        wires_in=(
            "Flask-WTF (CSRF)",
            "Flask-SQLAlchemy",
            "Flask-Migrate",
            "Flask-Login",
            "Flask-Mail",
            "Flask-Limiter",
            "security headers",
            "gunicorn",
            "Docker",
        ),
        routes=(
            RouteCheck("/", "text/html", "{project_name}"),
            RouteCheck("/about", "text/html", "</html>"),
            RouteCheck("/contact", "text/html", "csrf_token"),
            RouteCheck("/healthz", "application/json", "ok"),
        ),
        headers=(*BASE_SECURITY_HEADERS, "Content-Security-Policy"),
        # Production refuses to start without a mail server: nothing listens on this port, so a
        # message the smoke run makes the site send fails, as a mail server that is down does.
        production_env={
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": "9",
            "MAIL_DEFAULT_SENDER": "noreply@example.com",
            "CONTACT_TO": "team@example.com",
            "BASE_URL": "https://www.example.com",
        },
        combinations=(
            {"database": "sqlite", "auth": True},
            {"database": "sqlite", "auth": False},
            {"database": "none"},
            {"database": "postgresql", "auth": True},
            {"database": "postgresql", "auth": False},
        ),
    ),
    UseCase.REST_API: UseCaseInfo(
        purpose="A RESTful JSON API: CRUD, pagination, OpenAPI docs, JSON errors, auth options.",
        wires_in=(
            "flask-smorest or Flask-RESTful",
            "marshmallow",
            "Flask-SQLAlchemy",
            "Flask-Migrate",
            "flask-jwt-extended",
            "flask-cors",
            "Flask-Limiter",
            "gunicorn",
            "Docker",
        ),
        routes=(
            RouteCheck("/api/{resource_name}", "application/json", "", reads_database=True),
            RouteCheck("/openapi.json", "application/json", "openapi"),
            RouteCheck("/docs", "text/html", "</html>"),
            RouteCheck("/healthz", "application/json", "ok"),
        ),
        headers=(*BASE_SECURITY_HEADERS, "Content-Security-Policy"),
        # Pairwise over framework x auth x cors x rate_limit x database: every pair of values of
        # any two questions appears in some row; resource names: the default, a plural in -ies,
        # snake_case, and one whose singular is itself.
        combinations=(
            {},
            {"api_auth": "jwt", "cors": True, "database": "postgresql"},
            {
                "api_framework": "flask-restful",
                "api_auth": "jwt",
                "rate_limit": True,
                "resource_name": "categories",
            },
            {
                "api_framework": "flask-restful",
                "api_auth": "api_key",
                "cors": True,
                "rate_limit": True,
            },
            {"api_auth": "api_key", "database": "postgresql", "resource_name": "order_lines"},
            {
                "api_framework": "flask-restful",
                "cors": True,
                "database": "postgresql",
                "resource_name": "people",
            },
            {"cors": True, "rate_limit": True, "database": "postgresql"},
        ),
    ),
    UseCase.PROTOTYPE: UseCaseInfo(
        purpose="A prototype running in minutes: one module, one page, one JSON endpoint.",
        wires_in=("Flask-SQLAlchemy (SQLite)",),
        routes=(
            RouteCheck("/", "text/html", "{project_name}"),
            RouteCheck("/api/notes", "application/json", "[", reads_database=True),
            RouteCheck("/healthz", "application/json", "ok"),
        ),
        headers=(*BASE_SECURITY_HEADERS, "Content-Security-Policy"),
    ),
    UseCase.MICROSERVICE: UseCaseInfo(
        purpose="A microservice for containers: health, readiness, metrics, JSON logs.",
        wires_in=(
            "prometheus-flask-exporter",
            "JSON logs with request ids",
            "Redis",
            "Celery",
            "Flask-SQLAlchemy",
            "Kubernetes manifests",
            "gunicorn",
            "Docker",
        ),
        routes=(
            RouteCheck("/healthz", "application/json", "ok"),
            RouteCheck("/readyz", "application/json", "ok"),
            RouteCheck("/metrics", "text/plain", "flask_http_request"),
            RouteCheck("/api/v1/info", "application/json", "version"),
        ),
        # Pairwise over database x cache x worker x kubernetes (Celery needs Redis).
        combinations=(
            {"database": "sqlite", "cache": "redis", "worker": "celery", "kubernetes": True},
            {"database": "postgresql", "cache": "redis", "worker": "celery", "kubernetes": False},
            {"database": "none", "cache": "redis", "worker": "celery", "kubernetes": True},
            {"database": "sqlite", "cache": "none", "worker": "none", "kubernetes": False},
            {"database": "postgresql", "cache": "none", "worker": "none", "kubernetes": True},
            {"database": "none", "cache": "none", "worker": "none", "kubernetes": False},
            {"database": "none", "cache": "redis", "worker": "none", "kubernetes": False},
        ),
    ),
}
