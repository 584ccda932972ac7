"""Small helpers the CLI tests share: running the CLI, snapshotting a folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from flaskstarter.cli import app


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
