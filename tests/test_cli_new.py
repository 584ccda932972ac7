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
from tests.helpers import run_cli, snapshot_all
from tests.template_repo import TemplateRepo


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


# --- --overwrite keeps the user's repository and .env (issue 13, item 11)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def existing_repository(tmp_path: Path) -> Path:
    """A folder that is a real git repository: two commits, a remote, a reflog, a .env."""
    repo = tmp_path / "existing"
    repo.mkdir()
    _git(repo, "init", "--quiet", "--initial-branch=trunk")
    (repo / "notes.md").write_text("# notes\n")
    _git(repo, "add", "notes.md")
    _git(repo, "commit", "--quiet", "-m", "first")
    (repo / "notes.md").write_text("# notes\n\nmore\n")
    _git(repo, "commit", "--quiet", "-am", "second")
    _git(repo, "remote", "add", "origin", "https://example.com/team/existing.git")
    _git(repo, "config", "core.hooksPath", ".hooks")
    (repo / ".env").write_text("SECRET_KEY=the-team-secret\nDATABASE_URL=sqlite:///team.db\n")
    return repo


def test_overwrite_keeps_an_existing_repository_and_env_untouched(
    existing_repository: Path,
) -> None:
    repo = existing_repository
    git_before = snapshot_all(repo / ".git")
    env_before = (repo / ".env").read_bytes()
    log_before = _git(repo, "log", "--format=%H %s")
    reflog_before = _git(repo, "reflog")

    code, out, err = run_cli("new", str(repo), "-k", "prototype", "-y", "--overwrite")

    assert code == 0, err
    assert snapshot_all(repo / ".git") == git_before  # history, remotes, config, index, HEAD
    assert (repo / ".env").read_bytes() == env_before
    assert _git(repo, "log", "--format=%H %s") == log_before  # no commit of flaskstarter's
    assert _git(repo, "reflog") == reflog_before
    assert _git(repo, "remote", "get-url", "origin").strip().endswith("team/existing.git")
    assert (repo / "pyproject.toml").exists() and (repo / "notes.md").exists()
    assert "git repository was left as it was" in " ".join(out.split())
    assert "own .env was left as it was" in " ".join(out.split())


def test_overwrite_help_states_the_rule() -> None:
    code, out, _ = run_cli("new", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert ".git and .env are never touched" in text
    assert "no git init or commit then" in text


# --- Next steps (issue 14, item 5)


def _path_with_uv(tmp_path: Path, present: bool) -> str:
    folder = tmp_path / ("with-uv" if present else "without-uv")
    folder.mkdir()
    if present:
        uv = folder / "uv"
        uv.write_text("#!/bin/sh\n")
        uv.chmod(0o755)
    return f"{folder}:/usr/bin:/bin"


@pytest.mark.parametrize(
    ("uv_found", "install"),
    [
        (True, ["uv venv && . .venv/bin/activate", "uv pip install -e '.[dev]'"]),
        (False, ["python3 -m venv .venv && . .venv/bin/activate", "pip install -e '.[dev]'"]),
    ],
    ids=["uv-on-path", "no-uv"],
)
def test_next_steps_use_uv_when_it_is_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, uv_found: bool, install: list[str]
) -> None:
    monkeypatch.setenv("PATH", _path_with_uv(tmp_path, uv_found))

    code, out, err = run_cli("new", str(tmp_path / "demo"), "-k", "prototype", "-y")

    assert code == 0, err
    steps = out[out.index("Next steps:") :].splitlines()
    assert [line.strip() for line in steps[2:4]] == install
    assert ("uv pip" in out) is uv_found


VARIANT_STEPS = [
    (
        {"use_case": "website", "database": "postgresql"},
        ["docker compose up -d db    # without Docker: createdb demo"],
        "createdb demo",
    ),
    (
        {"use_case": "microservice", "database": "postgresql", "cache": "redis"},
        ["docker compose up -d db redis    # without Docker: createdb demo && redis-cli ping"],
        "REDIS_URL",
    ),
    ({"use_case": "microservice", "worker": "celery", "cache": "redis"}, [], "worker command"),
]


@pytest.mark.parametrize(
    ("answers", "commands", "note"),
    VARIANT_STEPS,
    ids=["postgresql", "postgresql-redis", "celery"],
)
def test_next_steps_name_the_step_each_answer_needs(
    tmp_path: Path, answers: dict[str, str], commands: list[str], note: str
) -> None:
    from flaskstarter.next_steps import next_steps
    from flaskstarter.overwrite import KeptWork

    steps = next_steps(
        tmp_path, {"package_name": "demo", **answers}, git_initialized=True, kept=KeptWork()
    )

    for command in commands:
        assert command in steps.commands
    assert any(note in line for line in steps.notes), steps.notes


def _project_with_env_example(folder: Path, example: str) -> Path:
    from flaskstarter.project_setup import write_env_file

    (folder / ".env.example").write_text(example)
    write_env_file(folder)
    return folder


def test_next_steps_print_the_generated_api_password_once_with_the_token_request(
    tmp_path: Path,
) -> None:
    from flaskstarter.next_steps import next_steps
    from flaskstarter.overwrite import KeptWork

    project = _project_with_env_example(
        tmp_path, "SECRET_KEY=\nAPI_USERNAME=admin\nAPI_PASSWORD=\nJWT_SECRET_KEY=\n"
    )
    env = dict(line.split("=", 1) for line in (project / ".env").read_text().splitlines()[1:])
    answers = {"package_name": "demo", "use_case": "rest_api", "api_auth": "jwt"}

    notes = " ".join(next_steps(project, answers, git_initialized=True, kept=KeptWork()).notes)

    assert f"API_USERNAME=admin, API_PASSWORD={env['API_PASSWORD']}" in notes
    assert notes.count(env["API_PASSWORD"]) == 2  # the credentials, then the token request
    assert "curl -fsS -X POST http://127.0.0.1:5000/api/auth/token" in notes
    assert env["SECRET_KEY"] not in notes and env["JWT_SECRET_KEY"] not in notes


def test_next_steps_print_no_credentials_from_a_kept_env(tmp_path: Path) -> None:
    from flaskstarter.next_steps import next_steps
    from flaskstarter.overwrite import KeptWork

    project = _project_with_env_example(tmp_path, "SECRET_KEY=\nAPI_KEYS=\n")
    key = (project / ".env").read_text().split("API_KEYS=")[1].strip()
    answers = {"package_name": "demo", "use_case": "rest_api", "api_auth": "api_key"}

    printed = next_steps(project, answers, git_initialized=True, kept=KeptWork())
    kept = next_steps(project, answers, git_initialized=False, kept=KeptWork(env=True))

    assert key in " ".join(printed.notes) and "X-API-Key" in " ".join(printed.notes)
    assert key not in " ".join(kept.notes)


def test_next_steps_for_the_defaults_need_no_service(tmp_path: Path) -> None:
    from flaskstarter.next_steps import next_steps
    from flaskstarter.overwrite import KeptWork

    steps = next_steps(
        tmp_path,
        {"use_case": "website", "package_name": "demo"},
        git_initialized=True,
        kept=KeptWork(),
        uv=True,
    )

    assert not any("docker" in command for command in steps.commands)
    assert not any("API" in note or "PostgreSQL" in note for note in steps.notes)


# --- Names are printed escaped (issue 13, item 14)

ODD_NAME = "evil\x1b]0;pwned\x07\x1b[31mred.txt"


@pytest.fixture
def hostile_template(template_repo: TemplateRepo) -> TemplateRepo:
    """A template (a fork, say) with escape sequences in a file's and a folder's name."""
    (template_repo.template_file("prototype", ODD_NAME)).write_text("x\n")
    folder = template_repo.template_file("prototype", "odd\x1b[2Jfolder")
    folder.mkdir()
    (folder / "inside.txt").write_text("x\n")
    template_repo.commit_and_tag("0.1.1")
    return template_repo


def test_plain_output_escapes_control_characters_in_names(
    tmp_path: Path, hostile_template: TemplateRepo
) -> None:
    code, out, err = run_cli(
        "new",
        str(tmp_path / "demo"),
        "-k",
        "prototype",
        "-y",
        "--template-src",
        hostile_template.url,
        "--vcs-ref",
        "v0.1.1",
    )

    assert code == 0, err
    assert (tmp_path / "demo" / ODD_NAME).exists()
    assert "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b]0;pwned\\x07\\x1b[31mred.txt" in out
    assert "odd\\x1b[2Jfolder/inside.txt" in out


def test_tree_output_escapes_control_characters_in_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from flaskstarter import output
    from flaskstarter.render import RenderedProject

    shown = io.StringIO()
    monkeypatch.setattr(output, "console", lambda: Console(file=shown, width=100))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    rendered = RenderedProject(
        tmp_path / ("long-" * 30) / "de\x1b[31mmo",
        {"package_name": "demo"},
        [Path(ODD_NAME), Path("odd\x1b[2Jfolder") / "inside.txt"],
    )

    output.show_created(rendered, pretend=False)

    text = shown.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\\x1b]0;pwned\\x07\\x1b[31mred.txt" in text
    assert "odd\\x1b[2Jfolder/" in text and "de\\x1b[31mmo" in text
    # A command to paste is never broken over two lines, however long the path.
    assert f"  cd '{tmp_path / ('long-' * 30)}/de\\x1b[31mmo'\n" in text


# --- Unusual author answers build and install (issue 13, item 13)

UV = str(Path(sys.executable).parent / "uv")
UNUSUAL_AUTHOR = 'Doe, "Jörg" \\ O\'Brien (李) 😀 <x@y>'
UNUSUAL_EMAIL = "o'brien+flask!#$%&*/=?^_`{|}~-x@sub.exämple-host.co"


@pytest.mark.slow
def test_unusual_accepted_author_answers_build_and_install(tmp_path: Path) -> None:
    project = tmp_path / "authored"
    code, _, err = run_cli(
        "new",
        str(project),
        "-k",
        "prototype",
        "-y",
        "--no-git",
        "-d",
        f"author_name={UNUSUAL_AUTHOR}",
        "-d",
        f"author_email={UNUSUAL_EMAIL}",
    )
    assert code == 0, err

    subprocess.run(
        [UV, "build", "--wheel", "--out-dir", str(tmp_path / "dist")],
        cwd=project,
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("*.whl"))
    subprocess.run([UV, "venv", "--quiet", str(tmp_path / "venv")], check=True)
    python = str(tmp_path / "venv" / "bin" / "python")
    subprocess.run(
        [UV, "pip", "install", "--quiet", "--no-deps", "--python", python, str(wheel)],
        check=True,
        capture_output=True,
    )
    installed = subprocess.run(
        [
            python,
            "-c",
            "from importlib.metadata import metadata; print(metadata('authored')['Author-email'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    from email.headerregistry import Address

    assert installed == str(Address(display_name=UNUSUAL_AUTHOR, addr_spec=UNUSUAL_EMAIL))
