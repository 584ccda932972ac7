"""What to run after `new`, for the answers given: uv when it is installed, pip otherwise."""

from __future__ import annotations

import json
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flaskstarter.overwrite import KeptWork
from flaskstarter.project_setup import env_settings, generated_credentials


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
        # Written so that the part after "without Docker:" can be pasted on its own.
        commands.append(
            f"docker compose up -d {' '.join(services)}"
            f"    # without Docker: {_without_docker(services, path, package)}"
        )
    if (path / "migrations").is_dir():
        commands.append(f"flask --app {package} db upgrade")
    commands.append(f"flask --app {package} run --debug")
    notes = _credential_notes(path, kept) + _notes(
        answers, git_initialized=git_initialized, kept=kept
    )
    return NextSteps(commands, notes)


def _compose_services(answers: dict[str, Any]) -> list[str]:
    services = []
    if answers.get("database") == "postgresql":
        services.append("db")
    if answers.get("use_case") == "microservice" and answers.get("cache") == "redis":
        services.append("redis")
    return services


def _without_docker(services: list[str], path: Path, package: str) -> str:
    steps = {"db": _create_database(path, package), "redis": "redis-cli ping"}
    return " && ".join(steps[service] for service in services)


def _create_database(path: Path, package: str) -> str:
    """createdb (and createuser) for the database DATABASE_URL in .env names."""
    parts = urlsplit(env_settings(path).get("DATABASE_URL", ""))
    name = shlex.quote(parts.path.lstrip("/") or package)
    if parts.username and parts.username != "postgres":
        user = shlex.quote(parts.username)
        return f"createuser {user} && createdb -O {user} {name}"
    return f"createdb {name}"


def _credential_notes(path: Path, kept: KeptWork) -> list[str]:
    """The credentials `new` made up for .env, shown this once, and how to use them."""
    credentials = {} if kept.env else generated_credentials(path)
    if not credentials:
        return []
    shown = ", ".join(f"{name}={value}" for name, value in credentials.items())
    notes = [f".env holds the credentials made for this project (printed only now): {shown}."]
    if "API_PASSWORD" in credentials:
        body = json.dumps(
            {
                "username": credentials.get("API_USERNAME", ""),
                "password": credentials["API_PASSWORD"],
            }
        )
        notes.append(
            "With the server running, this gets a token (send it as `Authorization: Bearer"
            " <token>`): `curl -fsS -X POST http://127.0.0.1:5000/api/auth/token"
            f" -H 'Content-Type: application/json' -d '{body}'`"
        )
    if "API_KEYS" in credentials:
        notes.append("Writes need one of API_KEYS in the X-API-Key header.")
    return notes


def _notes(answers: dict[str, Any], *, git_initialized: bool, kept: KeptWork) -> list[str]:
    package = answers.get("package_name", "app")
    notes = []
    if answers.get("database") == "postgresql":
        notes.append(
            "PostgreSQL: `docker compose up -d db` starts the development database that"
            f" DATABASE_URL in .env names (compose.yaml). Without Docker, `createdb {package}`"
            " on a server you run, and make DATABASE_URL in .env name it."
        )
    if answers.get("use_case") == "microservice" and answers.get("cache") == "redis":
        notes.append(
            "Redis: without Docker, run a Redis server at REDIS_URL in .env"
            " (`redis-cli ping` answers PONG when it is there)."
        )
    if answers.get("use_case") == "microservice" and answers.get("worker") == "celery":
        notes.append("Celery: the README's Run section has the worker command.")
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
        notes.append(
            "The folder's own .env was left as it was: compare it with .env.example, which"
            " lists every setting the project reads."
        )
    else:
        notes.append(
            ".env holds every setting for development (from .env.example) with fresh secrets,"
            " and is git-ignored: keep it out of version control."
        )
    return notes
