"""A generated project as a team keeps it: its edits, its database, its conflicts after an update.

Used by tests/test_upgrades.py. Every kind gets the same kinds of edit: a new route in a module of
its own (registered in create_app) and its test, a changed setting, an added dependency (used by
the route, so an install that missed it fails the team's test), and an edited page, schema or
manifest. After an update, a conflict in a file the team edited is resolved as a careful team
does: the template's side of each conflict, with the team's edits of that file made again.
"""

from __future__ import annotations

import ast
import re
import secrets
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flaskstarter.smoke import services
from flaskstarter.smoke.project_env import CommandResult, ProjectEnv, find_uv
from flaskstarter.use_cases import UseCase
from tests.template_repo import TemplateRepo, git

PACKAGE = "demo"
CONFLICT_START = "<<<<<<< before updating"


@dataclass(frozen=True)
class TeamEdit:
    """One change to a generated file; `marker` is text only the edited file holds."""

    path: str
    change: Callable[[str], str]
    marker: str

    def apply(self, project: Path) -> None:
        file = project / self.path
        text = file.read_text()
        changed = self.change(text)
        assert changed != text, f"the team's edit did not apply to {self.path}"
        file.write_text(changed)

    def is_in(self, project: Path) -> bool:
        file = project / self.path
        return file.is_file() and self.marker in file.read_text()


def replace_once(pattern: str, replacement: str) -> Callable[[str], str]:
    """A change that replaces the one match of `pattern` (a regex) by `replacement`."""

    def change(text: str) -> str:
        matches = len(re.findall(pattern, text, flags=re.S))
        assert matches == 1, f"{pattern!r} matches {matches} times, not once"
        return re.sub(pattern, replacement, text, count=1, flags=re.S)

    return change


def after_last_import(line: str) -> Callable[[str], str]:
    """A change that adds an import line after the module's last top-level import."""

    def change(text: str) -> str:
        body = ast.parse(text).body
        imports = [node for node in body if isinstance(node, ast.Import | ast.ImportFrom)]
        assert imports, "no top-level import"
        end = max(node.end_lineno or node.lineno for node in imports)
        lines = text.splitlines(keepends=True)
        return "".join([*lines[:end], line + "\n", *lines[end:]])

    return change


def before_return_in(function: str, line: str) -> Callable[[str], str]:
    """A change that adds a statement just before `function`'s final `return`."""

    def change(text: str) -> str:
        found = [
            node
            for node in ast.parse(text).body
            if isinstance(node, ast.FunctionDef) and node.name == function
        ]
        assert found, f"no function {function}"
        last = found[0].body[-1]
        assert isinstance(last, ast.Return), f"{function} does not end with a return"
        lines = text.splitlines(keepends=True)
        indent = " " * last.col_offset
        index = last.lineno - 1
        return "".join([*lines[:index], indent + line + "\n", *lines[index:]])

    return change


# --- The team's work, the same kinds of edit for every kind of project

TEAM_MODULE = f"{PACKAGE}/team.py"
TEAM_MODULE_TEXT = '''"""The team's own routes."""

import humanize
from flask import Blueprint

bp = Blueprint("team", __name__)


@bp.get("/team-status")
def team_status() -> dict[str, str]:
    return {"status": "ours", "visits": humanize.intcomma(1234)}
'''
TEAM_TEST = "tests/test_team.py"
TEAM_TEST_TEXT = """from flask.testing import FlaskClient


def test_the_team_status_route_answers_with_our_status(client: FlaskClient) -> None:
    response = client.get("/team-status")
    assert response.get_json() == {"status": "ours", "visits": "1,234"}
"""
TEAM_FILES = {TEAM_MODULE: TEAM_MODULE_TEXT, TEAM_TEST: TEAM_TEST_TEXT}

ROUTE_IMPORT = TeamEdit(
    f"{PACKAGE}/__init__.py",
    after_last_import("from .team import bp as team_bp"),
    "from .team import bp as team_bp",
)
ROUTE_REGISTERED = TeamEdit(
    f"{PACKAGE}/__init__.py",
    before_return_in("create_app", "app.register_blueprint(team_bp)"),
    "app.register_blueprint(team_bp)",
)
DEPENDENCY = TeamEdit(
    "pyproject.toml",
    replace_once(r"dependencies = \[\n", '\\g<0>    "humanize>=4.9,<5",\n'),
    '"humanize>=4.9,<5",',
)
THREADS = TeamEdit(
    "gunicorn.conf.py",
    replace_once(r'"GUNICORN_THREADS", "\d+"', '"GUNICORN_THREADS", "8"'),
    '"GUNICORN_THREADS", "8"',
)

TEAM_EDITS: dict[UseCase, tuple[TeamEdit, ...]] = {
    UseCase.WEBSITE: (
        ROUTE_IMPORT,
        ROUTE_REGISTERED,
        DEPENDENCY,
        THREADS,
        TeamEdit(
            f"{PACKAGE}/templates/main/about.html",
            replace_once(
                r"This page is the place to say who you are.*?a way to reach you\.",
                "We are the team behind this site: we answer every message within a day.",
            ),
            "we answer every message within a day",
        ),
    ),
    UseCase.REST_API: (
        ROUTE_IMPORT,
        ROUTE_REGISTERED,
        DEPENDENCY,
        THREADS,
        TeamEdit(
            f"{PACKAGE}/schemas.py",
            replace_once(r'"example": "First one"', '"example": "The team\'s first item"'),
            "The team's first item",
        ),
    ),
    UseCase.PROTOTYPE: (
        ROUTE_IMPORT,
        ROUTE_REGISTERED,
        DEPENDENCY,
        TeamEdit(
            f"{PACKAGE}/__init__.py",
            replace_once(r"MAX_NOTE_LENGTH = 500\b", "MAX_NOTE_LENGTH = 1000"),
            "MAX_NOTE_LENGTH = 1000",
        ),
        TeamEdit(
            f"{PACKAGE}/templates/index.html",
            replace_once(
                r'<label for="text">New note</label>', '<label for="text">Our note</label>'
            ),
            '<label for="text">Our note</label>',
        ),
    ),
    UseCase.MICROSERVICE: (
        ROUTE_IMPORT,
        ROUTE_REGISTERED,
        DEPENDENCY,
        THREADS,
        TeamEdit(
            "k8s/deployment.yaml",
            replace_once(r"\n  replicas: 2\n", "\n  replicas: 3\n"),
            "\n  replicas: 3\n",
        ),
    ),
}


@dataclass(frozen=True)
class TeamWork:
    """The team's files and edits for one project."""

    files: dict[str, str]
    edits: tuple[TeamEdit, ...]

    @classmethod
    def of(cls, use_case: UseCase, answers: dict[str, Any]) -> TeamWork:
        """The work for `use_case`; a manifest edit only where there are manifests."""
        edits = tuple(
            edit
            for edit in TEAM_EDITS[use_case]
            if not (edit.path.startswith("k8s/") and answers.get("kubernetes") is False)
        )
        return cls(TEAM_FILES, edits)

    @property
    def paths(self) -> set[str]:
        return set(self.files) | {edit.path for edit in self.edits}

    def make(self, project: Path) -> None:
        """Write the team's files and edits into the project and commit them."""
        for path, text in self.files.items():
            (project / path).write_text(text)
        for edit in self.edits:
            edit.apply(project)
        git(project, "add", "--all")
        git(project, "commit", "--quiet", "-m", "The team's work")

    def missing(self, project: Path) -> list[str]:
        """What of the work the project no longer holds (empty when all is there)."""
        missing = [
            path for path, text in self.files.items() if (project / path).read_text() != text
        ]
        missing += [f"{e.path}: {e.marker.strip()}" for e in self.edits if not e.is_in(project)]
        return missing

    def resolve(self, project: Path, files: list[str]) -> None:
        """Resolve each conflict as a team would: the template's side, the team's edits redone.

        A hunk conflicts because the template changed lines next to (or the same as) the team's;
        taking the template's side there and making the team's edits of that file again keeps
        both.
        """
        for path in files:
            file = project / path
            file.write_text(_CONFLICT.sub(lambda match: match["template"], file.read_text()))
            for edit in self.edits:
                if edit.path == path and not edit.is_in(project):
                    edit.apply(project)
            assert CONFLICT_START not in file.read_text(), f"{path}: a conflict is left"
        git(project, "add", "--all")


def refuse_commas_in_descriptions(repo: TemplateRepo) -> None:
    """Make the template's next version refuse a description an earlier one accepted."""
    config = repo.path / "copier.yml"
    old = "{% if description | length > 300 %}"
    new = (
        "{% if ',' in description %}The description must not contain commas.\n"
        "    {%- elif description | length > 300 %}"
    )
    text = config.read_text()
    assert old in text, f"{old!r} not in {config}"
    config.write_text(text.replace(old, new, 1))


# --- Conflicts


def conflicted_files(project: Path) -> list[str]:
    """Files holding Copier's inline conflict markers."""
    listed = subprocess.run(
        ["git", "grep", "-l", "-z", "--untracked", "-e", f"^{CONFLICT_START}"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    return sorted(name for name in listed.stdout.split("\0") if name)


_CONFLICT = re.compile(
    rf"^{CONFLICT_START}\n.*?^=======\n(?P<template>.*?)^>>>>>>> after updating\n",
    flags=re.S | re.M,
)


# --- The database, written before the update and read after it

# Runs in the project's venv: one row in every table (reflected, so it fits any version's
# schema), then, after the update and `flask db upgrade`, every such row read back.
ROWS_SCRIPT = r"""
import datetime, decimal, json, sys, uuid
import sqlalchemy as sa

url, mode, state_path = sys.argv[1:4]
engine = sa.create_engine(url)
metadata = sa.MetaData()
metadata.reflect(engine)
tables = [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def sample(table, column, keys):
    for foreign_key in column.foreign_keys:
        return keys[foreign_key.column.table.name][foreign_key.column.name]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 7
    if isinstance(kind, sa.Numeric):
        return decimal.Decimal("1.5") if kind.asdecimal else 1.5
    if isinstance(kind, sa.DateTime):
        return datetime.datetime(2026, 1, 2, 3, 4, 5)
    if isinstance(kind, sa.Date):
        return datetime.date(2026, 1, 2)
    if isinstance(kind, sa.JSON):
        return {"team": True}
    if isinstance(kind, sa.Uuid):
        return uuid.UUID(int=7)
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    if isinstance(kind, sa.LargeBinary):
        return b"team"
    if isinstance(kind, sa.String):
        text = f"team {table.name} {column.name}"
        return text[: kind.length] if kind.length else text
    raise SystemExit(f"no sample value for {table.name}.{column.name} ({kind!r})")


def plain(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return str(value)


def generated(column):
    return column.primary_key and isinstance(column.type, sa.Integer) and column.autoincrement


with engine.begin() as connection:
    if mode == "write":
        keys, rows = {}, {}
        for table in tables:
            values = {c.name: sample(table, c, keys) for c in table.columns if not generated(c)}
            result = connection.execute(table.insert().values(**values))
            names = [c.name for c in table.primary_key.columns]
            key = dict(zip(names, result.inserted_primary_key))
            keys[table.name] = {**values, **key}
            rows[table.name] = {"key": key, "values": {k: plain(v) for k, v in values.items()}}
        json.dump(rows, open(state_path, "w"), default=str)
        print(f"wrote a row in {len(rows)} table(s): {', '.join(rows)}")
    else:
        rows = json.load(open(state_path))
        lost = []
        for name, row in rows.items():
            table = metadata.tables.get(name)
            if table is None:
                lost.append(f"table {name} is gone")
                continue
            condition = [table.c[column] == value for column, value in row["key"].items()]
            found = connection.execute(sa.select(table).where(*condition)).mappings().first()
            if found is None:
                lost.append(f"{name}: the row {row['key']} is gone")
                continue
            for column, value in row["values"].items():
                if column in found and plain(found[column]) != value:
                    lost.append(f"{name}.{column}: {value!r} became {plain(found[column])!r}")
        if lost:
            raise SystemExit("rows written before the update were lost:\n" + "\n".join(lost))
        print(f"every row written before the update is there ({len(rows)} table(s))")
"""


@dataclass
class ProjectDatabase:
    """The project's development database at a URL of the test's choosing."""

    env: ProjectEnv
    settings: dict[str, str]
    state: Path

    @property
    def url(self) -> str:
        return self.settings["DATABASE_URL"]

    def forward(self) -> CommandResult:
        """`flask db upgrade`, or for the prototype (no migrations) the app's own create_all."""
        if (self.env.project / "migrations").is_dir():
            return self.env.run("flask", "--app", PACKAGE, "db", "upgrade", env=self.settings)
        script = f"from {PACKAGE} import create_app; create_app()"
        return self.env.run("python", "-c", script, env=self.settings)

    def check(self) -> CommandResult:
        """`flask db check`: the migrated schema is the models' (no upgrade operations left)."""
        return self.env.run("flask", "--app", PACKAGE, "db", "check", env=self.settings)

    def write_rows(self) -> CommandResult:
        return self.env.run("python", "-c", ROWS_SCRIPT, self.url, "write", str(self.state))

    def rows_kept(self) -> CommandResult:
        return self.env.run("python", "-c", ROWS_SCRIPT, self.url, "read", str(self.state))


@contextmanager
def project_database(
    env: ProjectEnv, answers: dict[str, Any], folder: Path
) -> Iterator[ProjectDatabase]:
    """A development database for the project: a SQLite file, or a fresh PostgreSQL database."""
    settings = {"APP_ENV": "development", "SECRET_KEY": secrets.token_hex(32)}
    if answers.get("cache") == "redis" or answers.get("worker") == "celery":
        settings["REDIS_URL"] = services.with_redis_db(
            services.redis().url, 1 + secrets.randbelow(15)
        )
    state = folder / "rows.json"
    if answers.get("database") != "postgresql":
        settings["DATABASE_URL"] = f"sqlite:///{folder / 'team.db'}"
        yield ProjectDatabase(env, settings, state)
        return
    admin_url = services.postgres().url
    name = services.scratch_database_name()
    _postgres_admin(env, admin_url, f'CREATE DATABASE "{name}"')
    try:
        # The project's own tests keep to their in-memory SQLite: this database holds the rows.
        settings["DATABASE_URL"] = services.with_database(admin_url, name, driver="psycopg")
        yield ProjectDatabase(env, settings, state)
    finally:
        _postgres_admin(env, admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_admin(env: ProjectEnv, admin_url: str, statement: str) -> None:
    script = (
        "import psycopg, sys\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c: c.execute(sys.argv[2])"
    )
    result = env.run("python", "-c", script, admin_url, statement, timeout=60)
    assert result.ok, f"PostgreSQL at {admin_url}: {result.tail(3)}"


# What a team changes after the update because the new template asks for it (reported in
# README.md, "Upgrades"): the microservice's new test_api.py requires every route to be in the
# OpenAPI document or in its UNDOCUMENTED set, and the team's plain-Flask route is in neither.
AFTER_UPDATE: dict[UseCase, tuple[TeamEdit, ...]] = {
    UseCase.MICROSERVICE: (
        TeamEdit(
            "tests/test_api.py",
            replace_once(r"UNDOCUMENTED = \{", 'UNDOCUMENTED = {"team.team_status", '),
            '"team.team_status"',
        ),
    ),
}


def reinstall(env: ProjectEnv) -> CommandResult:
    """Install the updated project into its venv again, as a team does after `copier update`."""
    uv = find_uv()
    python = str(env.bin / "python")
    if uv:
        return env.run(uv, "pip", "install", "--quiet", "--python", python, "-e", ".[dev]")
    return env.run(python, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
