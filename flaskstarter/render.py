"""Render a project: Copier into a staging folder, post-steps, then one move into place.

Staging beside the destination means a failure, Ctrl-C, SIGTERM or SIGHUP at any point leaves
the destination as it was: nothing half-written, nothing existing touched.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flaskstarter import copier_errors, interrupts
from flaskstarter.destination import check_destination
from flaskstarter.errors import Aborted, DestinationError, RenderError
from flaskstarter.overwrite import KeptWork, kept_work, merge_into
from flaskstarter.project_setup import init_git, write_env_file
from flaskstarter.provenance import read_answers, record_source
from flaskstarter.template_source import TemplateSource


@dataclass
class RenderRequest:
    destination: Path
    source: TemplateSource
    answers: Mapping[str, Any] = field(default_factory=dict)
    user_defaults: Mapping[str, Any] = field(default_factory=dict)
    use_defaults: bool = True
    pretend: bool = False
    overwrite: bool = False
    git: bool = True
    # Copier asks on a terminal: let its prompts wrap long lines instead of cutting them.
    interactive: bool = False


@dataclass
class RenderedProject:
    path: Path
    answers: dict[str, Any]
    files: list[Path]
    # flaskstarter's own repository and first commit; an existing .git or .env is kept instead.
    git_initialized: bool = False
    kept: KeptWork = field(default_factory=KeptWork)


def render_project(request: RenderRequest) -> RenderedProject:
    """Render the template for `request` and return what was (or, pretending, would be) made."""
    destination = check_destination(request.destination, overwrite=request.overwrite)
    kept = kept_work(destination) if destination.is_dir() else KeptWork()
    created_parents: list[Path] = []
    staging: Path | None = None
    written = False
    try:
        # Held, so that a signal cannot land between creating a folder and remembering it.
        with interrupts.held():
            created_parents = [] if request.pretend else _make_parents(destination)
            staging = _staging_folder(destination, pretend=request.pretend)
        project = staging / "project"
        _run_copier(request, project)
        record_source(project, request.source)
        answers = read_answers(project)
        files = sorted(p.relative_to(project) for p in project.rglob("*") if p.is_file())
        rendered = RenderedProject(destination, answers, files, kept=kept)
        if request.pretend:
            return rendered
        if not kept.env:
            write_env_file(project)
        rendered.git_initialized = request.git and not kept.git
        if rendered.git_initialized:
            init_git(project, f"Generate {answers.get('use_case', 'project')} with flaskstarter")
        with interrupts.held():
            _move_into_place(project, destination)
            written = True
        return rendered
    except KeyboardInterrupt as interrupt:
        # A signal held during the move arrives after it: the project is there, whole.
        message = f"Aborted after writing {destination} in full." if written else "Aborted."
        raise Aborted.by(interrupt, message) from interrupt
    except OSError as error:
        raise RenderError(f"Cannot write {destination}: {error.strerror or error}.") from error
    finally:
        with interrupts.held():
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if not written:
                _remove_empty(created_parents)


def _run_copier(request: RenderRequest, project: Path) -> None:
    import copier

    from flaskstarter.prompts import whole_lines

    prompts = whole_lines() if request.interactive else contextlib.nullcontext()
    with warnings.catch_warnings(), copier_errors.translated(answers=request.answers), prompts:
        # Copier's warnings (a dirty checkout, a template newer than a tag) are for template
        # authors, not for someone generating a project.
        warnings.simplefilter("ignore")
        copier.run_copy(
            request.source.location,
            str(project),
            data=dict(request.answers),
            user_defaults=dict(request.user_defaults),
            defaults=request.use_defaults,
            vcs_ref=request.source.vcs_ref,
            quiet=True,
            unsafe=False,
            cleanup_on_error=True,
        )


def _make_parents(destination: Path) -> list[Path]:
    """Create the destination's missing parent folders; return them, deepest first."""
    missing = [folder for folder in destination.parents if not folder.exists()]
    try:
        for folder in reversed(missing):
            folder.mkdir()
    except OSError as error:
        _remove_empty(missing)
        raise DestinationError(f"Cannot create {error.filename}: {error.strerror}.") from error
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _staging_folder(destination: Path, *, pretend: bool) -> Path:
    """A private folder beside the destination (same filesystem, so the final move is atomic)."""
    try:
        if pretend:
            return Path(tempfile.mkdtemp(prefix=".flaskstarter-"))
        return Path(tempfile.mkdtemp(prefix=".flaskstarter-", dir=destination.parent))
    except OSError as error:
        message = f"Cannot write in {destination.parent}: {error.strerror}."
        raise DestinationError(message) from error


def _move_into_place(project: Path, destination: Path) -> None:
    if destination.is_dir() and not any(destination.iterdir()):
        destination.rmdir()
    if not destination.exists():
        project.rename(destination)
        return
    # --overwrite into a folder with files: template files win, the user's others stay.
    merge_into(project, destination)
