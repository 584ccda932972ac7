"""`flaskstarter add scaffold`: HTML pages and forms for a table in a website with a database.

These render into projects made from a plain copy of the templates; test_scaffold_served.py
installs what add wrote, runs the project's own tests, ruff and mypy, and serves it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from flaskstarter.add import AddRequest, add_to_project
from flaskstarter.template_source import explicit_source
from tests.helpers import run_cli
from tests.test_add import _files, _render

RUFF = str(Path(sys.executable).parent / "ruff")
# The newest migration of a website with accounts, and of one without.
ACCOUNTS_HEAD = "7c1f3b2e9a4d"
INITIAL_HEAD = "e8da7d3b3a43"


@pytest.fixture(scope="module")
def sites(plain_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Committed websites made once (accounts on, off, no database); tests work on copies."""
    root = tmp_path_factory.mktemp("sites")
    answers: dict[str, dict[str, Any]] = {
        "accounts": {"use_case": "website", "database": "sqlite"},
        "open": {"use_case": "website", "database": "postgresql", "auth": False},
        "no-db": {"use_case": "website", "database": "none"},
    }
    return {name: _render(plain_template, root / name, one) for name, one in answers.items()}


@pytest.fixture
def site(sites: dict[str, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(sites["accounts"], tmp_path / "site", symlinks=True))


@pytest.fixture
def add(plain_template: Path) -> Any:
    def add_one(project: Path, name: str, *fields: str, **options: Any) -> Any:
        source = explicit_source(str(plain_template), None)
        request = AddRequest("scaffold", name, list(fields), project, source=source, **options)
        return add_to_project(request)

    return add_one


def _answers(project: Path, name: str) -> dict[str, Any]:
    text = (project / f".copier-answers.scaffold-{name}.yml").read_text()
    answers: dict[str, Any] = yaml.safe_load(text)
    return answers


def test_a_scaffold_is_a_package_its_templates_a_migration_and_tests(site: Path, add: Any) -> None:
    before = _files(site)
    result = add(site, "posts", "title:str:120", "body:text")

    answers = _answers(site, "posts")
    assert [str(file) for file in result.files] == [
        ".copier-answers.scaffold-posts.yml",
        f"migrations/versions/{answers['revision']}_create_the_posts_table.py",
        "shop/pages/posts/__init__.py",
        "shop/pages/posts/forms.py",
        "shop/pages/posts/models.py",
        "shop/pages/posts/views.py",
        "shop/templates/posts/form.html",
        "shop/templates/posts/index.html",
        "shop/templates/posts/show.html",
        "tests/test_posts.py",
    ]
    assert {key: answers[key] for key in ("generator", "name", "down_revision")} == {
        "generator": "scaffold",
        "name": "posts",
        "down_revision": ACCOUNTS_HEAD,
    }
    assert answers["fields"][0] == {
        "name": "title", "type": "str", "length": 120, "unique": False, "optional": False
    }  # fmt: skip
    views = (site / "shop/pages/posts/views.py").read_text()
    assert "@login_required" in views
    assert "abort(403)" in views
    assert 'url_prefix="/posts"' in views
    assert "db.paginate(" in views
    model = (site / "shop/pages/posts/models.py").read_text()
    assert 'ForeignKey("user_account.id", ondelete="CASCADE")' in model
    # Flask renders the HTML: what reaches the project is Flask's Jinja, not Copier's.
    show = (site / "shop/templates/posts/show.html").read_text()
    assert "{{ post.title }}" in show
    assert "{{ csrf_token() }}" in show
    after = _files(site)
    assert {path: after[path] for path in before} == before


def test_without_accounts_writes_are_open_but_guarded(
    sites: dict[str, Path], tmp_path: Path, add: Any
) -> None:
    site = Path(shutil.copytree(sites["open"], tmp_path / "site", symlinks=True))
    add(site, "notes", "text:text")
    views = (site / "shop/pages/notes/views.py").read_text()
    assert "login_required" not in views
    assert "rate-limited per client" in views
    assert "@limiter.limit(WRITES_PER_CLIENT" in views
    assert "owner_id" not in (site / "shop/pages/notes/models.py").read_text()
    assert _answers(site, "notes")["down_revision"] == INITIAL_HEAD


def test_a_reference_is_a_select_of_an_earlier_scaffold(site: Path, add: Any) -> None:
    add(site, "authors", "name:str", force=True)
    add(site, "books", "title:str", "authors:ref", force=True)
    books = _answers(site, "books")
    assert books["fields"][1] == {
        "name": "author_id", "type": "ref", "ref": "authors", "unique": False, "optional": False
    }  # fmt: skip
    assert books["down_revision"] == _answers(site, "authors")["revision"]
    forms = (site / "shop/pages/books/forms.py").read_text()
    assert "from ..authors.models import Author" in forms
    assert "self.author_id.choices = choices(Author)" in forms


def test_dry_run_lists_the_files_and_writes_nothing(site: Path, add: Any) -> None:
    before = _files(site)
    result = add(site, "posts", "title:str", dry_run=True)
    assert Path("shop/pages/posts/views.py") in result.files
    assert _files(site) == before


@pytest.mark.parametrize(
    ("site_kind", "args", "expected_error"),
    [
        ("no-db", ["posts", "title:str"], "this website has none"),
        ("accounts", ["posts"], "Give the scaffold's fields"),
        ("accounts", ["Posts", "title:str"], "is not a valid scaffold name"),
        ("accounts", ["class", "title:str"], "Python keyword or builtin"),
        ("accounts", ["contact", "title:str"], "is taken in this project"),
        ("accounts", ["auth", "title:str"], "is taken in this project"),
        ("accounts", ["users", "title:str"], "which a scaffold's code already uses"),
        ("accounts", ["fields", "title:str"], "would name its variables 'field'"),
        ("accounts", ["posts", "title:strr"], "Unknown type 'strr'"),
        ("accounts", ["posts", "owner_id:int"], "is taken by Python or the generated code"),
        ("accounts", ["posts", "authors:ref"], "refers to no scaffold added before"),
        ("accounts", ["posts", "title:str", "title:text"], "Two fields are named"),
    ],
)
def test_bad_scaffolds_are_refused_on_one_line_writing_nothing(
    sites: dict[str, Path], site_kind: str, args: list[str], expected_error: str
) -> None:
    project = sites[site_kind]
    before = _files(project)
    code, _, err = run_cli("add", "scaffold", *args, "--project", str(project))
    assert code == 1
    assert expected_error in err
    assert len(err.strip().splitlines()) == 1, err
    assert _files(project) == before


# Every type and modifier, references (optional, unique, two in one scaffold), the longest names.
VARIANTS = [
    ("tags", ["label:str:30:unique:optional"]),
    ("flags", ["on:bool"]),
    ("notes", ["summary:text:optional", "due:date:unique", "amount:decimal:optional"]),
    ("marks", ["ratio:float:unique", "at:datetime:unique", "count:int:optional"]),
    ("reviews", ["tags:ref:optional", "flags:ref:unique", "stars:int"]),
    ("very_long_names_x", ["a_really_long_fieldname1:str:10000:optional", "zz_int:int:unique"]),
]


@pytest.mark.parametrize("kind", ["accounts", "open"])
def test_every_field_type_and_modifier_is_code_as_ruff_writes_it(
    sites: dict[str, Path], tmp_path: Path, add: Any, kind: str
) -> None:
    project = Path(shutil.copytree(sites[kind], tmp_path / "project", symlinks=True))
    for name, fields in VARIANTS:
        add(project, name, *fields, force=True)
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [RUFF, *command, "."], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
