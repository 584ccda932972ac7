"""What `flaskstarter new` writes equals `copier copy <git source> --vcs-ref v<version>`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flaskstarter import __version__
from flaskstarter.use_cases import UseCase
from tests.helpers import run_cli, snapshot
from tests.template_repo import TemplateRepo

COPIER = str(Path(sys.executable).parent / "copier")


@pytest.mark.parametrize("kind", [use_case.value for use_case in UseCase])
def test_cli_output_equals_copier_copy_of_the_tagged_git_source(
    tmp_path: Path, template_repo: TemplateRepo, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    template_repo.commit_and_tag(__version__) if __version__ != "0.1.0" else None
    monkeypatch.setenv("FLASKSTARTER_TEMPLATE_URL", template_repo.url)
    by_cli = tmp_path / "cli" / "demo"
    by_copier = tmp_path / "copier" / "demo"

    code, _, err = run_cli("new", str(by_cli), "-k", kind, "-y", "--no-git")
    subprocess.run(
        [
            COPIER,
            "copy",
            "--quiet",
            "--defaults",
            "--vcs-ref",
            f"v{__version__}",
            "-d",
            f"use_case={kind}",
            "-d",
            "project_name=demo",
            template_repo.url,
            str(by_copier),
        ],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )

    assert code == 0, err
    cli_files = snapshot(by_cli)
    cli_files.pop(".env")
    assert cli_files == snapshot(by_copier)
    assert (by_cli / ".copier-answers.yml").read_text() == (
        by_copier / ".copier-answers.yml"
    ).read_text()
