"""Update never loses work: edits on both sides, plain `copier update`, tests still pass."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from flaskstarter.smoke.project_env import create_and_install
from flaskstarter.use_cases import UseCase
from tests.helpers import run_cli
from tests.template_repo import TemplateRepo, git

pytestmark = pytest.mark.slow
COPIER = str(Path(sys.executable).parent / "copier")


@dataclass(frozen=True)
class Edit:
    path: str
    old: str
    new: str


# A changed configuration value, in the file where each kind keeps it.
THREADS = Edit(
    "gunicorn.conf.py",
    'os.environ.get("GUNICORN_THREADS", "4")',
    'os.environ.get("GUNICORN_THREADS", "8")',
)
CONFIG_EDITS = {
    UseCase.PROTOTYPE: Edit("{pkg}/__init__.py", "MAX_NOTE_LENGTH = 500", "MAX_NOTE_LENGTH = 1000"),
    UseCase.WEBSITE: THREADS,
    UseCase.REST_API: THREADS,
    UseCase.MICROSERVICE: THREADS,
}
# The microservice's own test demands every route in its OpenAPI document, as a team would; a
# route added on the app itself, outside the API's blueprints, is one the team leaves out.
DOCUMENT_ROUTE = {
    UseCase.MICROSERVICE: Edit(
        "tests/test_api.py",
        'UNDOCUMENTED = {"static", ',
        'UNDOCUMENTED = {"team_status", "static", ',
    ),
}
USER_ROUTE = """
    @app.get("/team-status")
    def team_status() -> dict[str, str]:
        return {"status": "ours"}

    return app
"""
USER_TEST = """from flask.testing import FlaskClient


def test_team_status(client: FlaskClient) -> None:
    assert client.get("/team-status").get_json() == {"status": "ours"}
"""
ENV_CONTENT = "APP_ENV=development\nSECRET_KEY=" + "u" * 64 + "\nTEAM_SETTING=keep-me\n"


def _make_user_edits(project: Path, use_case: UseCase) -> None:
    package = project / "demo"
    factory = package / "__init__.py"
    text = factory.read_text()
    head, sep, tail = text.rpartition("\n    return app\n")
    assert sep, "create_app must end with `return app`"
    factory.write_text(head + "\n" + USER_ROUTE + tail)
    (project / "tests" / "test_team.py").write_text(USER_TEST)
    for edit in (CONFIG_EDITS[use_case], DOCUMENT_ROUTE.get(use_case)):
        if edit is not None:
            _replace(project / edit.path.format(pkg="demo"), edit.old, edit.new)
    _replace(
        project / "pyproject.toml",
        "dependencies = [\n",
        'dependencies = [\n    "itsdangerous>=2",\n',
    )
    (project / ".pre-commit-config.yaml").unlink()
    _replace(project / "README.md", "# demo\n", "# demo (team edition)\n")
    with (project / "README.md").open("a") as readme:
        readme.write("\n## Team notes\n\nDeploy on Tuesdays.\n")
    (project / ".env").write_text(ENV_CONTENT)
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Team edits")


def _move_template_forward(repo: TemplateRepo, use_case: UseCase) -> None:
    shared = repo.path / "templates" / "_shared"
    _replace(shared / "gitignore.jinja", "# Python\n", "# Logs\n*.log\n\n# Python\n")
    _replace(shared / "README.md.jinja", "# {{ project_name }}\n", "# {{ project_name }} (v2)\n")
    _replace(
        shared / "README.md.jinja",
        "({{ use_case }} template)",
        "({{ use_case }} template, {{ license }} licence)",
    )
    (repo.template_file(use_case.value, "SECURITY.md")).write_text("Report issues privately.\n")
    repo.template_file(use_case.value, ".env.example.jinja").unlink()
    with (repo.path / "copier.yml").open("a") as config:
        config.write(
            "\n---\nlicense:\n  type: str\n  help: Licence of the project\n  default: MIT\n"
        )
    repo.commit_and_tag("0.2.0")


def _resolve_conflicts_keeping_ours(path: Path) -> None:
    text = path.read_text()
    resolved = re.sub(
        r"<<<<<<< before updating\n(.*?)=======\n.*?>>>>>>> after updating\n",
        r"\1",
        text,
        flags=re.S,
    )
    path.write_text(resolved)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("use_case", list(UseCase), ids=[use_case.value for use_case in UseCase])
def test_update_keeps_every_user_edit(
    tmp_path: Path, template_repo: TemplateRepo, monkeypatch: pytest.MonkeyPatch, use_case: UseCase
) -> None:
    monkeypatch.setenv("FLASKSTARTER_TEMPLATE_URL", template_repo.url)
    project = tmp_path / "demo"
    code, _, err = run_cli("new", str(project), "-k", use_case.value, "-y")
    assert code == 0, err
    _make_user_edits(project, use_case)
    _move_template_forward(template_repo, use_case)

    code, out, _ = run_cli("update", str(project))

    # The one line both sides changed is a conflict, marked inline and reported.
    assert code == 1 and "README.md (conflict)" in out
    readme = (project / "README.md").read_text()
    assert "<<<<<<< before updating" in readme and "# demo (v2)" in readme
    # Every user edit is still there.
    assert "/team-status" in (project / "demo" / "__init__.py").read_text()
    assert (project / "tests" / "test_team.py").read_text() == USER_TEST
    edit = CONFIG_EDITS[use_case]
    assert edit.new in (project / edit.path.format(pkg="demo")).read_text()
    assert '"itsdangerous>=2",' in (project / "pyproject.toml").read_text()
    assert not (project / ".pre-commit-config.yaml").exists()
    assert "Deploy on Tuesdays." in readme
    assert (project / ".env").read_text() == ENV_CONTENT
    # Every template change is applied.
    assert "*.log" in (project / ".gitignore").read_text()
    assert (project / "SECURITY.md").exists()
    assert not (project / ".env.example").exists()
    assert "MIT licence" in readme
    assert "license: MIT" in (project / ".copier-answers.yml").read_text()

    _resolve_conflicts_keeping_ours(project / "README.md")
    assert "<<<<<<< before updating" not in (project / "README.md").read_text()
    env, installed = create_and_install(project, tmp_path / "venv")
    assert installed.ok, installed.tail()
    tests = env.run("pytest", "-q", "-p", "no:cacheprovider")
    assert tests.ok, tests.tail()
    assert "test_team.py" in env.run("pytest", "--collect-only", "-q").output
