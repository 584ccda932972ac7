"""`flaskstarter new`: what a user gets from the documented options."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from flaskstarter import __version__
from flaskstarter.use_cases import UseCase
from tests.helpers import run_cli


@pytest.mark.parametrize("kind", [use_case.value for use_case in UseCase])
def test_new_with_defaults_writes_a_git_repo_with_answers_and_a_secret(
    tmp_path: Path, kind: str
) -> None:
    destination = tmp_path / "demo"

    code, out, err = run_cli("new", str(destination), "--kind", kind, "--defaults")

    assert code == 0, err
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["use_case"] == kind
    assert answers["project_name"] == "demo"
    assert answers["package_name"] == "demo"
    assert answers["_commit"] == f"v{__version__}"
    log = subprocess.run(
        ["git", "log", "--oneline"], cwd=destination, capture_output=True, text=True
    )
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=destination, capture_output=True, text=True
    )
    assert status.stdout == "", "the tree must be clean so `copier update` can run"
    env = (destination / ".env").read_text()
    secret = next(
        line.split("=", 1)[1] for line in env.splitlines() if line.startswith("SECRET_KEY=")
    )
    assert len(secret) == 64
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=destination, capture_output=True, text=True
    ).stdout
    assert ".env" not in tracked.split()
    for name in tracked.split():
        assert secret not in (destination / name).read_text(errors="replace")
    assert "Next steps" in out
    assert "flask --app demo run --debug" in out


def test_data_options_are_typed_as_their_questions(tmp_path: Path) -> None:
    destination = tmp_path / "site"
    code, _, err = run_cli(
        "new",
        str(destination),
        "-k",
        "website",
        "-y",
        "-d",
        "project_name=My Site",
        "-d",
        "auth=no",
        "-d",
        "database=sqlite",
    )
    assert code == 0, err
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["auth"] is False
    assert answers["project_name"] == "My Site"
    assert answers["package_name"] == "my_site"


def test_data_file_gives_answers(tmp_path: Path) -> None:
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text(
        "use_case: prototype\nproject_name: From File\npackage_name: from_file\n"
    )
    code, _, err = run_cli("new", str(tmp_path / "p"), "-y", "--data-file", str(answers_file))
    assert code == 0, err
    project = tomllib.loads((tmp_path / "p" / "pyproject.toml").read_text())
    assert project["project"]["name"] == "from-file"


def test_pretend_shows_the_tree_and_writes_nothing(tmp_path: Path) -> None:
    destination = tmp_path / "ghost"
    code, out, err = run_cli("new", str(destination), "-k", "prototype", "-y", "--pretend")
    assert code == 0, err
    assert not destination.exists()
    assert "pyproject.toml" in out and "nothing was written" in out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".flaskstarter-")]


def test_new_into_a_pipe_prints_plain_lines_without_loading_rich(tmp_path: Path) -> None:
    destination = tmp_path / "piped"
    script = (
        "import sys\n"
        "from flaskstarter.cli import app\n"
        f"app(['new', {str(destination)!r}, '-k', 'prototype', '-y'], standalone_mode=False)\n"
        "print('rich loaded:', any(name.split('.')[0] == 'rich' for name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "rich loaded: False" in result.stdout
    assert "\n  pyproject.toml\n" in result.stdout
    assert f"Created {destination} (" in result.stdout
    assert "\x1b[" not in result.stdout  # no terminal codes in a log


def test_no_git_skips_the_repository(tmp_path: Path) -> None:
    code, _, err = run_cli("new", str(tmp_path / "p"), "-k", "prototype", "-y", "--no-git")
    assert code == 0, err
    assert not (tmp_path / "p" / ".git").exists()
    assert (tmp_path / "p" / ".env").exists()


def test_overwrite_writes_into_a_non_empty_folder_and_keeps_other_files(tmp_path: Path) -> None:
    destination = tmp_path / "p"
    destination.mkdir()
    (destination / "notes.txt").write_text("mine")
    code, _, err = run_cli(
        "new", str(destination), "-k", "prototype", "-y", "--overwrite", "--no-git"
    )
    assert code == 0, err
    assert (destination / "notes.txt").read_text() == "mine"
    assert (destination / "pyproject.toml").exists()


def test_existing_empty_folder_is_used(tmp_path: Path) -> None:
    destination = tmp_path / "empty"
    destination.mkdir()
    code, _, err = run_cli("new", str(destination), "-k", "prototype", "-y")
    assert code == 0, err
    assert (destination / "pyproject.toml").exists()


def test_template_src_renders_from_a_git_source_that_copier_records(
    tmp_path: Path, template_repo
) -> None:
    destination = tmp_path / "forked"
    code, _, err = run_cli(
        "new",
        str(destination),
        "-k",
        "prototype",
        "-y",
        "--template-src",
        template_repo.url,
        "--vcs-ref",
        "v0.1.0",
    )
    assert code == 0, err
    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == template_repo.url
    assert answers["_commit"] == "v0.1.0"


def test_version_and_module_entry_point() -> None:
    code, out, _ = run_cli("--version")
    assert code == 0 and out.strip() == f"flaskstarter {__version__}"
    module = subprocess.run(
        [sys.executable, "-m", "flaskstarter", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.stdout.strip() == f"flaskstarter {__version__}"


def test_list_shows_every_kind_with_its_questions() -> None:
    code, out, _ = run_cli("list", "--json")
    assert code == 0
    import json

    kinds = {kind["kind"]: kind for kind in json.loads(out)}
    assert set(kinds) == {use_case.value for use_case in UseCase}
    website_questions = {q["name"]: q for q in kinds["website"]["questions"]}
    assert website_questions["database"]["default"] == "sqlite"
    assert website_questions["auth"]["default"] is True
    assert "api_framework" in {q["name"] for q in kinds["rest_api"]["questions"]}
    assert "auth" not in {q["name"] for q in kinds["prototype"]["questions"]}
    assert {q["name"]: q for q in kinds["microservice"]["questions"]}["database"][
        "default"
    ] == "none"


def test_list_as_tables() -> None:
    code, out, _ = run_cli("list")
    assert code == 0
    for kind in UseCase:
        assert kind.value in out
