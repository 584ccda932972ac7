"""`flaskstarter new` as plain Python: options in, a rendered project out."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flaskstarter.answers import parse_data_options, read_data_file, typed_answers
from flaskstarter.errors import UsageError
from flaskstarter.project_setup import git_user
from flaskstarter.questions import load_questions
from flaskstarter.render import RenderedProject, RenderRequest, render_project
from flaskstarter.template_source import (
    TemplateSource,
    bundled_source,
    bundled_template_root,
    explicit_source,
)
from flaskstarter.use_cases import UseCase


@dataclass
class NewProjectOptions:
    destination: Path | None
    use_case: UseCase | None = None
    defaults: bool = True
    data: list[str] = field(default_factory=list)
    data_file: Path | None = None
    pretend: bool = False
    git: bool = True
    template_src: str | None = None
    vcs_ref: str | None = None
    overwrite: bool = False
    # Copier asks the questions on a terminal.
    interactive: bool = False


def create_project(options: NewProjectOptions) -> RenderedProject:
    """Check the options, then render the project they describe."""
    if options.destination is None:
        raise UsageError("Name the folder to create: flaskstarter new DESTINATION.")
    source = _source(options)
    answers = collect_answers(options)
    return render_project(
        RenderRequest(
            destination=options.destination,
            source=source,
            answers=answers,
            user_defaults=suggested_defaults(options.destination),
            use_defaults=options.defaults,
            pretend=options.pretend,
            overwrite=options.overwrite,
            git=options.git,
            interactive=options.interactive,
        )
    )


def collect_answers(options: NewProjectOptions) -> dict[str, Any]:
    """Answers from --data-file, then --data, then --kind, each checked against the questions."""
    raw: dict[str, Any] = {}
    if options.data_file is not None:
        raw.update(read_data_file(options.data_file))
    raw.update(parse_data_options(options.data))
    if options.use_case is not None:
        raw["use_case"] = options.use_case.value
    if not raw:
        return {}
    if options.template_src is not None:
        # Another source may ask other questions: Copier checks the answers itself.
        return raw
    return typed_answers(raw, load_questions(bundled_template_root()))


def suggested_defaults(destination: Path) -> dict[str, Any]:
    """Better defaults than the template's: the folder name, the user's git identity."""
    suggestions: dict[str, Any] = {}
    name = Path(os.path.abspath(Path(destination).expanduser())).name
    if name:
        suggestions["project_name"] = name
    author, email = git_user()
    if author:
        suggestions["author_name"] = author
    if email:
        suggestions["author_email"] = email
    return suggestions


def _source(options: NewProjectOptions) -> TemplateSource:
    if options.template_src is not None:
        return explicit_source(options.template_src, options.vcs_ref)
    if options.vcs_ref is not None:
        raise UsageError("--vcs-ref goes with --template-src.")
    return bundled_source()
