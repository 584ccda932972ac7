"""Make a project rendered from the packaged templates updatable with plain `copier update`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from flaskstarter.template_source import TemplateSource

ANSWERS_FILE = ".copier-answers.yml"
ANSWERS_HEADER = "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"


def read_answers(project: Path) -> dict[str, Any]:
    """The project's recorded answers (empty when there is no answers file)."""
    path = project / ANSWERS_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def record_source(project: Path, source: TemplateSource) -> None:
    """Point the answers file at the git source and tag that `copier update` will fetch.

    Copier records a plain folder (the wheel's package data) without a commit, which
    `copier update` cannot follow; the canonical repository at the release tag holds the
    same files, so that is what we record.
    """
    if not source.is_bundled:
        return
    answers = read_answers(project)
    answers["_src_path"] = source.recorded_url
    if source.recorded_ref:
        answers["_commit"] = source.recorded_ref
    else:
        answers.pop("_commit", None)
    # Same layout as Copier's own `to_nice_yaml`, so the file is byte-identical to the one a
    # `copier copy` of the git source writes.
    body = yaml.dump(answers, indent=4, allow_unicode=True, default_flow_style=False)
    (project / ANSWERS_FILE).write_text(ANSWERS_HEADER + body, encoding="utf-8")
