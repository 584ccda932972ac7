"""The prototype template: the fewest files that still make a real, tested app."""

from __future__ import annotations

import py_compile
import tomllib
from pathlib import Path

import pytest
import yaml

EXPECTED_FILES = {
    ".copier-answers.yml",
    ".env.example",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "pyproject.toml",
    "{pkg}/__init__.py",
    "{pkg}/static/app.js",
    "{pkg}/static/style.css",
    "{pkg}/templates/index.html",
    "tests/conftest.py",
    "tests/test_app.py",
}


def _render(copie, **answers):
    result = copie.copy(extra_answers={"use_case": "prototype", **answers}, vcs_ref="HEAD")
    assert result.exit_code == 0, result.exception
    return result


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"project_name": "Tiny Thing", "package_name": "tiny"},
        {"project_name": 'He said "hi" \\ it\'s <b>', "description": "multi\nline # not a comment"},
    ],
    ids=["defaults", "custom-names", "hostile-text"],
)
def test_prototype_renders_the_minimal_file_set(copie, answers: dict[str, str]) -> None:
    result = _render(copie, **answers)
    project: Path = result.project_dir
    package = result.answers["package_name"]

    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert files == {name.format(pkg=package) for name in EXPECTED_FILES}

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == result.answers["description"]
    assert "flask-migrate" not in str(pyproject["project"]["dependencies"]).lower()
    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        yaml.safe_load(path.read_text())


def test_project_name_is_kept_exactly_in_the_app(copie) -> None:
    name = 'Quotes " and \\ and \u00e9 \U0001f680'
    result = _render(copie, project_name=name, package_name="quotes")

    namespace: dict[str, object] = {}
    source = (result.project_dir / "quotes" / "__init__.py").read_text()
    line = next(line for line in source.splitlines() if line.startswith("PROJECT_NAME = "))
    exec(line, namespace)
    assert namespace["PROJECT_NAME"] == name


def test_answers_file_records_every_answer_and_no_secret(copie) -> None:
    result = _render(copie, project_name="Notes")
    answers = yaml.safe_load((result.project_dir / ".copier-answers.yml").read_text())
    assert answers["use_case"] == "prototype"
    assert answers["project_name"] == "Notes"
    assert not any("secret" in key.lower() for key in answers)


@pytest.mark.slow
def test_flask_run_works_straight_after_install_with_no_configuration(tmp_path: Path) -> None:
    """The prototype's promise: `flask --app <pkg> run --debug` with nothing set up."""
    import subprocess
    import time

    from flaskstarter.smoke.project_env import create_and_install
    from flaskstarter.smoke.serve import free_port, get
    from tests.helpers import run_cli

    code, _, err = run_cli("new", str(tmp_path / "demo"), "-k", "prototype", "-y")
    assert code == 0, err
    (tmp_path / "demo" / ".env").unlink()  # "no configuration": not even the generated .env
    env, installed = create_and_install(tmp_path / "demo", tmp_path / "venv")
    assert installed.ok, installed.tail()
    port = free_port()
    server = subprocess.Popen(
        [str(env.bin / "flask"), "--app", "demo", "run", "--debug", "--port", str(port)],
        cwd=env.project,
        env=env.environ(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert time.monotonic() < deadline, "flask run did not answer"
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.2)
        assert page.status == 200 and "No notes yet." in page.body
        assert get(f"http://127.0.0.1:{port}/api/notes").body.strip() == "[]"
    finally:
        server.terminate()
        server.wait(timeout=10)
