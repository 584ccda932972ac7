"""What to run after `new`, for the answers given: uv when it is installed, pip otherwise."""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flaskstarter.overwrite import KeptWork


@dataclass
class NextSteps:
    commands: list[str]
    notes: list[str] = field(default_factory=list)


def next_steps(
    path: Path,
    answers: dict[str, Any],
    *,
    git_initialized: bool,
    kept: KeptWork,
    uv: bool | None = None,
) -> NextSteps:
    """The commands to paste, in order, and notes on what was made."""
    if uv is None:
        uv = shutil.which("uv") is not None
    package = answers.get("package_name", "app")
    commands = [f"cd {shlex.quote(str(path))}"]
    if uv:
        commands += ["uv venv && . .venv/bin/activate", "uv pip install -e '.[dev]'"]
    else:
        commands += ["python3 -m venv .venv && . .venv/bin/activate", "pip install -e '.[dev]'"]
    commands.append("pytest && ruff check .")
    services = _compose_services(answers)
    if services:
        commands.append(f"docker compose up -d {' '.join(services)}")
    if (path / "migrations").is_dir():
        commands.append(f"flask --app {package} db upgrade")
    commands.append(f"flask --app {package} run --debug")
    return NextSteps(commands, _notes(answers, git_initialized=git_initialized, kept=kept))


def _compose_services(answers: dict[str, Any]) -> list[str]:
    services = []
    if answers.get("database") == "postgresql":
        services.append("db")
    if answers.get("use_case") == "microservice" and answers.get("cache") == "redis":
        services.append("redis")
    return services


def _notes(answers: dict[str, Any], *, git_initialized: bool, kept: KeptWork) -> list[str]:
    package = answers.get("package_name", "app")
    notes = []
    if answers.get("database") == "postgresql":
        notes.append(
            "PostgreSQL: `docker compose up -d db` starts the development database (compose.yaml)."
            f" Without Docker, create a database (createdb {package}) on a server you run and"
            " set DATABASE_URL in .env to it before `flask db upgrade`."
        )
    if answers.get("use_case") == "microservice" and answers.get("cache") == "redis":
        notes.append("Redis: without Docker, set REDIS_URL in .env to a server you run.")
    if answers.get("use_case") == "microservice" and answers.get("worker") == "celery":
        notes.append("Celery: the README's Run section has the worker command.")
    auth = answers.get("api_auth")
    if auth == "api_key":
        notes.append(
            "API keys: writes need a key from API_KEYS, which .env does not have yet: the"
            " README's Set up section has the command that adds a random one."
        )
    elif auth == "jwt":
        notes.append(
            "JWT: POST /api/auth/token trades API_USERNAME and API_PASSWORD for a token; .env"
            " does not have them yet: the README's Set up section has the commands that add them."
        )
    if kept.git:
        notes.append(
            "The folder's git repository was left as it was: review and commit the new files"
            " (`copier update` needs a clean tree)."
        )
    elif git_initialized:
        notes.append(
            "It is a git repository with one commit: `copier update` takes later template versions."
        )
    if kept.env:
        notes.append("The folder's own .env was left as it was: make sure it sets SECRET_KEY.")
    else:
        notes.append(
            ".env holds a fresh SECRET_KEY and is git-ignored: keep it out of version control."
        )
    return notes
