"""Group 1: `flaskstarter new` against raw `copier copy` of the same template, same source."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.commands import BenchError, console_script, run_timed
from bench.results import GroupResult, Row, Sample, Target, in_turn, median, run_label
from bench.settings import Progress, Settings
from flaskstarter.template_source import bundled_source

GROUP = "generation"
FLASKSTARTER = "flaskstarter new"
COPIER = "copier copy"
TARGET = Target("ratio", at_most=1.1)


def generation_commands(use_case: str, destination: Path) -> dict[str, list[str]]:
    """Both commands for one kind: flaskstarter (git init and commit included) and raw Copier."""
    source = bundled_source()
    copier = [
        *console_script("copier"),
        "copy",
        "--defaults",
        "--quiet",
        "-d",
        f"use_case={use_case}",
    ]
    if source.vcs_ref:
        copier += ["--vcs-ref", source.vcs_ref]
    return {
        FLASKSTARTER: [
            *console_script("flaskstarter"),
            "new",
            str(destination),
            "--kind",
            use_case,
            "--defaults",
        ],
        COPIER: [*copier, source.location, str(destination)],
    }


def run_generation(settings: Settings, progress: Progress) -> GroupResult:
    """Time both commands for every kind, interleaved, after untimed warm-up runs."""
    result = GroupResult(GROUP, "Generation: flaskstarter new vs raw copier copy (seconds)")
    errors: dict[str, str] = {}
    for run in range(-settings.warmup, settings.runs):
        for use_case in settings.use_cases:
            if use_case in errors:
                continue
            progress(f"generation: {use_case}, {run_label(run, settings.runs)}")
            try:
                result.samples += _time_both(use_case, run)
            except BenchError as error:
                errors[use_case] = str(error)
    result.rows = [_row(result, use_case, errors.get(use_case)) for use_case in settings.use_cases]
    return result


def _time_both(use_case: str, run: int) -> list[Sample]:
    samples = []
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as scratch:
        for subject in in_turn([FLASKSTARTER, COPIER], run):
            destination = Path(scratch) / f"{subject.split()[0]}-project"
            timing, _ = run_timed(generation_commands(use_case, destination)[subject])
            files = sum(1 for path in destination.rglob("*") if path.is_file() and _ours(path))
            samples.append(Sample.timed(GROUP, use_case, subject, run, timing, files=files))
            shutil.rmtree(destination, ignore_errors=True)
    return samples


def _ours(path: Path) -> bool:
    return ".git" not in path.parts


def _row(result: GroupResult, use_case: str, error: str | None) -> Row:
    return timed_against(result, use_case, FLASKSTARTER, COPIER, TARGET, error)


def timed_against(
    result: GroupResult,
    use_case: str,
    subject: str,
    baseline: str,
    target: Target,
    error: str | None,
) -> Row:
    """The row of a command timed against a baseline command, with both CPU times and the
    number of files the baseline wrote."""
    files = [
        sample.extra["files"]
        for sample in result.samples
        if sample.use_case == use_case and sample.subject == baseline
    ]
    return Row(
        result.name,
        use_case,
        subject,
        "s",
        median(result.values(use_case, subject)),
        baseline=baseline,
        baseline_median=median(result.values(use_case, baseline)),
        target=target,
        runs=len(result.values(use_case, subject)),
        details={
            "files": files[-1] if files else None,
            "cpu_s": median(result.extras(use_case, subject, "cpu_s")),
            "baseline_cpu_s": median(result.extras(use_case, baseline, "cpu_s")),
        },
        error=error,
    )
