"""Checks that a destination can take a new project without losing anything already there.

Everything is judged before Copier runs: a destination that cannot work fails in a second with
one line, not after rendering.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from flaskstarter.errors import DestinationError
from flaskstarter.printable import has_steering_characters
from flaskstarter.provenance import ANSWERS_FILE

# Where the system cannot say (pathconf is POSIX-only).
_NAME_MAX = 255
_PATH_MAX = 4096


def check_destination(destination: Path, *, overwrite: bool) -> Path:
    """Return the absolute destination, or say why nothing can be written there."""
    if not str(destination).strip():
        raise DestinationError("The destination must not be empty.")
    target = Path(os.path.abspath(destination.expanduser()))
    if target == Path(target.anchor):
        raise DestinationError(f"Refusing to generate into the filesystem root {target}.")
    parent = _check_path(target)
    if target.exists() and not target.is_dir():
        raise DestinationError(f"{target} is a file, not a folder: choose another destination.")
    if target.is_dir() and _has_entries(target) and not overwrite:
        raise DestinationError(
            f"{target} exists and is not empty: choose a new folder, or pass --overwrite."
        )
    enclosing = _enclosing_project(target)
    if enclosing is not None:
        raise DestinationError(
            f"{target} is inside the generated project {enclosing}: choose a folder outside it."
        )
    for folder in (parent, target) if target.is_dir() else (parent,):
        if not _writable(folder):
            raise DestinationError(f"Cannot write in {folder}: choose a folder you can write to.")
    return target


def _check_path(target: Path) -> Path:
    """Walk the path from the root; return the deepest existing folder above the new ones."""
    existing = Path(target.anchor)
    for depth in range(1, len(target.parts)):
        path = Path(*target.parts[: depth + 1])
        if not _exists(path):
            _check_new_names(target, target.parts[depth:], existing)
            return existing
        if path.is_symlink():
            _check_link(path, is_destination=path == target)
        if path != target and not path.is_dir():
            raise DestinationError(f"{path} is a file, so {target} cannot be created.")
        if path != target:
            existing = path
    return existing


def _exists(path: Path) -> bool:
    """Whether anything (a link included) is at `path`; unusual failures are reported."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as error:
        if error.errno == errno.ENOTDIR:
            message = f"{path.parent} is a file, so {path} cannot be created."
            raise DestinationError(message) from error
        raise DestinationError(f"Cannot look at {path}: {error.strerror}.") from error
    return True


def _check_link(path: Path, *, is_destination: bool) -> None:
    try:
        real = path.resolve(strict=True)
    except RuntimeError as error:  # Python 3.11 reports a loop this way
        raise DestinationError(f"{path} is a loop of symbolic links.") from error
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DestinationError(f"{path} is a loop of symbolic links.") from error
        raise DestinationError(
            f"{path} is a symbolic link to {os.readlink(path)}, which does not exist."
        ) from error
    if is_destination:
        raise DestinationError(
            f"{path} is a symbolic link to {real}: name that folder itself, or another one."
        )


def _check_new_names(target: Path, new_parts: tuple[str, ...], parent: Path) -> None:
    """The folders to create: printable names the filesystem can hold."""
    for part in new_parts:
        if has_steering_characters(part):
            raise DestinationError(
                f"The folder name {part!r} contains control characters: choose a plain name."
            )
        if len(os.fsencode(part)) > _limit(parent, "PC_NAME_MAX", _NAME_MAX):
            raise DestinationError(
                f"The folder name {part[:40]!r}… is too long for this filesystem."
            )
    if len(os.fsencode(str(target))) >= _limit(parent, "PC_PATH_MAX", _PATH_MAX):
        raise DestinationError(f"The path {str(target)[:60]!r}… is too long for this system.")


def _limit(folder: Path, name: str, fallback: int) -> int:
    try:
        return os.pathconf(folder, name)
    except (AttributeError, OSError, ValueError):
        return fallback


def _has_entries(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except OSError as error:
        raise DestinationError(f"Cannot read {folder}: {error.strerror}.") from error


def _writable(folder: Path) -> bool:
    # The effective user is the one who writes (it differs under sudo -u or setuid).
    effective = os.access in os.supports_effective_ids
    return os.access(folder, os.W_OK | os.X_OK, effective_ids=effective)


def _enclosing_project(target: Path) -> Path | None:
    for folder in target.parents:
        if (folder / ANSWERS_FILE).is_file():
            return folder
    return None
