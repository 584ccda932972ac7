"""Steps after rendering that belong to the CLI, so plain `copier update` needs no --trust."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flaskstarter.git import GitError, git, git_or_none

ENV_FILE = ".env"
ENV_EXAMPLE = ".env.example"
_HEADER = "# Written by flaskstarter new from .env.example, with fresh secrets. Never commit it."
# An empty secret: SECRET_KEY=, JWT_SECRET_KEY=, API_PASSWORD=, API_KEYS=, *_TOKEN=, ...
_EMPTY_SECRET = re.compile(r"^(?:[A-Z0-9_]*(?:SECRET_KEY|_PASSWORD|_TOKEN)|API_KEYS)=$")
_SETTING = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_COMMIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "flaskstarter",
    "GIT_AUTHOR_EMAIL": "flaskstarter@localhost",
    "GIT_COMMITTER_NAME": "flaskstarter",
    "GIT_COMMITTER_EMAIL": "flaskstarter@localhost",
}


def write_env_file(project: Path) -> None:
    """Write the git-ignored .env from .env.example: every line kept, each empty secret filled.

    Owner-only (0600), and never over an existing .env.
    """
    path = project / ENV_FILE
    if path.exists():
        return
    example = project / ENV_EXAMPLE
    lines = example.read_text(encoding="utf-8").splitlines() if example.is_file() else []
    if not any(line.startswith("SECRET_KEY=") for line in lines):
        lines.append("SECRET_KEY=")  # a template without .env.example: Flask still needs one
    content = "".join(
        f"{line}{secrets.token_hex(32)}\n" if _is_empty_secret(line) else f"{line}\n"
        for line in [_HEADER, *lines]
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as env_file:
        env_file.write(content)


def generated_credentials(project: Path) -> dict[str, str]:
    """What write_env_file made up that a person uses (passwords, keys, tokens: not signing
    keys), with the user names beside them, as `.env` holds them now."""
    example = project / ENV_EXAMPLE
    if not example.is_file() or not (project / ENV_FILE).is_file():
        return {}
    generated = {
        line.removesuffix("=")
        for line in example.read_text(encoding="utf-8").splitlines()
        if _is_empty_secret(line) and not line.removesuffix("=").endswith("SECRET_KEY")
    }
    if not generated:
        return {}
    values = env_settings(project)
    wanted = generated | {name for name in values if name.endswith("_USERNAME")}
    return {name: values[name] for name in values if name in wanted}


def env_settings(project: Path) -> dict[str, str]:
    """The `NAME=value` lines of the project's .env (none when it has no .env)."""
    path = project / ENV_FILE
    if not path.is_file():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.partition("=")[::2] for line in lines if _SETTING.match(line))


def _is_empty_secret(line: str) -> bool:
    return bool(_EMPTY_SECRET.match(line))


def init_git(project: Path, message: str) -> None:
    """Make the project a git repository with one commit, as `copier update` requires."""
    git("init", "--quiet", "--initial-branch=main", cwd=project)
    # Every file goes into one pack rather than a loose object each, whose folder and file
    # creations made `git add` of 45 files take ~35 ms on CI's disk (~14 ms as one pack).
    # Only this command sees the setting; the repository keeps git's defaults.
    git("add", "--all", cwd=project, settings=("core.bigFileThreshold=1",))
    commit = ("commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", message)
    try:
        git(*commit, cwd=project)
    except GitError:
        # Most likely no identity is configured (a CI runner, a fresh container): commit as
        # flaskstarter. Asking git first would cost two more processes on every run.
        git(*commit, cwd=project, env={**os.environ, **_COMMIT_IDENTITY})


def git_user() -> tuple[str | None, str | None]:
    """The user's configured git name and e-mail, if any: good default author answers."""
    output = git_or_none("config", "--get-regexp", r"^user\.(name|email)$") or ""
    found = dict(line.partition(" ")[::2] for line in output.splitlines())
    return found.get("user.name") or None, found.get("user.email") or None
