"""`new --overwrite`: the template's files replace same-named files; nothing else is touched.

An existing `.git` (history, remotes, reflog, config, index, HEAD) and `.env` are the user's:
flaskstarter then makes no repository or `.env` of its own and never writes into them.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from flaskstarter.errors import DestinationError
from flaskstarter.project_setup import ENV_FILE

GIT_FOLDER = ".git"


@dataclass(frozen=True)
class KeptWork:
    """What a destination already has that flaskstarter leaves as it is."""

    git: bool = False
    env: bool = False


def kept_work(destination: Path) -> KeptWork:
    """The destination's own repository and .env, if it has them (links count too)."""
    return KeptWork(
        git=os.path.lexists(destination / GIT_FOLDER),
        env=os.path.lexists(destination / ENV_FILE),
    )


def merge_into(project: Path, destination: Path) -> None:
    """Write the rendered files into an existing folder, after checking every one can be."""
    files = _files_to_write(project, destination)
    for relative in files:
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy beside, then rename over: a hard link or a half-written file is never left.
        partial = target.with_name(f".{target.name}.flaskstarter-partial")
        shutil.copy2(project / relative, partial, follow_symlinks=False)
        os.replace(partial, target)


def _files_to_write(project: Path, destination: Path) -> list[Path]:
    kept = kept_work(destination)
    files = []
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        first = relative.parts[0]
        if first == GIT_FOLDER or (first == ENV_FILE and kept.env):
            continue
        _check_writable(destination, relative, is_folder=path.is_dir() and not path.is_symlink())
        if not path.is_dir() or path.is_symlink():
            files.append(relative)
    return files


def _check_writable(destination: Path, relative: Path, *, is_folder: bool) -> None:
    """Refuse links on the way (writing through one lands outside) and file/folder clashes."""
    target = destination
    for part in relative.parts:
        target = target / part
        if target.is_symlink():
            raise DestinationError(
                f"{target} is a symbolic link: --overwrite does not write through links; "
                "move it away or choose another folder."
            )
    if not target.exists():
        return
    if is_folder and not target.is_dir():
        raise DestinationError(
            f"{target} is a file where the template has a folder: move it away first."
        )
    if not is_folder and target.is_dir():
        raise DestinationError(
            f"{target} is a folder where the template writes a file: move it away first."
        )
