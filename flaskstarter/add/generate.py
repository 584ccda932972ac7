"""`flaskstarter add` as plain Python: check everything, render with Copier, then write.

The addition is rendered by Copier from the same `copier.yml` as the project (its generator's
folder, templates/_generators/<generator>), with an answers file of its own, so that plain
`copier update --answers-file .copier-answers.<generator>-<name>.yml` updates it later. Copier
renders into a staging folder; files go into the project only when none of them is there yet.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from flaskstarter import copier_errors, interrupts
from flaskstarter.add.errors import AddError
from flaskstarter.add.fields import Field, parse_field
from flaskstarter.add.names import check_derived_names, check_name, singular
from flaskstarter.add.project import (
    ADDITION_ANSWERS,
    Project,
    check_clean,
    migration_head,
    read_project,
)
from flaskstarter.errors import quoted
from flaskstarter.provenance import ANSWERS_HEADER
from flaskstarter.template_source import TemplateSource, bundled_source, explicit_source

# Which kinds have which generator, and what else they need.
GENERATORS = {
    "resource": ("rest_api", "microservice"),
    "page": ("website",),
    "scaffold": ("website",),
}
# Generators the issue plans that this version does not have yet: refused, never stubbed.
PLANNED: dict[str, str] = {}
WITH_FIELDS = ("resource", "scaffold")
# What a scaffold's views and tests also name (a function, a variable, the account model): a
# scaffold whose singular is one of them would shadow it.
SCAFFOLD_CODE_NAMES = frozenset({"fill", "free", "user"})
# More would make a table, a form and their tests nobody reads whole.
MAX_FIELDS = 40
# Where each kind keeps the modules create_app finds (its blueprints), and other names that
# are taken in every project of the kind: routes, blueprints and tables of the template.
PACKAGES = {"rest_api": "api", "microservice": "api", "website": "pages"}
TAKEN = {
    "rest_api": {"alembic_version", "api", "auth", "docs", "health", "openapi", "static"},
    "microservice": {
        "alembic_version", "api", "health", "healthz", "info", "item", "metrics", "readyz", "tasks",
    },
    "website": {
        "about", "auth", "contact", "contact_message", "email", "errors",
        "healthz", "main", "pages", "static", "templates", "user_account",
    },
}  # fmt: skip


@dataclass
class AddRequest:
    generator: str
    name: str
    fields: list[str] = field(default_factory=list)
    project: Path = Path(".")
    dry_run: bool = False
    force: bool = False
    # Render from this template instead of the packaged one (tests, forks): Copier records it.
    source: TemplateSource | None = None


@dataclass
class AddResult:
    project: Path
    generator: str
    name: str
    package: str
    # Relative to the project, the addition's answers file included.
    files: list[Path]
    answers_file: str
    migration: Path | None
    dry_run: bool


def add_to_project(request: AddRequest) -> AddResult:
    """Check the request against the project, then render the addition into it."""
    check_generator_name(request.generator)
    project = read_project(request.project)
    _check_generator(project, request.generator, request.fields)
    source = request.source or bundled_source()
    names_root = Path(bundled_source().location)
    _check_addition_name(project, request.generator, request.name, names_root)
    fields = resolve_fields(project, request.generator, request.fields, names_root)
    answers = _answers(project, request, fields)
    if not request.dry_run and not request.force:
        check_clean(project)
    answers_file = ADDITION_ANSWERS.format(generator=request.generator, name=request.name)
    if request.source is None:
        source, recorded = _source_for(project)
    else:
        recorded = None
    with tempfile.TemporaryDirectory(prefix="flaskstarter-add-") as scratch:
        staging = Path(scratch) / "addition"
        _render(source, staging, answers, answers_file)
        if recorded is not None:
            _record_source(staging / answers_file, recorded)
        files = sorted(path.relative_to(staging) for path in staging.rglob("*") if path.is_file())
        _check_nothing_there(project, files)
        if not request.dry_run:
            _copy_into(staging, project.path, files)
    migrations = [path for path in files if path.parts[:2] == ("migrations", "versions")]
    return AddResult(
        project=project.path,
        generator=request.generator,
        name=request.name,
        package=str(project.answers["package_name"]),
        files=files,
        answers_file=answers_file,
        migration=migrations[0] if migrations else None,
        dry_run=request.dry_run,
    )


def check_generator_name(generator: str) -> None:
    """Refuse a generator this version does not have, saying which ones it has."""
    if generator in GENERATORS:
        return
    offered = ", ".join(GENERATORS)
    if generator in PLANNED:
        raise AddError(
            f"The {generator} generator ({PLANNED[generator]}) is not in this version of "
            f"flaskstarter yet; it has: {offered}."
        )
    raise AddError(f"flaskstarter add has no generator {quoted(generator)}: use {offered}.")


def _check_generator(project: Project, generator: str, fields: list[str]) -> None:
    kind = project.use_case
    if kind not in GENERATORS[generator]:
        offered = [name for name, kinds in GENERATORS.items() if kind in kinds]
        instead = f"; it has {' and '.join(offered)}" if offered else ""
        raise AddError(f"A {kind} project has no {generator} generator{instead}.")
    if generator in WITH_FIELDS and project.answers.get("database") in (None, "none"):
        raise AddError(
            f"A {generator} is stored in the database, and this {kind} has none "
            "(its database answer is none)."
        )
    if generator in WITH_FIELDS and not fields:
        raise AddError(f"Give the {generator}'s fields: FIELD:TYPE..., e.g. title:str.")
    if generator not in WITH_FIELDS and fields:
        raise AddError(f"A {generator} takes a name and no fields.")
    finder = project.package / PACKAGES[kind] / "__init__.py"
    if not finder.is_file():
        raise AddError(
            f"This {kind} has no {finder.relative_to(project.path)}, which finds what add makes: "
            "take the newest template version first (flaskstarter update)."
        )


def _check_addition_name(project: Project, generator: str, name: str, names_root: Path) -> None:
    check_name(name, generator)
    earlier = project.addition(name)
    if earlier is not None:
        raise AddError(f"{name!r} was added before (a {earlier.generator}): choose another name.")
    modules = project.package / PACKAGES[project.use_case]
    taken = TAKEN[project.use_case] | {str(project.answers.get("resource_name"))}
    if (
        name in taken
        or (project.package / name).exists()
        or (project.package / f"{name}.py").exists()
        or (modules / name).exists()
        or (modules / f"{name}.py").exists()
        or (project.package / "templates" / name).exists()
    ):
        raise AddError(
            f"{name!r} is taken in this project (a module, route or table of that name): "
            "choose another name."
        )
    if generator in WITH_FIELDS:
        check_derived_names(name, names_root)
    if generator == "scaffold" and singular(name, names_root) in SCAFFOLD_CODE_NAMES:
        raise AddError(
            f"{quoted(name)} would name its variables {singular(name, names_root)!r}, which a "
            "scaffold's code already uses: choose another name."
        )


def resolve_fields(
    project: Project, generator: str, specs: list[str], names_root: Path
) -> list[Field]:
    """The fields of FIELD:TYPE... with each `OTHER:ref` resolved to an addition made before."""
    if len(specs) > MAX_FIELDS:
        raise AddError(f"{len(specs):,} fields are too many: at most {MAX_FIELDS} a {generator}.")
    fields: list[Field] = []
    for spec in specs:
        parsed = parse_field(spec)
        if parsed.type != "ref":
            fields.append(parsed)
            continue
        other = _referred(project, generator, parsed.name, spec, names_root)
        fields.append(replace(parsed, name=f"{singular(other, names_root)}_id", ref=other))
    seen: set[str] = set()
    for one in fields:
        if one.name in seen:
            raise AddError(f"Two fields are named {one.name!r}: each field needs its own name.")
        seen.add(one.name)
    return fields


def _referred(project: Project, generator: str, other: str, spec: str, root: Path) -> str:
    """The addition `other` names: its own name (authors) or its singular (author)."""
    added = [added for added in project.additions if added.generator == generator]
    for candidate in added:
        if other in (candidate.name, singular(candidate.name, root)):
            return candidate.name
    made = ", ".join(added.name for added in added) or "none yet"
    raise AddError(
        f"{quoted(spec)} refers to no {generator} added before ({made}): add {other!r} first."
    )


def _answers(project: Project, request: AddRequest, fields: list[Field]) -> dict[str, Any]:
    """The project's own answers, then the generator's (recorded in the addition's file)."""
    answers = {key: value for key, value in project.answers.items() if not key.startswith("_")}
    answers.update(generator=request.generator, name=request.name)
    if request.generator in WITH_FIELDS:
        answers["fields"] = [one.as_answer() for one in fields]
        # Alembic's own kind of id (alembic.util.rev_id): 12 hex digits.
        answers["revision"] = uuid.uuid4().hex[-12:]
        answers["down_revision"] = migration_head(project) or ""
    return answers


def _source_for(project: Project) -> tuple[TemplateSource, dict[str, Any] | None]:
    """Where to render from, and the source to record (None: Copier records it).

    The generators must come from the version of the template the project is at: the packaged
    copy when that is this flaskstarter's version (recorded like `flaskstarter new` records it),
    else the project's own source at its version, through git.
    """
    bundled = bundled_source()
    src_path, commit = project.answers.get("_src_path"), project.answers.get("_commit")
    if not commit or commit == bundled.recorded_ref:
        recorded = {"_src_path": src_path, "_commit": commit} if src_path else None
        return bundled, recorded
    return explicit_source(str(src_path), str(commit)), None


def _render(
    source: TemplateSource, staging: Path, answers: dict[str, Any], answers_file: str
) -> None:
    import copier

    with warnings.catch_warnings(), copier_errors.translated(answers=answers):
        warnings.simplefilter("ignore")
        copier.run_copy(
            source.location,
            str(staging),
            data=answers,
            answers_file=answers_file,
            defaults=True,
            vcs_ref=source.vcs_ref,
            quiet=True,
            unsafe=False,
            cleanup_on_error=False,
        )


def _record_source(answers_file: Path, recorded: dict[str, Any]) -> None:
    """Record the project's template source and version, as `new` does for the project's."""
    answers = yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}
    answers.pop("_commit", None)
    answers.pop("_src_path", None)
    ordered = {key: value for key, value in recorded.items() if value} | answers
    body = yaml.dump(ordered, indent=4, allow_unicode=True, default_flow_style=False)
    answers_file.write_text(ANSWERS_HEADER + body, encoding="utf-8")


def _check_nothing_there(project: Project, files: list[Path]) -> None:
    for relative in files:
        target = project.path / relative
        if target.exists() or target.is_symlink():
            raise AddError(f"{relative} is already there: add writes new files only.")


def _copy_into(staging: Path, project: Path, files: list[Path]) -> None:
    """Copy the files in, all of them or (on any failure or signal) none."""
    made: list[Path] = []
    try:
        for relative in files:
            target = project / relative
            for folder in reversed(target.parents):
                if not folder.exists() and project in folder.parents:
                    folder.mkdir()
                    made.append(folder)
            with interrupts.held():
                shutil.copy2(staging / relative, target)
                made.append(target)
    except BaseException as error:
        for path in reversed(made):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise AddError(f"Cannot write {project}: {error.strerror or error}.") from error
        raise
