"""Generated code, inspected as it is written: formatted, lint-free, no serious bandit finding,
no committed secret, in every claimed combination."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flaskstarter.use_cases import CATALOGUE
from tests.helpers import combination_id, run_cli

COMBINATIONS = [
    pytest.param((use_case.value, answers), id=f"{use_case.value}-{combination_id(answers)}")
    for use_case, info in CATALOGUE.items()
    for answers in info.combinations
]


@pytest.fixture(scope="module", params=COMBINATIONS)
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `flaskstarter new` makes of one claimed combination: rendered once, inspected twice."""
    use_case, answers = request.param
    project = tmp_path_factory.mktemp("generated") / "project"
    data = [f"{key}={value}" for key, value in answers.items()]
    code, _, err = run_cli(
        "new", str(project), "-k", use_case, "-y", *(arg for item in data for arg in ("-d", item))
    )
    assert code == 0, err
    return project


RUFF = str(Path(sys.executable).parent / "ruff")


def run_ruff(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """ruff as the project runs it: its own pyproject.toml settings, from its root."""
    return subprocess.run(
        [RUFF, *args, "--no-cache", "."], cwd=project, capture_output=True, text=True, check=False
    )


def test_the_code_is_formatted_as_ruff_format_writes_it(generated: Path) -> None:
    result = run_ruff(generated, "format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_check_finds_nothing(generated: Path) -> None:
    result = run_ruff(generated, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_finds_no_medium_or_high_issue(generated: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "bandit"), "-r", str(generated), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    serious = [
        f"{issue['filename']}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}"
        for issue in report["results"]
        if issue["issue_severity"] in {"MEDIUM", "HIGH"}
    ]
    assert serious == []
    assert report["errors"] == []


SECRET_WORDS = r"secret|password|passwd|api[_-]?key|token"
SECRET_NAME = re.compile(f"(?i){SECRET_WORDS}")
# A literal value given to a secret-looking name: `SECRET_KEY = "..."`, `password: ...`; not a
# call or a name (`create_access_token(...)`).
SECRET_ASSIGNMENT = re.compile(
    rf"""(?i)\b[\w-]*({SECRET_WORDS})[\w-]*["']?\s*[:=]\s*["']?"""
    r"""(?P<value>[A-Za-z0-9+/_\-]{16,})(?![\w(])"""
)


def test_no_secret_is_committed_or_recorded_in_the_answers(generated: Path) -> None:
    """What `flaskstarter new` commits: the .env secret nowhere, no literal secret anywhere.

    The projects' own tests hold fixed, obviously fake keys for their fixtures; they are left
    out of the literal scan (the .env secret is looked for there too).
    """
    env_lines = (generated / ".env").read_text().splitlines()
    secret = next(line.split("=", 1)[1] for line in env_lines if line.startswith("SECRET_KEY="))
    assert len(secret) >= 32
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=generated, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=generated, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    literals = []
    for name in filter(None, tracked):
        text = (generated / name).read_text(errors="replace")
        assert secret not in text, f"{name} holds the .env secret"
        if not name.startswith("tests/"):
            literals += [f"{name}: {m.group(0)}" for m in SECRET_ASSIGNMENT.finditer(text)]
    assert literals == []
    recorded = yaml.safe_load((generated / ".copier-answers.yml").read_text())
    assert [key for key in recorded if SECRET_NAME.search(key)] == []
