"""A fresh virtual environment for a generated project, and commands run inside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Variables of the calling environment that would leak into the project's commands.
_ISOLATED_PREFIXES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTEST_", "COV_CORE", "FLASK_", "APP_ENV")
_ISOLATED_NAMES = {
    "SECRET_KEY",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
}


@dataclass(frozen=True)
class CommandResult:
    ok: bool
    output: str

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.output.strip().splitlines()[-lines:])


@dataclass(frozen=True)
class ProjectEnv:
    project: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(_ISOLATED_PREFIXES) and key not in _ISOLATED_NAMES
        }
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.venv)
        env.update(extra or {})
        return env

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 600
    ) -> CommandResult:
        """Run a command from the venv's bin folder in the project folder."""
        executable = self.bin / args[0]
        command = [str(executable) if executable.exists() else args[0], *args[1:]]
        try:
            completed = subprocess.run(
                command,
                cwd=self.project,
                env=self.environ(env),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as expired:
            return CommandResult(
                False, f"{' '.join(args)} timed out after {timeout:.0f} s\n{expired.output or ''}"
            )
        return CommandResult(completed.returncode == 0, completed.stdout + completed.stderr)


def find_uv() -> str | None:
    """uv on PATH or from the installed `uv` package; None means use venv + pip."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def create_and_install(
    project: Path, venv: Path, extras: str = "dev"
) -> tuple[ProjectEnv, CommandResult]:
    """Create a fresh venv; install the project (editable, with extras) from its pyproject."""
    env = ProjectEnv(project, venv)
    uv = find_uv()
    target = f".[{extras}]" if extras else "."
    if uv:
        steps = [
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--python",
                str(venv / "bin" / "python"),
                "-e",
                target,
            ],
        ]
    else:
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-e", target],
        ]
    output = []
    for step in steps:
        result = env.run(*step, timeout=900)
        output.append(result.output)
        if not result.ok:
            return env, CommandResult(False, "\n".join(output))
    return env, CommandResult(True, "\n".join(output))
