"""Upgrades a team can trust: real earlier releases to the newest, features switched on later,
and the workflow that tells a project a newer release exists.

The slow cases generate a project, install it, write to its database, make a team's edits,
update, install again, migrate, read the rows back and run the project's own tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from flaskstarter.smoke.project_env import ProjectEnv, create_and_install
from flaskstarter.use_cases import UseCase
from tests.conftest import REPO_ROOT
from tests.helpers import run_cli
from tests.template_repo import TemplateRepo, git
from tests.upgrade_history import HISTORY, NEWEST_TAG, Release, release_repo
from tests.upgrade_project import (
    AFTER_UPDATE,
    PACKAGE,
    ProjectDatabase,
    conflicted_files,
    edited_paths,
    make_team_edits,
    missing_team_work,
    project_database,
    refuse_commas_in_descriptions,
    reinstall,
    resolve_conflicts,
)

COPIER = str(Path(sys.executable).parent / "copier")

# One answer set per kind, the one that exercises the most of it across releases: a database
# with migrations everywhere one is offered, the website's accounts, the API's JWT auth (its
# files were renamed), every microservice part (PostgreSQL, Redis, Celery, Kubernetes).
UPGRADE_ANSWERS: dict[UseCase, dict[str, Any]] = {
    UseCase.WEBSITE: {"database": "sqlite", "auth": True},
    UseCase.REST_API: {"database": "sqlite", "api_auth": "jwt"},
    UseCase.PROTOTYPE: {},
    UseCase.MICROSERVICE: {
        "database": "postgresql",
        "cache": "redis",
        "worker": "celery",
        "kubernetes": True,
    },
}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepo:
    """The templates at each release of HISTORY, then the working tree as NEWEST_TAG."""
    return release_repo(REPO_ROOT, tmp_path_factory.mktemp("releases") / "templates")


def generate(
    repo: TemplateRepo, tag: str, use_case: UseCase, answers: dict[str, Any], folder: Path
) -> Path:
    """`flaskstarter new` from the template repository at `tag`: git, first commit, .env."""
    project = folder / PACKAGE
    data_file = folder / "answers.yml"
    data_file.write_text(yaml.safe_dump(answers))
    code, out, err = run_cli(
        "new",
        str(project),
        "-k",
        use_case.value,
        "-y",
        "--data-file",
        str(data_file),
        "--template-src",
        repo.url,
        "--vcs-ref",
        tag,
    )
    assert code == 0, err + out
    return project


def copier_update(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Plain `copier update`, as a team runs it (no --trust: the templates need none)."""
    return subprocess.run(
        [COPIER, "update", "--defaults", "--conflict", "inline", *options],
        cwd=project,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def install(project: Path, folder: Path) -> ProjectEnv:
    env, installed = create_and_install(project, folder / "venv")
    assert installed.ok, installed.tail()
    return env


def database_written(database: ProjectDatabase) -> None:
    forward = database.forward()
    assert forward.ok, forward.tail()
    written = database.write_rows()
    assert written.ok, written.tail()


def assert_installs_migrates_and_passes(
    env: ProjectEnv, database: ProjectDatabase, *, rows_written: bool
) -> None:
    """Install again, migrate forward keeping the rows, and pass the project's own tests."""
    installed = reinstall(env)
    assert installed.ok, installed.tail()
    forward = database.forward()
    assert forward.ok, forward.tail()
    if rows_written:
        kept = database.rows_kept()
        assert kept.ok, kept.tail()
    if (env.project / "migrations").is_dir():
        checked = database.check()
        assert checked.ok, (
            f"the migrated database is not what the models describe:\n{checked.tail()}"
        )
    report = env.project.parent / "pytest.xml"
    tests = env.run(
        "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", env=database.settings
    )
    assert tests.ok, tests.tail(40)
    assert team_tests_passed(report), "the team's test did not run"


def team_tests_passed(report: Path) -> bool:
    """Whether the JUnit report shows the team's tests run and passed."""
    cases = ElementTree.parse(report).getroot().iter("testcase")
    team = [case for case in cases if case.get("classname", "").startswith("tests.test_team")]
    return bool(team) and not any(len(case) for case in team)


# --- Item 2: upgrades across real history


@pytest.mark.slow
@pytest.mark.parametrize("use_case", list(UseCase), ids=[kind.value for kind in UseCase])
@pytest.mark.parametrize("release", HISTORY, ids=[release.tag for release in HISTORY])
def test_a_project_of_an_earlier_release_takes_the_newest_keeping_the_teams_work(
    tmp_path: Path, releases: TemplateRepo, release: Release, use_case: UseCase
) -> None:
    started = time.monotonic()
    answers = UPGRADE_ANSWERS[use_case]
    project = generate(releases, release.tag, use_case, answers, tmp_path)
    env = install(project, tmp_path)
    with project_database(env, answers, tmp_path) as database:
        database_written(database)
        make_team_edits(project, use_case)

        updated = copier_update(project)

        assert updated.returncode == 0, updated.stderr
        assert f"_commit: {NEWEST_TAG}" in (project / ".copier-answers.yml").read_text()
        conflicts = conflicted_files(project)
        outside = set(conflicts) - edited_paths(use_case)
        assert not outside, f"conflicts in files the team never edited: {sorted(outside)}"
        print(
            f"\n{release.tag} -> {NEWEST_TAG} {use_case.value}: conflicts in {conflicts or 'none'}"
        )
        resolve_conflicts(project, use_case, conflicts)
        assert missing_team_work(project, use_case) == []
        for edit in AFTER_UPDATE.get(use_case, ()):
            edit.apply(project)
        assert_installs_migrates_and_passes(env, database, rows_written=True)
    print(f"{release.tag} -> {NEWEST_TAG} {use_case.value}: {time.monotonic() - started:.0f} s")


# --- Item 5: projects hear about new releases (.github/workflows/template-update.yml)

WORKFLOW = ".github/workflows/template-update.yml"
CHECK_JSONSCHEMA = str(Path(sys.executable).parent / "check-jsonschema")


@pytest.mark.parametrize("use_case", list(UseCase), ids=[kind.value for kind in UseCase])
def test_every_kind_gets_a_valid_weekly_template_update_workflow(
    tmp_path: Path, use_case: UseCase
) -> None:
    project = tmp_path / PACKAGE
    code, _, err = run_cli("new", str(project), "-k", use_case.value, "-y", "--no-git")
    assert code == 0, err

    checked = subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", "vendor.github-workflows", str(project / WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    workflow = yaml.safe_load((project / WORKFLOW).read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert [entry["cron"] for entry in triggers["schedule"]] == ["17 6 * * 1"]
    assert "workflow_dispatch" in triggers
    steps = workflow["jobs"]["update"]["steps"]
    pull_request = steps[-1]
    assert pull_request["uses"].startswith("peter-evans/create-pull-request@")
    assert pull_request["if"] == "steps.update.outputs.newer == 'true'"
    assert pull_request["with"]["body-path"] == "${{ runner.temp }}/template-update.md"


def run_update_step(
    project: Path, folder: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """Run the workflow's update step as GitHub's runner does: bash -e, its output file."""
    workflow = yaml.safe_load((project / WORKFLOW).read_text())
    step = next(step for step in workflow["jobs"]["update"]["steps"] if step.get("id") == "update")
    outputs, runner_temp = folder / "github-output", folder / "runner-temp"
    runner_temp.mkdir()
    outputs.touch()
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(runner_temp),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-c", step["run"]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    body = runner_temp / "template-update.md"
    return done, values, body.read_text() if body.exists() else ""


@pytest.fixture
def prototype(tmp_path: Path, template_repo: TemplateRepo, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A prototype generated from the throw-away template repository's v0.1.0."""
    monkeypatch.setenv("FLASKSTARTER_TEMPLATE_URL", template_repo.url)
    project = tmp_path / PACKAGE
    code, _, err = run_cli("new", str(project), "-k", "prototype", "-y")
    assert code == 0, err
    return project


def test_the_workflow_takes_a_newer_release_and_lists_conflicts_and_removed_files(
    tmp_path: Path, prototype: Path, template_repo: TemplateRepo
) -> None:
    readme = prototype / "README.md"
    readme.write_text(readme.read_text().replace("A prototype:", "OUR prototype:", 1))
    git(prototype, "commit", "--quiet", "-am", "The team's README")
    template_repo.edit("prototype", "README.md.jinja", "A prototype:", "A PROTOTYPE:")
    template_repo.template_file("prototype", "{{package_name}}/static/app.js").unlink()
    template_repo.commit_and_tag("0.2.0")

    done, outputs, body = run_update_step(prototype, tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs == {"newer": "true", "from": "v0.1.0", "to": "v0.2.0"}
    assert "took the template from v0.1.0 to v0.2.0" in body
    assert "These files have conflicts" in body and "- `README.md`" in body
    assert "no longer has these files" in body and f"- `{PACKAGE}/static/app.js`" in body
    assert "<<<<<<< before updating" in readme.read_text()
    assert "_commit: v0.2.0" in (prototype / ".copier-answers.yml").read_text()


def test_the_workflow_does_nothing_when_there_is_no_newer_release(
    tmp_path: Path, prototype: Path
) -> None:
    done, outputs, body = run_update_step(prototype, tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs == {"newer": "false"}
    assert body == ""
    assert git(prototype, "status", "--porcelain") == ""


def test_a_project_that_deleted_the_workflow_does_not_get_it_back(
    prototype: Path, template_repo: TemplateRepo
) -> None:
    git(prototype, "rm", "--quiet", WORKFLOW)
    git(prototype, "commit", "--quiet", "-m", "We do not want template updates")
    fragment = template_repo.path / "templates" / "_shared" / "template-update.yml.jinja"
    fragment.write_text(fragment.read_text().replace('"17 6 * * 1"', '"17 6 * * 2"'))
    template_repo.commit_and_tag("0.2.0")

    updated = copier_update(prototype)

    assert updated.returncode == 0, updated.stderr
    assert not (prototype / WORKFLOW).exists()
    assert conflicted_files(prototype) == []


def test_the_workflow_stops_when_the_newer_release_refuses_an_answer(
    tmp_path: Path, prototype: Path, template_repo: TemplateRepo
) -> None:
    """Plain `copier update --defaults` would put the default in its place: no pull request."""
    answers = prototype / ".copier-answers.yml"
    answers.write_text(
        answers.read_text().replace("description: A Flask", "description: Ours, a Flask")
    )
    git(prototype, "commit", "--quiet", "-am", "Our description")
    refuse_commas_in_descriptions(template_repo)
    template_repo.commit_and_tag("0.2.0")

    done, outputs, body = run_update_step(prototype, tmp_path)

    assert done.returncode == 1
    assert (
        "::error::v0.2.0 no longer accepts these answers (description: 'Ours, a Flask"
        in done.stdout
    )
    assert outputs == {} and body == ""
