"""Generated projects the install and throughput groups work on: default answers, no git."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bench.commands import BenchError, Timing, run_timed, timed
from flaskstarter.errors import FlaskstarterError
from flaskstarter.render import RenderRequest, render_project
from flaskstarter.smoke.project_env import ProjectEnv, create_and_install, find_uv
from flaskstarter.template_source import bundled_source

_PYTEST_SUMMARY = re.compile(r"(\d+) passed.* in ([\d.]+)s")


def render_default(use_case: str, destination: Path) -> Path:
    """Render one kind with its default answers, as `flaskstarter new -k KIND -y` does."""
    try:
        rendered = render_project(
            RenderRequest(
                destination=destination,
                source=bundled_source(),
                answers={"use_case": use_case},
                use_defaults=True,
                git=False,
            )
        )
    except FlaskstarterError as error:
        raise BenchError(f"rendering {use_case}: {error}") from error
    return rendered.path


def install_with_uv(project: Path, venv: Path) -> tuple[Timing, ProjectEnv]:
    """Create a fresh venv and install the project with its dev extra, with uv."""
    if find_uv() is None:
        raise BenchError("uv is not installed (pip install uv)")
    with timed() as timing:
        env, result = create_and_install(project, venv)
    if not result.ok:
        raise BenchError(f"uv install failed:\n{result.tail(15)}")
    return timing, env


def install_with_pip(project: Path, venv: Path) -> tuple[Timing, ProjectEnv]:
    """The same with the standard library's venv and pip, for comparison."""
    env = ProjectEnv(project, venv)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    total = Timing()
    for command in ([sys.executable, "-m", "venv", str(venv)], [*pip, "-e", ".[dev]"]):
        step, _ = run_timed(command, cwd=project, env=env.environ())
        total.wall += step.wall
        total.cpu += step.cpu
    return total, env


def run_project_tests(env: ProjectEnv) -> tuple[Timing, dict[str, float | int]]:
    """Time the project's own pytest run; also return what pytest itself reported."""
    command = [str(env.bin / "pytest"), "-q", "-p", "no:cacheprovider"]
    timing, output = run_timed(command, cwd=env.project, env=env.environ())
    found = _PYTEST_SUMMARY.search(output)
    reported: dict[str, float | int] = {}
    if found:
        reported = {"passed": int(found.group(1)), "pytest_seconds": float(found.group(2))}
    return timing, reported
