"""The git steps after rendering: the user's identity when there is one, a fallback when not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

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
