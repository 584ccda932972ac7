"""`flaskstarter smoke`: the harness passes a good template and catches a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskstarter.smoke import run_smoke
from flaskstarter.template_source import explicit_source
from tests.helpers import run_cli
from tests.served_checks import HOSTILE_TEXT, under_load
from tests.template_repo import TemplateRepo

pytestmark = pytest.mark.slow


def test_smoke_command_passes_the_prototype_and_prints_a_table() -> None:
    code, out, err = run_cli("smoke", "--kind", "prototype")

    assert code == 0, out + err
    assert "flaskstarter smoke" in out
    assert "PASS" in out and "FAIL" not in out


def test_prototype_with_hostile_text_passes_every_step_and_a_load() -> None:
    answers = {**HOSTILE_TEXT, "package_name": "quoted"}
    report = run_smoke("prototype", answers, while_serving=under_load())

    assert report.ok, report.summary()
    assert [step.name for step in report.steps] == [
        "render",
        "install",
        "tests",
        "lint",
        "format",
        "types",
        "serve",
    ]


def test_smoke_reports_a_failing_test_suite_and_a_broken_route(
    tmp_path: Path, template_repo: TemplateRepo
) -> None:
    template_repo.edit(
        "prototype",
        "tests/test_app.py.jinja",
        "assert response.get_json() == []",
        "assert response.get_json() == [1]",
    )
    template_repo.edit(
        "prototype",
        "{{package_name}}/__init__.py.jinja",
        '@bp.get("/api/notes")',
        '@bp.get("/api/notez")',
    )
    template_repo.commit_and_tag("0.1.1")

    report = run_smoke("prototype", source=explicit_source(template_repo.url, "v0.1.1"))

    assert not report.ok
    assert not report.step("tests").ok
    assert "FAILED tests/test_app.py::test_notes_start_empty" in report.step("tests").detail
    assert report.step("lint").ok
    assert report.step("format").ok
    serve = report.step("serve")
    assert not serve.ok and "GET /api/notes: status 405" in serve.detail


def test_smoke_command_exits_non_zero_on_failure(template_repo: TemplateRepo) -> None:
    template_repo.edit(
        "prototype",
        "pyproject.toml.jinja",
        '"flask-sqlalchemy>=3.1,<4",',
        '"flask-sqlalchemy>=999",',
    )
    template_repo.commit_and_tag("0.1.1")

    code, out, _ = run_cli(
        "smoke", "-k", "prototype", "--template-src", template_repo.url, "--vcs-ref", "v0.1.1"
    )

    assert code == 1
    assert "FAIL" in out
    assert "install: FAILED" in out


def test_all_plans_every_claimed_combination() -> None:
    from flaskstarter.smoke.runs import plan_runs
    from flaskstarter.use_cases import CATALOGUE, UseCase

    runs = plan_runs([UseCase.WEBSITE], ["project_name=X"], None, None, every_combination=True)

    assert [run.answers for run in runs] == [
        {**combination, "project_name": "X"}
        for combination in CATALOGUE[UseCase.WEBSITE].combinations
    ]
