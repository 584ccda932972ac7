"""Checks that a destination can take a new project without losing anything already there."""

from __future__ import annotations

import os
from pathlib import Path

from flaskstarter.errors import DestinationError
from flaskstarter.provenance import ANSWERS_FILE


def check_destination(destination: Path, *, overwrite: bool) -> Path:
    """Return the absolute destination, or say why nothing can be written there."""
    if not str(destination).strip():
        raise DestinationError("The destination must not be empty.")
    target = Path(os.path.abspath(destination.expanduser()))
    if target == Path(target.anchor):
        raise DestinationError(f"Refusing to generate into the filesystem root {target}.")
    if target.is_file() or (target.exists() and not target.is_dir()):
        raise DestinationError(f"{target} is a file, not a folder: choose another destination.")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise DestinationError(
            f"{target} exists and is not empty: choose a new folder, or pass --overwrite."
        )
    enclosing = _enclosing_project(target)
    if enclosing is not None:
        raise DestinationError(
            f"{target} is inside the generated project {enclosing}: choose a folder outside it."
        )
    parent = _nearest_existing(target)
    if not parent.is_dir():
        raise DestinationError(f"{parent} is a file, so {target} cannot be created.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DestinationError(f"Cannot write in {parent}: choose a folder you can write to.")
    return target


def _enclosing_project(target: Path) -> Path | None:
    for folder in target.parents:
        if (folder / ANSWERS_FILE).is_file():
            return folder
    return None


def _nearest_existing(target: Path) -> Path:
    folder = target if target.exists() else target.parent
    while not folder.exists():
        folder = folder.parent
    return folder
