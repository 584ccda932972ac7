"""Render a project: Copier into a staging folder, post-steps, then one move into place.

Staging beside the destination means a failure or Ctrl-C at any point leaves the
destination as it was: nothing half-written, nothing existing touched.
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

from flaskstarter import copier_errors
from flaskstarter.destination import check_destination
from flaskstarter.errors import Aborted, DestinationError, RenderError
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


@dataclass
class RenderedProject:
    path: Path
    answers: dict[str, Any]
    files: list[Path]


def render_project(request: RenderRequest) -> RenderedProject:
    """Render the template for `request` and return what was (or, pretending, would be) made."""
    destination = check_destination(request.destination, overwrite=request.overwrite)
    created_parents = [] if request.pretend else _make_parents(destination)
    staging = _staging_folder(destination, pretend=request.pretend)
    succeeded = False
    try:
        project = staging / "project"
        _run_copier(request, project)
        record_source(project, request.source)
        answers = read_answers(project)
        files = sorted(p.relative_to(project) for p in project.rglob("*") if p.is_file())
        if request.pretend:
            return RenderedProject(destination, answers, files)
        write_env_file(project)
        if request.git:
            init_git(project, f"Generate {answers.get('use_case', 'project')} with flaskstarter")
        _move_into_place(project, destination)
        succeeded = True
        return RenderedProject(destination, answers, files)
    except KeyboardInterrupt as interrupt:
        raise Aborted() from interrupt
    except OSError as error:
        raise RenderError(f"Cannot write {destination}: {error.strerror or error}.") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not succeeded:
            _remove_empty(created_parents)


def _run_copier(request: RenderRequest, project: Path) -> None:
    import copier

    with warnings.catch_warnings(), copier_errors.translated():
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
    shutil.copytree(project, destination, dirs_exist_ok=True, symlinks=True)
