"""Group 3: install-to-green: a fresh venv and install (uv, and pip), then the project's tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.commands import BenchError, Timing
from bench.projects import install_with_pip, install_with_uv, render_default, run_project_tests
from bench.results import GroupResult, Row, Sample, Target, in_turn, median, run_label
from bench.settings import Progress, Settings
from flaskstarter.smoke.project_env import ProjectEnv

GROUP = "install"
UV = "uv venv + install"
PIP = "venv + pip install"
FIRST_TESTS = "project tests, first run"
TESTS = "project tests"
# A gate for install time only: a project's own test time is reported, not gated.
TARGETS = {UV: Target("value", at_most=10.0)}
Installer = Callable[[Path, Path], tuple[Timing, ProjectEnv]]
INSTALLERS: dict[str, tuple[str, Installer]] = {
    "uv": (UV, install_with_uv),
    "pip": (PIP, install_with_pip),
}


def run_install(settings: Settings, progress: Progress) -> GroupResult:
    """Per run, per kind: install with each installer into a fresh venv; test in the uv one.

    The warm-up runs fill uv's and pip's caches: the targets are for a warm cache. The tests
    run twice: the first run also writes the byte-code that uv does not compile at install time;
    the second is what a developer waits for every day, and is the one with the target.
    """
    result = GroupResult(GROUP, "Install-to-green (seconds)")
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-install-") as scratch:
        projects = _render_all(settings.use_cases, Path(scratch), errors)
        for run in range(-settings.warmup, settings.runs):
            for use_case, project in projects.items():
                if use_case in errors:
                    continue
                progress(f"install: {use_case}, {run_label(run, settings.runs)}")
                try:
                    result.samples += _one_run(use_case, project, settings.installers, run)
                except BenchError as error:
                    errors[use_case] = str(error)
    subjects = [INSTALLERS[name][0] for name in settings.installers]
    if "uv" in settings.installers:
        subjects += [FIRST_TESTS, TESTS]
    result.rows = [
        _row(result, use_case, subject, errors.get(use_case))
        for use_case in settings.use_cases
        for subject in subjects
    ]
    return result


def _render_all(
    use_cases: tuple[str, ...], scratch: Path, errors: dict[str, str]
) -> dict[str, Path]:
    projects = {}
    for use_case in use_cases:
        try:
            projects[use_case] = render_default(use_case, scratch / use_case / "project")
        except BenchError as error:
            errors[use_case] = str(error)
    return projects


def _one_run(use_case: str, project: Path, installers: tuple[str, ...], run: int) -> list[Sample]:
    samples = []
    for name in in_turn(list(installers), run):
        subject, install = INSTALLERS[name]
        venv = project.parent / f"venv-{name}"
        try:
            timing, env = install(project, venv)
            samples.append(Sample.timed(GROUP, use_case, subject, run, timing))
            if name == "uv":
                for tests in (FIRST_TESTS, TESTS):
                    test_timing, reported = run_project_tests(env)
                    samples.append(
                        Sample.timed(GROUP, use_case, tests, run, test_timing, **reported)
                    )
        finally:
            shutil.rmtree(venv, ignore_errors=True)
    return samples


def _row(result: GroupResult, use_case: str, subject: str, error: str | None) -> Row:
    baseline = PIP if subject == UV and PIP in {s.subject for s in result.samples} else None
    reported = median(result.extras(use_case, subject, "pytest_seconds"))
    details = {"cpu_s": median(result.extras(use_case, subject, "cpu_s"))}
    if reported is not None:
        details["pytest_seconds"] = reported
    return Row(
        GROUP,
        use_case,
        subject,
        "s",
        median(result.values(use_case, subject)),
        baseline=baseline,
        baseline_median=median(result.values(use_case, PIP)) if baseline else None,
        target=TARGETS.get(subject),
        runs=len(result.values(use_case, subject)),
        details=details,
        error=error,
    )
