"""Small helpers the tests share: running the CLI, snapshotting a folder, claimed answer sets."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from _pytest.mark import ParameterSet
from typer.testing import CliRunner

from flaskstarter.cli import app
from flaskstarter.use_cases import CATALOGUE, UseCase


def run_cli(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run flaskstarter in-process; returns (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under folder with its content hash (and mode), to prove nothing changed."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        + oct(path.stat().st_mode)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def claimed_combinations(kind: str) -> list[ParameterSet]:
    """Every answer set the catalogue claims for `kind`, as pytest params named by their answers."""
    return [
        pytest.param(answers, id=combination_id(answers))
        for answers in CATALOGUE[UseCase(kind)].combinations
    ]


# CI's budget (README.md, "What CI runs"): the slowest layers, a README run as pasted and a load
# on the served app, take these claimed answer sets of each kind; every claimed combination still
# renders, installs, passes its own tests, ruff and mypy, migrates and serves in the smoke layer.
# The first set of a kind is its fullest (every service it can use), the others its default and
# its plainest, whose READMEs and code differ most from it. FLASKSTARTER_FULL_MATRIX=1 (the
# release workflow sets it) gives every claimed combination to those layers too.
FULL_MATRIX = os.environ.get("FLASKSTARTER_FULL_MATRIX", "") == "1"
SLOW_LAYER_SETS: dict[UseCase, tuple[dict[str, Any], ...]] = {
    UseCase.WEBSITE: (
        {"database": "postgresql", "auth": True},
        {"database": "sqlite", "auth": True},
        {"database": "none"},
    ),
    UseCase.REST_API: (
        {"api_auth": "jwt", "cors": True, "database": "postgresql"},
        {},
        {"api_framework": "flask-restful", "api_auth": "api_key", "cors": True, "rate_limit": True},
    ),
    UseCase.PROTOTYPE: ({},),
    UseCase.MICROSERVICE: (
        {"database": "postgresql", "cache": "redis", "worker": "celery", "kubernetes": False},
        {"database": "none", "cache": "none", "worker": "none", "kubernetes": False},
    ),
}


def in_slow_layers(kind: str, answers: dict[str, Any]) -> bool:
    """Whether `answers` (a claimed combination) gets the slowest layers in this run."""
    return FULL_MATRIX or answers in SLOW_LAYER_SETS[UseCase(kind)]


def slow_layer_combinations(kind: str) -> list[ParameterSet]:
    """The claimed combinations the slowest layers run, as pytest params named by answers."""
    return [param for param in claimed_combinations(kind) if in_slow_layers(kind, param.values[0])]


def combination_id(answers: dict[str, Any]) -> str:
    """ "sqlite-auth", "flask-restful-jwt-rate_limit-categories", "defaults"..."""
    parts = [
        key if value is True else f"no_{key}" if value is False else str(value)
        for key, value in answers.items()
    ]
    return "-".join(parts) or "defaults"


def snapshot_all(folder: Path) -> dict[str, str]:
    """Like snapshot(), but links are recorded as links and folders too (for `.git`)."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            entries[key] = "-> " + str(path.readlink())
        elif path.is_dir():
            entries[key] = "dir " + oct(path.stat().st_mode)
        else:
            entries[key] = hashlib.sha256(path.read_bytes()).hexdigest() + oct(path.stat().st_mode)
    return entries


def screen_text(raw: str) -> str:
    """What a terminal shows, as one string: escape sequences, CR and LF removed.

    A prompt wrapped over several rows reads as its whole text again, which a cut one does not.
    """
    import re

    codes = r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-B]"
    return re.sub(codes, "", raw).replace("\r", "").replace("\n", "")
