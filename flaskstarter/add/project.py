"""The generated project `flaskstarter add` writes into: its answers, additions, migrations, git."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flaskstarter.add.errors import AddError
from flaskstarter.git import git_or_none
from flaskstarter.provenance import ANSWERS_FILE
from flaskstarter.use_cases import UseCase

# An addition's own answers file: .copier-answers.resource-books.yml.
ADDITION_ANSWERS = ".copier-answers.{generator}-{name}.yml"
MIGRATIONS = Path("migrations") / "versions"


@dataclass(frozen=True)
class Addition:
    """Something `flaskstarter add` made before, as its answers file records it."""

    generator: str
    name: str
    fields: list[dict[str, Any]]


@dataclass
class Project:
    path: Path
    answers: dict[str, Any]
    additions: list[Addition] = field(default_factory=list)

    @property
    def use_case(self) -> str:
        return str(self.answers["use_case"])

    @property
    def package(self) -> Path:
        return self.path / str(self.answers["package_name"])

    def addition(self, name: str) -> Addition | None:
        return next((added for added in self.additions if added.name == name), None)


def read_project(folder: Path) -> Project:
    """The project in `folder`; AddError when it is not one flaskstarter generated."""
    path = folder.expanduser().resolve()
    if not path.is_dir():
        raise AddError(f"{folder} is not a folder.")
    answers = _answers(path / ANSWERS_FILE, folder)
    kinds = [kind.value for kind in UseCase]
    package = answers.get("package_name")
    if answers.get("use_case") not in kinds or not (
        isinstance(package, str) and package.isidentifier()
    ):
        raise AddError(
            f"{folder / ANSWERS_FILE} does not name a flaskstarter kind ({', '.join(kinds)}) and "
            "package: was the project made by `flaskstarter new`?"
        )
    project = Project(path, answers)
    if not project.package.is_dir():
        raise AddError(f"{folder} has no package folder {answers['package_name']!r}.")
    for answers_file in sorted(path.glob(".copier-answers.*-*.yml")):
        recorded = _answers(answers_file, folder)
        if isinstance(recorded.get("generator"), str) and isinstance(recorded.get("name"), str):
            fields = recorded.get("fields")
            project.additions.append(
                Addition(
                    recorded["generator"],
                    recorded["name"],
                    fields if isinstance(fields, list) else [],
                )
            )
    return project


def _answers(path: Path, shown: Path) -> dict[str, Any]:
    if not path.is_file():
        raise AddError(
            f"{shown} is not a flaskstarter project (no {ANSWERS_FILE}): run `flaskstarter add` "
            "in one, or name it with --project DIR."
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AddError(f"Cannot read {path.name} in {shown}: fix or restore it.") from error
    if not isinstance(data, dict):
        raise AddError(f"{path.name} in {shown} is not a mapping of answers: fix or restore it.")
    return data


def migration_head(project: Project) -> str | None:
    """The revision a new migration follows: the project's one head (None: no migration yet)."""
    versions = project.path / MIGRATIONS
    if not versions.is_dir():
        raise AddError(f"{project.path} has no {MIGRATIONS} folder for the addition's migration.")
    revisions: dict[str, tuple[str, ...]] = {}
    for script in sorted(versions.glob("*.py")):
        revision, parents = _revision_of(script)
        if revision is not None:
            revisions[revision] = parents
    followed = {parent for parents in revisions.values() for parent in parents}
    heads = sorted(set(revisions) - followed)
    if len(heads) > 1:
        raise AddError(
            f"The migrations have {len(heads)} heads ({', '.join(heads)}): merge them first "
            '(flask db merge heads -m "merge"), then add.'
        )
    return heads[0] if heads else None


def _revision_of(script: Path) -> tuple[str | None, tuple[str, ...]]:
    """`revision` and `down_revision` of an Alembic script, read without running it."""
    try:
        tree = ast.parse(script.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as error:
        raise AddError(f"Cannot read the migration {script.name}: {error}.") from error
    values: dict[str, Any] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"} and value:
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    parents = values.get("down_revision")
    if isinstance(parents, str):
        parents = (parents,)
    revision = values.get("revision")
    return (revision if isinstance(revision, str) else None), tuple(parents or ())


def check_clean(project: Project) -> None:
    """Refuse a project outside git, or with changes git has not recorded (see --force)."""
    if git_or_none("rev-parse", "--is-inside-work-tree", cwd=project.path) is None:
        raise AddError(
            f"{project.path} is not in a git repository: commit it first, so that you can see "
            "and undo what add writes (or pass --force)."
        )
    status = git_or_none(
        "status", "--porcelain", "--untracked-files=all", "--", ".", cwd=project.path
    )
    if status:
        raise AddError(
            f"{project.path} has uncommitted changes: commit them first, so that you can see and "
            "undo what add writes (or pass --force)."
        )
