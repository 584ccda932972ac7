"""Upgrades a team can trust: real earlier releases to the newest, features switched on later,
and the workflow that tells a project a newer release exists.

The slow cases generate a project, install it, write to its database, make a team's edits,
update, install again, migrate, read the rows back and run the project's own tests.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from flaskstarter.provenance import read_answers
from flaskstarter.smoke.project_env import ProjectEnv, create_and_install
from flaskstarter.switches import SWITCHES
from flaskstarter.use_cases import UseCase
from tests.conftest import REPO_ROOT
from tests.helpers import combination_id, run_cli
from tests.template_repo import TemplateRepo, git
from tests.upgrade_history import (
    BEFORE_REWRITE,
    HISTORY,
    NEWEST_TAG,
    OLDEST,
    Release,
    release_repo,
)
from tests.upgrade_project import (
    AFTER_UPDATE,
    PACKAGE,
    ProjectDatabase,
    TeamWork,
    conflicted_files,
    project_database,
    refuse_commas_in_descriptions,
    reinstall,
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


def require_services(request: pytest.FixtureRequest, answers: dict[str, Any]) -> None:
    """The real servers the answers need (skipped without them, failed in CI)."""
    if answers.get("database") == "postgresql":
        request.getfixturevalue("postgres_url")
    if answers.get("cache") == "redis" or answers.get("worker") == "celery":
        request.getfixturevalue("redis_url")


def database_written(database: ProjectDatabase) -> None:
    forward = database.forward()
    assert forward.ok, forward.tail()
    written = database.write_rows()
    assert written.ok, written.tail()


def assert_migrates_and_passes(
    env: ProjectEnv, database: ProjectDatabase, *, rows_written: bool
) -> None:
    """Migrate forward keeping the rows, and pass the project's own tests, the team's too."""
    forward = database.forward()
    assert forward.ok, forward.tail()
    if rows_written:
        kept = database.rows_kept()
        assert kept.ok, kept.tail()
    if (env.project / "migrations").is_dir():
        checked = database.check()
        assert checked.ok, f"the migrated schema is not the models':\n{checked.tail()}"
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


def recorded_answers(project: Path) -> dict[str, Any]:
    return {key: value for key, value in read_answers(project).items() if key[0] != "_"}


def differences_from_a_new_project(
    project: Path, repo: TemplateRepo, tag: str, mine: set[str], folder: Path
) -> list[str]:
    """How the project differs from one generated new at `tag` with its answers.

    An updated project holds exactly the files a new one has (files the new version removes
    or renames are gone, computed answers give the same files), plus the team's own; every
    file the team did not touch is the new version's.
    """
    import copier

    fresh = folder / "fresh"
    copier.run_copy(
        repo.url,
        str(fresh),
        data=recorded_answers(project),
        vcs_ref=tag,
        defaults=True,
        quiet=True,
        unsafe=False,
    )
    git(project, "add", "--all")
    tracked = set(git(project, "ls-files", "-z").split("\0")) - {""}
    new = {str(path.relative_to(fresh)) for path in fresh.rglob("*") if path.is_file()}
    problems = [f"missing: {path}" for path in sorted(new - tracked)]
    problems += [f"not in a new project: {path}" for path in sorted(tracked - new - mine)]
    problems += [
        f"differs from a new project: {path}"
        for path in sorted((new & tracked) - mine)
        if (project / path).read_bytes() != (fresh / path).read_bytes()
    ]
    return problems


# --- Item 2: upgrades across real history


@pytest.mark.slow
@pytest.mark.parametrize("use_case", list(UseCase), ids=[kind.value for kind in UseCase])
@pytest.mark.parametrize("release", HISTORY, ids=[release.tag for release in HISTORY])
def test_a_project_of_an_earlier_release_takes_the_newest_keeping_the_teams_work(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    releases: TemplateRepo,
    release: Release,
    use_case: UseCase,
) -> None:
    started = time.monotonic()
    answers = UPGRADE_ANSWERS[use_case]
    require_services(request, answers)
    team = TeamWork.of(use_case, answers)
    project = generate(releases, release.tag, use_case, answers, tmp_path)
    env = install(project, tmp_path)
    with project_database(env, answers, tmp_path) as database:
        database_written(database)
        team.make(project)

        updated = copier_update(project)

        assert updated.returncode == 0, updated.stderr
        assert f"_commit: {NEWEST_TAG}" in (project / ".copier-answers.yml").read_text()
        conflicts = conflicted_files(project)
        assert set(conflicts) <= team.paths, f"conflicts outside the team's files: {conflicts}"
        print(f"\n{release.tag} -> {NEWEST_TAG} {use_case.value}: conflicts in {conflicts}")
        team.resolve(project, conflicts)
        assert team.missing(project) == []
        assert (
            differences_from_a_new_project(project, releases, NEWEST_TAG, team.paths, tmp_path)
            == []
        )
        for edit in AFTER_UPDATE.get(use_case, ()):
            edit.apply(project)
        installed = reinstall(env)
        assert installed.ok, installed.tail()
        assert_migrates_and_passes(env, database, rows_written=True)
    print(f"{release.tag} -> {NEWEST_TAG} {use_case.value}: {time.monotonic() - started:.0f} s")


# --- Item 3: what changed in meaning between those releases and the newest carries forward

# Answer sets beside UPGRADE_ANSWERS whose files hang on a condition the newest release
# computes differently: the website's `accounts` (was `auth` and `auth and database != 'none'`
# in file names), the REST API's `secured_writes` (was `api_auth != 'none'`).
COMPUTED_CASES = [
    (UseCase.WEBSITE, {"database": "sqlite", "auth": False}, f"{PACKAGE}/auth/views.py", False),
    (UseCase.WEBSITE, {"database": "none"}, f"{PACKAGE}/auth/views.py", False),
    (UseCase.REST_API, {"api_auth": "api_key"}, f"{PACKAGE}/auth.py", True),
    (UseCase.REST_API, {"api_auth": "none"}, f"{PACKAGE}/auth.py", False),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("use_case", "answers", "path", "present"),
    COMPUTED_CASES,
    ids=[f"{case[0].value}-{combination_id(case[1])}" for case in COMPUTED_CASES],
)
@pytest.mark.parametrize("release", HISTORY, ids=[release.tag for release in HISTORY])
def test_answers_the_newest_release_computes_keep_the_files_they_gave(
    tmp_path: Path,
    releases: TemplateRepo,
    release: Release,
    use_case: UseCase,
    answers: dict[str, Any],
    path: str,
    present: bool,
) -> None:
    project = generate(releases, release.tag, use_case, answers, tmp_path)
    assert (project / path).exists() == present

    updated = copier_update(project)

    assert updated.returncode == 0, updated.stderr
    assert (project / path).exists() == present
    # Worked out from the answers on every run, never recorded.
    computed = {"accounts", "secured_writes", "resource_singular", "resource_class"}
    assert not computed & recorded_answers(project).keys()
    assert differences_from_a_new_project(project, releases, NEWEST_TAG, set(), tmp_path) == []


def test_a_file_the_newest_release_removes_keeps_the_teams_edits(
    tmp_path: Path, releases: TemplateRepo
) -> None:
    """rest_api's errors.py (v0.1.0) became the shared problems.py: Copier would delete it."""
    project = generate(releases, BEFORE_REWRITE.tag, UseCase.REST_API, {}, tmp_path)
    errors = project / PACKAGE / "errors.py"
    errors.write_text(errors.read_text() + "\n# The team's own error notes.\n")
    git(project, "commit", "--quiet", "-am", "The team's error notes")

    code, out, _ = run_cli("update", str(project))

    assert code == 1
    assert f"{PACKAGE}/errors.py (removed by the new version; your edits kept)" in " ".join(
        out.split()
    )
    assert "The team's own error notes." in errors.read_text()
    assert not (project / PACKAGE / "sessions.py").exists()  # unedited: removed


def test_a_resource_name_the_newest_release_refuses_stops_the_update(
    tmp_path: Path, releases: TemplateRepo
) -> None:
    """`problems` names the newest release's own problems.py module."""
    answers = {"resource_name": "problems"}
    project = generate(releases, BEFORE_REWRITE.tag, UseCase.REST_API, answers, tmp_path)
    head = git(project, "rev-parse", "HEAD")

    code, _, err = run_cli("update", str(project))

    message = " ".join(err.split())
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert f"Version {NEWEST_TAG} no longer accepts resource_name='problems'" in message
    assert f"the project stays on {BEFORE_REWRITE.tag}" in message
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain") == ""


# Everyday names earlier releases accepted whose singular (order, version, location, page) or
# class (Page) the generated code once used itself: it names its own variables otherwise now.
EVERYDAY_RESOURCES = [
    (BEFORE_REWRITE, "orders"),
    (BEFORE_REWRITE, "versions"),
    (BEFORE_REWRITE, "locations"),
    (OLDEST, "pages"),
]


@pytest.mark.parametrize(
    ("release", "resource"),
    EVERYDAY_RESOURCES,
    ids=[f"{release.tag}-{resource}" for release, resource in EVERYDAY_RESOURCES],
)
def test_a_common_resource_name_of_an_earlier_release_still_updates(
    tmp_path: Path, releases: TemplateRepo, release: Release, resource: str
) -> None:
    answers = {"resource_name": resource}
    project = generate(releases, release.tag, UseCase.REST_API, answers, tmp_path)

    code, out, err = run_cli("update", str(project), "--pretend")

    assert code == 0, err
    assert f"-> {NEWEST_TAG}" in out

    code, out, err = run_cli("update", str(project))

    assert code == 0, err + out
    assert conflicted_files(project) == []
    assert read_answers(project)["resource_name"] == resource
    assert (project / PACKAGE / "api" / f"{resource}.py").is_file()


AUTHORS = (
    "Ada Lovelace, Grace Hopper, Margaret Hamilton, Katherine Johnson, Dorothy Vaughan, "
    "Mary Jackson and Annie Easley"
)


def test_an_author_list_an_earlier_release_accepted_is_replaced_with_data(
    tmp_path: Path, releases: TemplateRepo
) -> None:
    """Author names are at most 100 characters since 0.2.0 (v0.1.0 had no limit)."""
    assert len(AUTHORS) > 100
    project = generate(
        releases, BEFORE_REWRITE.tag, UseCase.PROTOTYPE, {"author_name": AUTHORS}, tmp_path
    )

    code, _, err = run_cli("update", str(project))

    message = " ".join(err.split())
    assert code == 1
    assert f"Version {NEWEST_TAG} no longer accepts author_name='Ada Lovelace" in message
    assert "at most 100 characters" in message
    assert "give another with -d author_name=..." in message
    assert git(project, "status", "--porcelain") == ""

    code, out, err = run_cli("update", str(project), "-d", "author_name=The Lovelace team")

    assert code == 0, err + out
    assert "answer author_name: 'Ada Lovelace" in out
    assert recorded_answers(project)["author_name"] == "The Lovelace team"


# --- Item 4: switching features on later, with flaskstarter update -d KEY=VALUE

# What a switch needs beside its own answer (Celery's broker is Redis; accounts need a database).
PREREQUISITES: dict[str, dict[str, Any]] = {
    "worker": {"cache": "redis"},
    "auth": {"database": "sqlite"},
}
# The website's and the REST API's switches are proved with their own data and pages in
# tests/test_website_updates.py and tests/test_rest_api_updates.py; CI's budget runs them once.
OWN_SWITCH_TESTS = {UseCase.WEBSITE, UseCase.REST_API}
SWITCH_CASES = [
    pytest.param(
        use_case,
        {**PREREQUISITES.get(key, {}), key: before},
        {key: after},
        id=f"{use_case.value}-{key}-{before}-{after}",
    )
    for use_case, switches in SWITCHES.items()
    if use_case not in OWN_SWITCH_TESTS
    for key, before, after in switches
]


@pytest.mark.slow
@pytest.mark.parametrize(("use_case", "before", "switch"), SWITCH_CASES)
def test_a_feature_switched_on_later_installs_migrates_and_passes_with_the_teams_work(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    template_repo: TemplateRepo,
    use_case: UseCase,
    before: dict[str, Any],
    switch: dict[str, Any],
) -> None:
    started = time.monotonic()
    require_services(request, {**before, **switch})
    work = TeamWork.of(use_case, before)  # the work on the project as it was generated
    # A project of this version lists a route it leaves out of the OpenAPI document in its
    # own test: the team's does, from the start.
    team = TeamWork(work.files, work.edits + AFTER_UPDATE.get(use_case, ()))
    project = generate(template_repo, "v0.1.0", use_case, before, tmp_path)
    had_database = recorded_answers(project).get("database", "none") != "none"
    env = install(project, tmp_path) if had_database else None
    with contextlib.ExitStack() as stack:
        if env is not None:
            database = stack.enter_context(project_database(env, before, tmp_path))
            database_written(database)
        team.make(project)
        options = [arg for key, value in switch.items() for arg in ("-d", f"{key}={value}")]

        code, out, err = run_cli("update", str(project), *options)

        conflicts = conflicted_files(project)
        assert code == (1 if conflicts else 0), err + out
        key, value = next(iter(switch.items()))
        assert f"answer {key}: " in out and f"-> {value!r}" in out
        assert set(conflicts) <= team.paths, f"conflicts outside the team's files: {conflicts}"
        print(f"\n{use_case.value} {switch}: conflicts in {conflicts}")
        team.resolve(project, conflicts)
        assert team.missing(project) == []
        assert recorded_answers(project)[key] == value
        assert (
            differences_from_a_new_project(project, template_repo, "v0.1.0", team.paths, tmp_path)
            == []
        )
        answers = recorded_answers(project)
        if env is None:
            env = install(project, tmp_path)
            database = stack.enter_context(project_database(env, answers, tmp_path))
        else:
            installed = reinstall(env)
            assert installed.ok, installed.tail()
        assert_migrates_and_passes(env, database, rows_written=had_database)
    print(f"{use_case.value} {switch}: {time.monotonic() - started:.0f} s")


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
