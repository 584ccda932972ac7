"""Take a newer template version into a generated project, as plain `copier update` does."""

from __future__ import annotations

import contextlib
import io
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flaskstarter import copier_errors
from flaskstarter.errors import UpdateError
from flaskstarter.git import git, git_or_none
from flaskstarter.provenance import ANSWERS_FILE, read_answers
from flaskstarter.switches import check_answers_accepted, check_switches

CONFLICT_MARKER = "<<<<<<< "
# What an update did to a file, as `flaskstarter update` reports it.
ADDED, CHANGED, DELETED, CONFLICT, KEPT = "added", "changed", "deleted", "conflict", "kept"


@dataclass(frozen=True)
class FileChange:
    path: str
    # ADDED, CHANGED, DELETED; CONFLICT (left with conflict markers); KEPT (the new version
    # removes the file, but the team had edited it: left as it was, for the team to move).
    status: str


@dataclass
class UpdateResult:
    project: Path
    old_ref: str | None
    new_ref: str | None
    changes: list[FileChange] = field(default_factory=list)
    # Nothing newer than the version the project has: nothing was (or would be) changed.
    up_to_date: bool = False
    # Answers the update changed: name -> (before, after).
    switched: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def changed_files(self) -> list[str]:
        return [change.path for change in self.changes]

    @property
    def conflicted_files(self) -> list[str]:
        """Files the team must look at before committing: conflicts and kept files."""
        return [change.path for change in self.changes if change.status in {CONFLICT, KEPT}]


def update_project(
    project: Path,
    *,
    vcs_ref: str | None = None,
    pretend: bool = False,
    data: Mapping[str, Any] | None = None,
) -> UpdateResult:
    """Run Copier's update with inline conflicts; report what happened to each file.

    `data` changes answers (switches a feature on), as `copier update -d` does; only the
    switches in flaskstarter.switches are accepted. Pretending, the update runs on a throw-away
    clone of the project, so what it lists (files, conflicts, the version) is what a real update
    would do; the project is not touched.
    """
    project = project.expanduser().resolve()
    old_answers = check_updatable(project)
    data = dict(data or {})
    if data:
        check_switches(old_answers.get("use_case", ""), old_answers, data)
    old_ref = old_answers.get("_commit")
    target = target_version(old_answers["_src_path"], vcs_ref)
    if target == old_ref and all(old_answers.get(key) == value for key, value in data.items()):
        return UpdateResult(project, old_ref, old_ref, up_to_date=True)
    check_answers_accepted(target, old_answers, data)
    if not pretend:
        return _run_update(project, target, old_answers, data, shown_as=project)
    with tempfile.TemporaryDirectory(prefix="flaskstarter-update-") as scratch:
        trial = Path(scratch) / project.name
        git("clone", "--quiet", str(project), str(trial))
        return _run_update(trial, target, old_answers, data, shown_as=project)


def target_version(src_path: str, vcs_ref: str | None) -> str:
    """The version an update goes to: `vcs_ref`, else the newest tag, chosen as Copier does."""
    if vcs_ref:
        return vcs_ref
    # Copier's own choice (PEP 440 order, pre-releases skipped), so the two never disagree.
    from copier._vcs import get_latest_tag, get_repo

    with copier_errors.translated(updating=True), contextlib.redirect_stderr(io.StringIO()):
        return get_latest_tag(get_repo(src_path) or src_path)


def _run_update(
    workdir: Path,
    target: str,
    old_answers: dict[str, Any],
    data: dict[str, Any],
    *,
    shown_as: Path,
) -> UpdateResult:
    import copier

    with warnings.catch_warnings(), copier_errors.translated(updating=True, answers=data):
        warnings.simplefilter("ignore")
        copier.run_update(
            str(workdir),
            data=data,
            vcs_ref=target,
            defaults=True,
            overwrite=True,
            conflict="inline",
            quiet=True,
            unsafe=False,
        )
    new_answers = read_answers(workdir)
    changes = _file_changes(workdir)
    if any(change.status == DELETED for change in changes):
        changes = _keep_edited_removals(workdir, changes, old_answers)
    return UpdateResult(
        project=shown_as,
        old_ref=old_answers.get("_commit"),
        new_ref=new_answers.get("_commit"),
        changes=changes,
        switched=_switched(old_answers, new_answers),
    )


def check_updatable(project: Path) -> dict[str, Any]:
    """Say clearly why Copier would refuse, before it runs."""
    if not project.is_dir():
        raise UpdateError(f"{project} is not a folder.")
    if not (project / ANSWERS_FILE).is_file():
        raise UpdateError(
            f"{project} has no {ANSWERS_FILE}: it was not generated by flaskstarter or Copier."
        )
    try:
        answers = read_answers(project)
    except Exception as error:  # yaml raises many types; all mean the same to the user
        raise UpdateError(
            f"{ANSWERS_FILE} in {project} is not valid YAML: fix or restore it."
        ) from error
    if not isinstance(answers.get("_src_path"), str) or not answers["_src_path"]:
        raise UpdateError(f"{ANSWERS_FILE} in {project} does not say which template made it.")
    if not answers.get("_commit"):
        raise UpdateError(
            f"{ANSWERS_FILE} in {project} records no template version (_commit), so there is "
            "nothing to update from."
        )
    toplevel = git_or_none("rev-parse", "--show-toplevel", cwd=project)
    if toplevel is None or Path(toplevel.strip()).resolve() != project:
        raise UpdateError(f"{project} is not a git repository: run git init and commit first.")
    status = git_or_none("status", "--porcelain", cwd=project)
    if status:
        raise UpdateError(
            f"{project} has uncommitted changes: commit or stash them before updating."
        )
    return answers


def _file_changes(project: Path) -> list[FileChange]:
    """What git reports changed, by path (-z: no C-style quoting of odd names)."""
    output = git_or_none("status", "--porcelain", "-z", "--untracked-files=all", cwd=project)
    entries = iter((output or "").split("\0"))
    changes = []
    for entry in entries:
        if not entry:
            continue
        status, name = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            next(entries, None)  # a rename's or copy's original path follows
        changes.append(FileChange(name, _status(project, status, name)))
    return sorted(changes, key=lambda change: change.path)


def _status(project: Path, status: str, name: str) -> str:
    if "U" in status or status in {"AA", "DD"} or _has_conflict_markers(project / name):
        return CONFLICT
    if status == "??" or "A" in status:
        return ADDED
    if "D" in status:
        return DELETED
    return CHANGED


def _keep_edited_removals(
    project: Path, changes: list[FileChange], old_answers: dict[str, Any]
) -> list[FileChange]:
    """Put back the files the new version removes that the team had edited, and say so.

    Copier deletes every file the new template no longer renders, edited or not. A file that
    differs from what the old version rendered holds the team's work: it stays as committed.
    """
    with tempfile.TemporaryDirectory(prefix="flaskstarter-old-") as scratch:
        rendered = Path(scratch) / "project"
        _render_old_version(rendered, old_answers)
        kept = []
        for change in changes:
            if change.status != DELETED:
                continue
            original = rendered / change.path
            committed = git("rev-parse", f"HEAD:{change.path}", cwd=project).strip()
            if not original.is_file() or _blob_id(original, project) != committed:
                kept.append(change.path)
    if kept:
        git("checkout", "HEAD", "--", *kept, cwd=project)
    return [FileChange(c.path, KEPT) if c.path in kept else c for c in changes]


def _render_old_version(destination: Path, answers: dict[str, Any]) -> None:
    """The project as the version it was generated from renders it, with the same answers."""
    import copier

    with warnings.catch_warnings(), copier_errors.translated(updating=True):
        warnings.simplefilter("ignore")
        copier.run_copy(
            answers["_src_path"],
            str(destination),
            data={key: value for key, value in answers.items() if not key.startswith("_")},
            vcs_ref=answers["_commit"],
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=False,
        )


def _blob_id(path: Path, repository: Path) -> str:
    """The id git gives the file's content (compared with a committed file's, bytes for bytes)."""
    return git("hash-object", "--no-filters", str(path), cwd=repository).strip()


def _switched(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    keys = sorted(key for key in set(old) | set(new) if not key.startswith("_"))
    return {key: (old.get(key), new.get(key)) for key in keys if old.get(key) != new.get(key)}


def _has_conflict_markers(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.startswith(CONFLICT_MARKER) for line in text.splitlines())
