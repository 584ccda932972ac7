"""The steps after rendering: `.env` from `.env.example` with fresh secrets, and git (the
user's identity when there is one, a fallback when not)."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flaskstarter.project_setup import generated_credentials, write_env_file
from tests.helpers import run_cli

IDENTITY_VARIABLES = (
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "EMAIL",
)


def _last_commit_author(project: Path) -> str:
    return subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def no_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # Without this, git may guess an address from the host name and commit anyway.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")


def test_without_a_git_identity_the_first_commit_is_flaskstarters(
    tmp_path: Path, no_identity: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")

    code, out, err = run_cli("new", str(tmp_path / "demo"), "-k", "prototype", "-y")

    assert code == 0, out + err
    assert _last_commit_author(tmp_path / "demo") == "flaskstarter <flaskstarter@localhost>"


def test_the_configured_git_identity_signs_the_commit_and_fills_the_author_answers(
    tmp_path: Path, no_identity: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))

    code, out, err = run_cli("new", str(tmp_path / "demo"), "-k", "prototype", "-y")

    assert code == 0, out + err
    project = tmp_path / "demo"
    assert _last_commit_author(project) == "Ada Lovelace <ada@example.com>"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["author_name"], answers["author_email"]) == ("Ada Lovelace", "ada@example.com")


# --- .env (issue 14, item 2)

EXAMPLE = """\
# Settings for development.
APP_ENV=development
SECRET_KEY=
DATABASE_URL=postgresql://postgres:postgres@localhost:5432/demo
API_USERNAME=admin
API_PASSWORD=
API_KEYS=
JWT_SECRET_KEY=
MAIL_SMTP_PASSWORD=
GITHUB_TOKEN=
CORS_ORIGINS=
RATELIMIT_DEFAULT="100 per minute"
# API_KEYS=
SECRET_KEY_ROTATION=
"""
SECRETS = (
    "SECRET_KEY",
    "API_PASSWORD",
    "API_KEYS",
    "JWT_SECRET_KEY",
    "MAIL_SMTP_PASSWORD",
    "GITHUB_TOKEN",
)


def _settings(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if re.match(r"^\w+=", line))


def test_env_is_the_example_with_a_fresh_strong_value_for_each_empty_secret(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env.example").write_text(EXAMPLE)

    write_env_file(tmp_path)

    env = (tmp_path / ".env").read_text()
    example_lines = EXAMPLE.splitlines()
    env_lines = env.splitlines()[1:]  # after flaskstarter's own comment line
    assert len(env_lines) == len(example_lines)
    settings = _settings(env)
    for example_line, env_line in zip(example_lines, env_lines, strict=True):
        name = example_line.split("=", 1)[0]
        if name in SECRETS:
            assert re.fullmatch(r"[0-9a-f]{64}", settings[name]), name
        else:
            assert env_line == example_line  # comments, values and non-secret empties alike
    assert len({settings[name] for name in SECRETS}) == len(SECRETS)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_every_env_gets_its_own_secrets(tmp_path: Path) -> None:
    values = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / ".env.example").write_text(EXAMPLE)
        write_env_file(folder)
        values.append(_settings((folder / ".env").read_text())["SECRET_KEY"])
    assert values[0] != values[1]


def test_an_existing_env_is_never_written_over(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(EXAMPLE)
    (tmp_path / ".env").write_text("SECRET_KEY=mine\n")

    write_env_file(tmp_path)

    assert (tmp_path / ".env").read_text() == "SECRET_KEY=mine\n"


def test_without_an_example_env_still_gets_a_secret_key(tmp_path: Path) -> None:
    write_env_file(tmp_path)

    assert re.fullmatch(r"[0-9a-f]{64}", _settings((tmp_path / ".env").read_text())["SECRET_KEY"])


def test_generated_credentials_are_the_made_up_ones_a_person_uses(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(EXAMPLE)
    write_env_file(tmp_path)
    settings = _settings((tmp_path / ".env").read_text())

    credentials = generated_credentials(tmp_path)

    people = ("API_USERNAME", "API_PASSWORD", "API_KEYS", "MAIL_SMTP_PASSWORD", "GITHUB_TOKEN")
    assert credentials == {name: settings[name] for name in people}


ENV_CASES = [
    pytest.param(kind, answers, id=f"{kind}-{'-'.join(map(str, answers.values())) or 'defaults'}")
    for kind, answers in [
        ("website", {}),
        ("website", {"database": "postgresql"}),
        ("rest_api", {"api_auth": "jwt", "database": "postgresql"}),
        ("rest_api", {"api_auth": "api_key"}),
        ("prototype", {}),
        ("microservice", {"database": "postgresql", "cache": "redis", "worker": "celery"}),
    ]
]


@pytest.mark.parametrize(("kind", "answers"), ENV_CASES)
def test_new_writes_env_from_the_projects_example_and_commits_none_of_it(
    tmp_path: Path, kind: str, answers: dict[str, str]
) -> None:
    project = tmp_path / "demo"
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]

    code, out, err = run_cli("new", str(project), "-k", kind, "-y", *data)

    assert code == 0, out + err
    example = _settings((project / ".env.example").read_text())
    env = _settings((project / ".env").read_text())
    assert set(env) == set(example)
    generated = {name: env[name] for name in env if example[name] != env[name]}
    assert "SECRET_KEY" in generated
    assert all(example[name] == "" and len(value) == 64 for name, value in generated.items())
    secret_names = re.compile(r"^(\w*(SECRET_KEY|_PASSWORD|_TOKEN)|API_KEYS)$")
    assert [name for name, value in env.items() if secret_names.match(name) and not value] == []
    assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=project, check=False)
    assert ignored.returncode == 0
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        text = (project / name).read_text(errors="replace")
        assert not [secret for secret in generated.values() if secret in text], name
    if credentials := generated_credentials(project):
        assert all(value in out for value in credentials.values())
    assert env["SECRET_KEY"] not in out


def test_a_fresh_clone_gets_the_env_new_would_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's fresh-clone command makes `.env` as `flaskstarter new` does: the same lines,
    a fresh value for the same secrets, owner-only."""
    project = tmp_path / "demo"
    code, out, err = run_cli("new", str(project), "-k", "rest_api", "-y", "-d", "api_auth=jwt")
    assert code == 0, out + err
    by_new = (project / ".env").read_text()
    readme = (project / "README.md").read_text()
    command = re.search(r"```bash\n(test -f \.env \|\|.*?\nEOF)\n```", readme, re.S)
    assert command, "the README's fresh-clone .env command"
    (project / ".env").unlink()

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command[1]],
        cwd=project,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    by_readme = (project / ".env").read_text()
    assert _shape(by_readme) == _shape(by_new.split("\n", 1)[1])
    assert (project / ".env").stat().st_mode & 0o777 == 0o600


def _shape(env: str) -> list[str]:
    """The lines with each 64-hex secret replaced by a placeholder."""
    return [re.sub(r"=[0-9a-f]{64}$", "=<secret>", line) for line in env.splitlines()]
