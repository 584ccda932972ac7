"""REST API updates (slow): features switched on after the fact (issue 17.4) with plain
`copier update -d`: rate_limit, cors, then api_auth none -> jwt, on a project with data in its
database and a team's edits; after each switch it installs, migrates and passes its tests."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from flaskstarter.smoke.project_env import ProjectEnv, create_and_install, find_uv
from flaskstarter.smoke.serve import served
from tests.rest_api_http import call, send_json
from tests.template_repo import TemplateRepo, git

pytestmark = pytest.mark.slow

COPIER = str(Path(sys.executable).parent / "copier")
PACKAGE = "shelf"
TEAM_MODULE = '''"""The team's own route."""

from flask import Blueprint

bp = Blueprint("team", __name__)


@bp.get("/team")
def team() -> dict[str, str]:
    return {"team": "ours"}
'''
TEAM_TEST = """from flask.testing import FlaskClient


def test_the_team_route_is_ours(client: FlaskClient) -> None:
    assert client.get("/team").get_json() == {"team": "ours"}
"""
TEAM_EXAMPLE = '"example": "The shelf\'s first item"'
# Runs in the project's venv: one row through the model, then read back after each update.
ROWS = """
import sys
from shelf import create_app
from shelf.extensions import db
from shelf.models import Item

app = create_app()
with app.app_context():
    if sys.argv[1] == "write":
        db.session.add(Item(name="Kept", description="Written before the switches"))
        db.session.commit()
    else:
        kept = db.session.execute(db.select(Item)).scalar_one()
        assert (kept.name, kept.description) == ("Kept", "Written before the switches"), kept
"""


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


def generate_with_the_teams_work(repo: TemplateRepo, project: Path) -> None:
    """The default REST API (no auth, no CORS, no limits), with a route and test of the team's
    own, registered in create_app, and an edited schema."""
    copier(
        project, "copy", "--defaults", "--vcs-ref", "v0.1.0", "-d", "use_case=rest_api",
        "-d", f"package_name={PACKAGE}", repo.url, str(project),
    )  # fmt: skip
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Generate the API")
    (project / PACKAGE / "team.py").write_text(TEAM_MODULE)
    (project / "tests" / "test_team.py").write_text(TEAM_TEST)
    factory = project / PACKAGE / "__init__.py"
    head, separator, tail = factory.read_text().partition("    security.init_app(app)\n")
    assert separator, "create_app calls security.init_app"
    registered = "    from .team import bp as team_bp\n\n    app.register_blueprint(team_bp)\n"
    factory.write_text(head + separator + registered + tail)
    schemas = project / PACKAGE / "schemas.py"
    schemas.write_text(schemas.read_text().replace('"example": "First one"', TEAM_EXAMPLE))
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "The team's work")


def switch_on(project: Path, answer: str) -> None:
    """`copier update -d answer`: no conflict, the team's work kept; committed."""
    copier(project, "update", "--defaults", "-d", answer)
    markers = subprocess.run(
        ["git", "grep", "-l", "-e", "^<<<<<<< "], cwd=project, capture_output=True, text=True
    ).stdout
    assert not markers, f"{answer}: conflicts in {markers}"
    assert "register_blueprint(team_bp)" in (project / PACKAGE / "__init__.py").read_text()
    assert TEAM_EXAMPLE in (project / PACKAGE / "schemas.py").read_text()
    assert (project / "tests" / "test_team.py").read_text() == TEAM_TEST
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", f"Switch on {answer}")


def run_ok(env: ProjectEnv, *args: str, settings: dict[str, str] | None = None) -> str:
    outcome = env.run(*args, env=settings)
    assert outcome.ok, outcome.tail(40)
    return outcome.output


def reinstall(env: ProjectEnv) -> None:
    """Install the updated project (its new dependencies) into its venv."""
    uv = find_uv()
    installer = [uv, "pip", "install", "--python", str(env.bin / "python")] if uv else ["pip"]
    run_ok(env, *installer, "--quiet", "-e", ".[dev]")


def test_rate_limit_cors_and_jwt_switched_on_later_keep_the_data_and_the_teams_work(
    tmp_path: Path, template_repo: TemplateRepo
) -> None:
    project = tmp_path / PACKAGE
    generate_with_the_teams_work(template_repo, project)
    env, installed = create_and_install(project, tmp_path / "venv")
    assert installed.ok, installed.tail()
    settings = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shelf.db'}",
    }
    run_ok(env, "flask", "--app", PACKAGE, "db", "upgrade", settings=settings)
    run_ok(env, "python", "-c", ROWS, "write", settings=settings)

    for answer in ("rate_limit=true", "cors=true", "api_auth=jwt"):
        switch_on(project, answer)
        reinstall(env)
        run_ok(env, "flask", "--app", PACKAGE, "db", "upgrade", settings=settings)
        run_ok(env, "python", "-c", ROWS, "read", settings=settings)
        tests = run_ok(env, "pytest", "-q", "-rp", "-p", "no:cacheprovider")
        assert "PASSED tests/test_team.py::" in tests, f"{answer}: the team's test did not run"

    assert (project / PACKAGE / "auth.py").is_file()
    account = {"username": "admin", "password": secrets.token_hex(32)}
    served_settings = {**settings, "API_USERNAME": "admin", "API_PASSWORD": account["password"]}
    with served(env, PACKAGE, served_settings, tmp_path / "gunicorn.log") as base:
        assert call(base, "GET", "/team").json() == {"team": "ours"}
        kept = call(base, "GET", "/api/items/1")
        assert kept.json()["name"] == "Kept"
        token = send_json(base, "POST", "/api/auth/token", account).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "If-Match": kept.headers["etag"]}
        changed = send_json(base, "PATCH", "/api/items/1", {"name": "Changed"}, headers=headers)
        assert changed.status == 200, changed.describe()
