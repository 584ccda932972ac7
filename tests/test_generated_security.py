"""Generated code, inspected: bandit finds nothing of medium or high severity in any combination."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from flaskstarter.use_cases import CATALOGUE
from tests.helpers import combination_id

REPO_ROOT = Path(__file__).resolve().parent.parent
COMBINATIONS = [
    pytest.param(use_case.value, answers, id=f"{use_case.value}-{combination_id(answers)}")
    for use_case, info in CATALOGUE.items()
    for answers in info.combinations
]


@pytest.mark.parametrize(("use_case", "answers"), COMBINATIONS)
def test_bandit_finds_no_medium_or_high_issue(
    plain_template: Path, tmp_path: Path, use_case: str, answers: dict[str, object]
) -> None:
    import copier

    project = tmp_path / "project"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copier.run_copy(
            str(plain_template),
            str(project),
            data={"use_case": use_case, **answers},
            defaults=True,
            quiet=True,
        )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "bandit"), "-r", str(project), "-f", "json", "-q"],
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
