"""Template releases rebuilt from this repository's own history, for upgrade tests.

A throw-away git repository gets one commit per release: `copier.yml` and `templates/` as they
were at a real earlier commit of this repository (`git archive`), then as the checkout holds
them now (the working tree, uncommitted changes included), each commit tagged as a release.
Projects generated from an old tag are then updated to the newest one, as a team would.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tests.template_repo import TemplateRepo, git


@dataclass(frozen=True)
class Release:
    """A template version rebuilt from a commit of this repository."""

    tag: str
    commit: str
    why: str


# The releases upgrades are proved from, oldest first. Found with
# `git log --reverse --format=%h -- templates/<kind>/` and by rendering each candidate: 3114fcb
# is the first commit with a folder for every kind, but its rest_api renders ten files and no
# application (no create_app, no tests) and its microservice has no tests; e82c9fe is the first
# commit in which every kind renders a project that installs and passes its own tests.
OLDEST = Release("v0.0.1", "e82c9fe", "the oldest commit in which all four kinds work")
# The commit before issue #12's rewrite of every kind (CHANGELOG's 0.1.0).
BEFORE_REWRITE = Release("v0.1.0", "7ed0e96", "the last commit before the shared-design rewrite")
HISTORY = (OLDEST, BEFORE_REWRITE)
# The working tree's templates, newer than every release above.
NEWEST_TAG = "v0.2.0"


class MissingHistory(AssertionError):
    """The checkout lacks a commit the upgrade tests rebuild (a shallow clone)."""


def require_commit(checkout: Path, commit: str) -> None:
    """Fail, saying how to fix it, when `commit` is not in the checkout's history."""
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
        cwd=checkout,
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        shallow = git(checkout, "rev-parse", "--is-shallow-repository").strip() == "true"
        hint = (
            "this clone is shallow: run `git fetch --unshallow`"
            if shallow
            else ("fetch the repository's full history")
        )
        raise MissingHistory(
            f"commit {commit} is not in {checkout}: the upgrade tests rebuild templates from "
            f"this repository's history ({hint}; .ci/run clones are full)."
        )


def archive_templates(checkout: Path, commit: str, destination: Path) -> None:
    """Write copier.yml and templates/ as they were at `commit` into `destination`."""
    archived = subprocess.run(
        ["git", "archive", "--format=tar", commit, "copier.yml", "templates"],
        cwd=checkout,
        capture_output=True,
        check=False,
    )
    if archived.returncode != 0:
        raise AssertionError(f"git archive {commit} failed:\n{archived.stderr.decode()}")
    with tarfile.open(fileobj=io.BytesIO(archived.stdout)) as tar:
        tar.extractall(destination, filter="data")


def release_repo(
    checkout: Path, path: Path, history: tuple[Release, ...] = HISTORY
) -> TemplateRepo:
    """A template repository: each release of `history`, then the working tree, tagged."""
    for release in history:
        require_commit(checkout, release.commit)
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    repo = TemplateRepo(path)
    for release in history:
        _clear(path)
        archive_templates(checkout, release.commit, path)
        repo.commit_and_tag(release.tag.removeprefix("v"))
    _clear(path)
    shutil.copy2(checkout / "copier.yml", path / "copier.yml")
    shutil.copytree(
        checkout / "templates",
        path / "templates",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    repo.commit_and_tag(NEWEST_TAG.removeprefix("v"))
    return repo


def _clear(path: Path) -> None:
    (path / "copier.yml").unlink(missing_ok=True)
    shutil.rmtree(path / "templates", ignore_errors=True)
