"""Website updates (slow): a project of the previous template version takes the accounts round
(issue 15.8) on SQLite and PostgreSQL and its members still log in; and features switched on
after the fact (issue 17.4): database none -> sqlite, accounts off -> on, with data kept."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import psycopg
import pytest

from flaskstarter.smoke import services
from flaskstarter.smoke.project_env import ProjectEnv, create_and_install, find_uv
from flaskstarter.smoke.serve import served
from tests.template_repo import TemplateRepo, git
from tests.website_served import (
    PACKAGE,
    PASSWORD,
    Client,
    is_logged_in,
    log_in,
    production_env,
)

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent
COPIER = str(Path(sys.executable).parent / "copier")
# The template as it was before the accounts round (issue 15): the last commit before it.
PREVIOUS_VERSION = "777eae4"
OLD_PASSWORD = "a long password"  # what that version accepted: 8 characters or more
TEAM_PAGE = '\n\n@bp.get("/team")\ndef team() -> str:\n    return "Our team"\n'


def template_repo_at(commit: str, path: Path) -> TemplateRepo:
    """A template repository holding copier.yml and templates/ as they were at `commit`."""
    path.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "copier.yml", "templates"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(path, filter="data")
    git(path, "init", "--quiet", "--initial-branch=main")
    return TemplateRepo(path)


def move_to_the_checkout(repo: TemplateRepo, version: str) -> None:
    """The next template version: this checkout's copier.yml and templates/."""
    shutil.rmtree(repo.path / "templates")
    shutil.copy2(REPO_ROOT / "copier.yml", repo.path / "copier.yml")
    shutil.copytree(
        REPO_ROOT / "templates",
        repo.path / "templates",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    repo.commit_and_tag(version)


def copier(project: Path, *args: str) -> None:
    done = subprocess.run(
        [COPIER, *args],
        cwd=project if (project / ".git").exists() else None,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def generate(repo: TemplateRepo, project: Path, version: str, **answers: str) -> None:
    data = [
        arg
        for key, value in {"use_case": "website", **answers}.items()
        for arg in ("-d", f"{key}={value}")
    ]
    copier(project, "copy", "--defaults", "--vcs-ref", version, *data, repo.url, str(project))
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Generate the website")


def add_a_team_page(project: Path) -> None:
    main = project / PACKAGE / "main.py"
    main.write_text(main.read_text() + TEAM_PAGE)
    git(project, "commit", "--quiet", "-am", "Add the team page")


def update(project: Path, *data: str) -> None:
    copier(project, "update", "--defaults", *(arg for item in data for arg in ("-d", item)))
    conflicted = git(project, "diff", "--name-only", "--diff-filter=U")
    markers = subprocess.run(
        ["git", "grep", "-l", "-e", "^<<<<<<< "], cwd=project, capture_output=True, text=True
    ).stdout
    assert not conflicted and not markers, conflicted + markers
    assert "Our team" in (project / PACKAGE / "main.py").read_text(), "the team's page is kept"


def reinstall(env: ProjectEnv) -> None:
    """Install the updated project (new dependencies) into its venv."""
    uv = find_uv()
    if uv:
        command = [uv, "pip", "install", "--quiet", "--python", str(env.bin / "python")]
    else:
        command = ["python", "-m", "pip", "install", "--quiet"]
    run_ok(env, *command, "-e", ".[dev]")


def run_ok(env: ProjectEnv, *args: str, run_env: dict[str, str] | None = None) -> str:
    outcome = env.run(*args, env=run_env)
    assert outcome.ok, outcome.tail(40)
    return outcome.output


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of the kind the test names (sqlite, or a scratch PostgreSQL one)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'site.db'}"
    admin_url = request.getfixturevalue("postgres_url")
    name = services.scratch_database_name()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    request.addfinalizer(lambda: _drop(admin_url, name))
    return services.with_database(admin_url, name, driver="psycopg")


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_site_of_the_previous_version_takes_the_accounts_round_and_keeps_its_members(
    tmp_path: Path, database_url: str
) -> None:
    database = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    repo = template_repo_at(PREVIOUS_VERSION, tmp_path / "template")
    repo.commit_and_tag("0.1.0")
    project = tmp_path / "site"
    generate(repo, project, "v0.1.0", package_name=PACKAGE, database=database, auth="true")
    add_a_team_page(project)
    env, installed = create_and_install(project, tmp_path / "venv")
    assert installed.ok, installed.tail()
    old_env = {"APP_ENV": "production", "SECRET_KEY": "s" * 64, "DATABASE_URL": database_url}
    run_ok(env, "flask", "--app", PACKAGE, "db", "upgrade", run_env=old_env)
    for email in ("first@example.com", "second@example.com"):
        create = ("flask", "--app", PACKAGE, "create-user", email, "--password", OLD_PASSWORD)
        run_ok(env, *create, run_env=old_env)

    move_to_the_checkout(repo, "0.2.0")
    update(project)
    reinstall(env)
    run_env = production_env(DATABASE_URL=database_url)
    run_ok(env, "flask", "--app", PACKAGE, "db", "upgrade", run_env=run_env)
    run_ok(env, "pytest", "-q", "-p", "no:cacheprovider")
    with served(env, PACKAGE, run_env, tmp_path / "gunicorn.log") as base_url:
        for email in ("first@example.com", "second@example.com"):
            client = log_in(base_url, email, OLD_PASSWORD)
            assert is_logged_in(client)
            # Signed up before confirmation existed: reminded to confirm, not locked out.
            assert "Please confirm your e-mail address" in client.get("/auth/settings").body


def test_database_none_then_sqlite_with_accounts(
    tmp_path: Path, template_repo: TemplateRepo
) -> None:
    project = tmp_path / "site"
    generate(template_repo, project, "v0.1.0", package_name=PACKAGE, database="none")
    add_a_team_page(project)
    update(project, "database=sqlite", "auth=true")
    assert (project / "migrations" / "versions" / "7c1f3b2e9a4d_accounts.py").exists()
    env, installed = create_and_install(project, tmp_path / "venv")
    assert installed.ok, installed.tail()
    run_env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}")
    run_ok(env, "flask", "--app", PACKAGE, "db", "upgrade", run_env=run_env)
    create = ("flask", "--app", PACKAGE, "create-user", "boss@example.com", "--password", PASSWORD)
    run_ok(env, *create, run_env=run_env)
    run_ok(env, "pytest", "-q", "-p", "no:cacheprovider")


def test_accounts_off_then_on_keeps_the_data_and_the_initial_migration(
    tmp_path: Path, template_repo: TemplateRepo
) -> None:
    project = tmp_path / "site"
    generate(
        template_repo, project, "v0.1.0", package_name=PACKAGE, database="sqlite", auth="false"
    )
    add_a_team_page(project)
    env, installed = create_and_install(project, tmp_path / "venv")
    assert installed.ok, installed.tail()
    run_env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'site.db'}")
    run_ok(env, "flask", "--app", PACKAGE, "db", "upgrade", run_env=run_env)
    with served(env, PACKAGE, run_env, tmp_path / "gunicorn-before.log") as base_url:
        message = {"name": "Ada", "email": "ada@example.com", "message": "Kept across updates."}
        assert Client(base_url).post_form("/contact", message).status == 302

    update(project, "auth=true")
    changed = git(project, "status", "--porcelain")
    assert "e8da7d3b3a43_initial_schema.py" not in changed, "the initial migration is untouched"
    assert "7c1f3b2e9a4d_accounts.py" in changed
    reinstall(env)
    run_ok(env, "flask", "--app", PACKAGE, "db", "upgrade", run_env=run_env)
    listed = run_ok(env, "flask", "--app", PACKAGE, "contact-messages", run_env=run_env)
    assert "Kept across updates." in listed
    create = ("flask", "--app", PACKAGE, "create-user", "boss@example.com", "--password", PASSWORD)
    run_ok(env, *create, run_env=run_env)
    run_ok(env, "pytest", "-q", "-p", "no:cacheprovider")
    with served(env, PACKAGE, run_env, tmp_path / "gunicorn.log") as base_url:
        assert is_logged_in(log_in(base_url, "boss@example.com", PASSWORD))
