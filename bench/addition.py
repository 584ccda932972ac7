"""Group: `flaskstarter add` against raw `copier copy` of the same generator, same source and
answers, into the same generated project (issue #16: at most 1.1 times as long)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml

from bench.commands import BenchError, console_script, run_timed
from bench.generation import timed_against
from bench.results import GroupResult, Row, Sample, Target, in_turn, run_label
from bench.settings import Progress, Settings
from flaskstarter.add.project import migration_head, read_project
from flaskstarter.template_source import bundled_source

GROUP = "addition"
FLASKSTARTER = "flaskstarter add"
COPIER = "copier copy"
TARGET = Target("ratio", at_most=1.1)
BOOKS = ["books", "title:str:120", "price:decimal", "published:bool"]
# Each generator of each kind, by the row it is reported in: (kind, project answers, add's
# arguments).
ADDITIONS: dict[str, tuple[str, dict[str, str], list[str]]] = {
    "rest_api": ("rest_api", {}, ["resource", *BOOKS]),
    "microservice": ("microservice", {"database": "sqlite"}, ["resource", *BOOKS]),
    "website": ("website", {}, ["page", "our_team"]),
    "website scaffold": ("website", {"database": "sqlite"}, ["scaffold", *BOOKS]),
}
FIELDS = [
    {"name": "title", "type": "str", "length": 120, "unique": False, "optional": False},
    {"name": "price", "type": "decimal", "unique": False, "optional": False},
    {"name": "published", "type": "bool", "unique": False, "optional": False},
]


def run_addition(settings: Settings, progress: Progress) -> GroupResult:
    """Time both commands for every generator of the kinds asked for, interleaved, after
    warm-ups."""
    result = GroupResult(GROUP, "Addition: flaskstarter add vs raw copier copy (seconds)")
    rows = [row for row, (kind, _, _) in ADDITIONS.items() if kind in settings.use_cases]
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-addition-") as scratch:
        projects: dict[str, Path] = {}
        for row in rows:
            try:
                projects[row] = _project(row, Path(scratch))
            except BenchError as error:
                errors[row] = str(error)
        for run in range(-settings.warmup, settings.runs):
            for row, project in projects.items():
                if row in errors:
                    continue
                progress(f"addition: {row}, {run_label(run, settings.runs)}")
                try:
                    result.samples += _time_both(row, project, run)
                except BenchError as error:
                    errors[row] = str(error)
    result.rows = [_row(result, row, errors.get(row)) for row in rows]
    return result


def _project(row: str, scratch: Path) -> Path:
    """A committed project of the row's kind, made by `flaskstarter new`."""
    project = scratch / row.replace(" ", "-")
    kind, answers, _ = ADDITIONS[row]
    data = [part for key, value in answers.items() for part in ("-d", f"{key}={value}")]
    command = [*console_script("flaskstarter"), "new", str(project), "-k", kind, "-y", *data]
    run_timed(command)
    return project


def addition_commands(row: str, project: Path, data_file: Path) -> dict[str, list[str]]:
    """Both commands: flaskstarter add, and Copier rendering the same generator with the same
    answers (the project's, then the generator's, from `data_file`) into the project."""
    source = bundled_source()
    _, _, arguments = ADDITIONS[row]
    generator, name = arguments[:2]
    copier = [
        *console_script("copier"),
        "copy",
        "--defaults",
        "--quiet",
        "--data-file",
        str(data_file),
        "--answers-file",
        f".copier-answers.{generator}-{name}.yml",
    ]
    if source.vcs_ref:
        copier += ["--vcs-ref", source.vcs_ref]
    return {
        FLASKSTARTER: [
            *console_script("flaskstarter"),
            "add",
            *arguments,
            "--project",
            str(project),
        ],
        COPIER: [*copier, source.location, str(project)],
    }


def _copier_answers(row: str, project: Path) -> dict[str, Any]:
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    generator, name = ADDITIONS[row][2][:2]
    answers.update(generator=generator, name=name)
    if generator in ("resource", "scaffold"):
        head = migration_head(read_project(project)) or ""
        answers.update(fields=FIELDS, revision="0123456789ab", down_revision=head)
    return answers


def _time_both(row: str, project: Path, run: int) -> list[Sample]:
    samples = []
    data_file = project.parent / f"{project.name}-answers.yml"
    data_file.write_text(yaml.safe_dump(_copier_answers(row, project)), encoding="utf-8")
    for subject in in_turn([FLASKSTARTER, COPIER], run):
        timing, _ = run_timed(addition_commands(row, project, data_file)[subject])
        added = run_timed(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project)
        files = len(added[1].splitlines())
        samples.append(Sample.timed(GROUP, row, subject, run, timing, files=files))
        # Back to the committed project: add needs a clean tree, and neither may find the files.
        run_timed(["git", "clean", "-fdq"], cwd=project)
    return samples


def _row(result: GroupResult, row: str, error: str | None) -> Row:
    return timed_against(result, row, FLASKSTARTER, COPIER, TARGET, error)
