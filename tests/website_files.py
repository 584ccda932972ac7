"""The files a generated website has, by answer."""

from __future__ import annotations

from typing import Any

ALWAYS = {
    ".copier-answers.yml",
    ".dockerignore",
    ".env.example",
    ".github/workflows/ci.yml",
    ".github/workflows/template-update.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Dockerfile",
    "README.md",
    "deploy/nginx/default.conf.template",
    "gunicorn.conf.py",
    "pyproject.toml",
    "{pkg}/__init__.py",
    "{pkg}/config.py",
    "{pkg}/contact.py",
    "{pkg}/errors.py",
    "{pkg}/extensions.py",
    "{pkg}/forms.py",
    "{pkg}/mail.py",
    "{pkg}/main.py",
    "{pkg}/pages/__init__.py",
    "{pkg}/security.py",
    "{pkg}/wsgi.py",
    "{pkg}/static/css/site.css",
    "{pkg}/static/favicon.svg",
    "{pkg}/templates/base.html",
    "{pkg}/templates/macros.html",
    "{pkg}/templates/main/index.html",
    "{pkg}/templates/main/about.html",
    "{pkg}/templates/contact/contact.html",
    "{pkg}/templates/errors/404.html",
    "{pkg}/templates/errors/500.html",
    "{pkg}/templates/errors/error.html",
    "{pkg}/templates/errors/429.html",
    "{pkg}/templates/email/layout.html",
    "{pkg}/templates/email/contact.txt",
    "{pkg}/templates/email/contact.html",
    "tests/conftest.py",
    "tests/test_config.py",
    "tests/test_contact.py",
    "tests/test_pages.py",
}
WITH_DATABASE = {
    "{pkg}/models.py",
    "migrations/README",
    "migrations/alembic.ini",
    "migrations/env.py",
    "migrations/script.py.mako",
    "migrations/versions/e8da7d3b3a43_initial_schema.py",
    "tests/test_migrations.py",
    "{pkg}/templates/errors/503.html",
}
WITH_AUTH = {
    "{pkg}/auth/__init__.py",
    "{pkg}/auth/commands.py",
    "{pkg}/auth/forms.py",
    "{pkg}/auth/settings.py",
    "{pkg}/auth/tokens.py",
    "{pkg}/auth/views.py",
    "migrations/versions/7c1f3b2e9a4d_accounts.py",
    "tests/test_auth.py",
    *(
        f"{{pkg}}/templates/auth/{page}.html"
        for page in (
            "_nav",
            "_unconfirmed",
            "account",
            "change_email",
            "change_password",
            "confirm_email",
            "confirm_email_change",
            "delete_account",
            "forgot_password",
            "login",
            "register",
            "reset_password",
            "settings",
        )
    ),
    *(
        f"{{pkg}}/templates/email/{message}.{part}"
        for message in (
            "already_registered",
            "change_email",
            "confirm_email",
            "email_changed",
            "password_changed",
            "reset_password",
        )
        for part in ("txt", "html")
    ),
}
WITH_POSTGRESQL = {"compose.yaml"}
AUTH_FOLDER = "{% if accounts %}auth{% endif %}"
ACCOUNT_EMAIL_FOLDER = "{% if accounts %}email{% endif %}"
DATABASE_ERROR_PAGE = "{% if database != 'none' %}503.html{% endif %}"


def expected_files(answers: dict[str, Any], package: str) -> set[str]:
    names = set(ALWAYS)
    if answers["database"] != "none":
        names |= WITH_DATABASE
    if answers.get("auth"):
        names |= WITH_AUTH
    if answers["database"] == "postgresql":
        names |= WITH_POSTGRESQL
    return {name.format(pkg=package) for name in names}
