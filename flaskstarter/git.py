"""git, as flaskstarter runs it: one place that calls it and reports its failures."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from flaskstarter.errors import FlaskstarterError


class GitError(FlaskstarterError):
    """git is not installed, or a git command failed."""


def git(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    settings: tuple[str, ...] = (),
) -> str:
    """Run `git ARGS` and return its output; GitError says which command failed and why.

    `settings` are `-c name=value` options for this one command.
    """
    options = [option for setting in settings for option in ("-c", setting)]
    try:
        result = subprocess.run(
            ["git", *options, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise GitError(
            f"Cannot run git ({error.strerror}): install git, or pass --no-git."
        ) from error
    if result.returncode != 0:
        reason = " ".join(result.stderr.split()) or f"exit code {result.returncode}"
        raise GitError(f"git {args[0]} failed: {reason}")
    return result.stdout


def git_or_none(*args: str, cwd: Path | None = None) -> str | None:
    """The output of `git ARGS`, or None when it fails (not a repository, no git)."""
    try:
        return git(*args, cwd=cwd)
    except GitError:
        return None
