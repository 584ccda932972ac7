"""Which smoke runs a `flaskstarter smoke` command asks for, and running them in turn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flaskstarter.answers import parse_data_options, typed_answers
from flaskstarter.questions import load_questions
from flaskstarter.smoke.pipeline import Progress, SmokeReport, run_smoke
from flaskstarter.template_source import (
    TemplateSource,
    bundled_source,
    bundled_template_root,
    explicit_source,
)
from flaskstarter.use_cases import CATALOGUE, UseCase


@dataclass(frozen=True)
class SmokeRun:
    use_case: UseCase
    answers: dict[str, Any]
    source: TemplateSource


def plan_runs(
    use_cases: list[UseCase],
    data: list[str],
    template_src: str | None,
    vcs_ref: str | None,
    *,
    every_combination: bool = False,
) -> list[SmokeRun]:
    """One run per kind (or per claimed answer combination) with the same extra answers."""
    raw = parse_data_options(data)
    if template_src is None:
        answers = typed_answers(raw, load_questions(bundled_template_root()))
        source = bundled_source()
    else:
        answers = dict(raw)
        source = explicit_source(template_src, vcs_ref)
    return [
        SmokeRun(use_case, {**combination, **answers}, source)
        for use_case in dict.fromkeys(use_cases)
        for combination in (CATALOGUE[use_case].combinations if every_combination else ({},))
    ]


def run_all(runs: list[SmokeRun], *, keep: bool, progress: Progress) -> list[SmokeReport]:
    return [
        run_smoke(run.use_case, run.answers, source=run.source, keep=keep, progress=progress)
        for run in runs
    ]
