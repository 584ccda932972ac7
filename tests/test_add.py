"""`flaskstarter add`: what it accepts, what it refuses, and what it writes (issue #16).

These render into projects made from a plain copy of the templates; the slow tests in
test_add_served.py install what add wrote, run its tests and serve it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from flaskstarter.add import AddError, AddRequest, add_to_project
from flaskstarter.add.fields import Field, parse_field
from flaskstarter.questions import load_questions
from flaskstarter.template_source import bundled_template_root, explicit_source
from tests.helpers import run_cli, snapshot_all
from tests.template_repo import TemplateRepo, git

COPIER = str(Path(sys.executable).parent / "copier")
RUFF = str(Path(sys.executable).parent / "ruff")

# The newest migration of a rest_api project (migrations/versions/5d1e8c2f4a90_...).
REST_API_HEAD = "5d1e8c2f4a90"
RESOURCE_FILES = [
    ".copier-answers.resource-authors.yml",
    "migrations/versions/{revision}_create_the_authors_table.py",
    "shop/api/authors/__init__.py",
    "shop/api/authors/models.py",
    "shop/api/authors/schemas.py",
    "shop/api/authors/views.py",
    "tests/test_authors.py",
]


def _render(template: Path, destination: Path, answers: dict[str, Any]) -> Path:
    copier.run_copy(
        str(template),
        str(destination),
        data={"project_name": "Shop", **answers},
        defaults=True,
        quiet=True,
        unsafe=False,
    )
    git(destination, "init", "--quiet", "--initial-branch=main")
    git(destination, "add", "--all")
    git(destination, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "1")
    return destination


@pytest.fixture(scope="module")
def rendered(plain_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One committed project per kind, made once; tests work on copies."""
    root = tmp_path_factory.mktemp("projects")
    answers = {
        "rest_api": {"use_case": "rest_api", "api_auth": "api_key"},
        "microservice": {"use_case": "microservice", "database": "sqlite"},
        "flask-restful": {"use_case": "rest_api", "api_framework": "flask-restful"},
        "microservice-no-db": {"use_case": "microservice"},
        "website": {"use_case": "website"},
    }
    return {name: _render(plain_template, root / name, one) for name, one in answers.items()}


@pytest.fixture
def shop(rendered: dict[str, Path], tmp_path: Path) -> Path:
    """A committed rest_api project (flask-smorest, API keys) of its own."""
    return Path(shutil.copytree(rendered["rest_api"], tmp_path / "shop", symlinks=True))


@pytest.fixture
def add(plain_template: Path) -> Any:
    """add_to_project from the plain templates, as the CLI calls it."""

    def add_one(project: Path, generator: str, name: str, *fields: str, **options: Any) -> Any:
        source = explicit_source(str(plain_template), None)
        return add_to_project(
            AddRequest(generator, name, list(fields), project, source=source, **options)
        )

    return add_one


def _files(project: Path) -> dict[str, str]:
    """Every file and folder, but git's index (`git status` refreshes its timestamps)."""
    return {path: entry for path, entry in snapshot_all(project).items() if path != ".git/index"}


def _answers(project: Path, name: str) -> dict[str, Any]:
    text = (project / f".copier-answers.resource-{name}.yml").read_text()
    answers: dict[str, Any] = yaml.safe_load(text)
    return answers


# --- FIELD:TYPE -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("title:str", Field("title", "str", 255)),
        ("title:str:120", Field("title", "str", 120)),
        ("code:str:8:unique:optional", Field("code", "str", 8, unique=True, optional=True)),
        ("summary:text:optional", Field("summary", "text", optional=True)),
        ("pages:int", Field("pages", "int")),
        ("status:str:20", Field("status", "str", 20)),
        ("price:decimal:unique", Field("price", "decimal", unique=True)),
        ("rating:float", Field("rating", "float")),
        ("done:bool", Field("done", "bool")),
        ("born:date", Field("born", "date")),
        ("at:datetime", Field("at", "datetime")),
        ("authors:ref:optional", Field("authors", "ref", optional=True)),
    ],
)
def test_fields_are_read_as_typed(spec: str, expected: Field) -> None:
    assert parse_field(spec) == expected


@pytest.mark.parametrize(
    ("spec", "expected_error"),
    [
        ("title", "needs a type"),
        ("title:string", "Unknown type 'string'"),
        ("title:str:big", "Unknown modifier 'big'"),
        ("pages:int:120", "Unknown modifier '120'"),
        ("title:str:0", "a str length is from 1 to"),
        ("title:str:" + "9" * 5000, "a str length is from 1 to"),
        ("title:str:unique:unique", "repeats a modifier"),
        ("Title:str", "a field name is lowercase letters"),
        ("9lives:int", "a field name is lowercase letters"),
        ("class:str", "is taken by Python"),
        ("id:int", "is taken by Python or the generated code"),
        ("created_at:datetime", "is taken by Python or the generated code"),
        ("query:str", "is taken by Python or the generated code"),
        ("fields:str", "is taken by Python or the generated code"),
        ("a" * 25 + ":int", "at most 24 characters"),
        ("Authors:ref", "OTHER:ref names something added before"),
    ],
)
def test_bad_fields_are_refused_on_one_line(spec: str, expected_error: str) -> None:
    with pytest.raises(AddError, match=expected_error) as error:
        parse_field(spec)
    assert "\n" not in str(error.value)


def test_the_generator_questions_are_no_project_question() -> None:
    questions = load_questions(bundled_template_root())
    assert not {"generator", "name", "fields", "revision", "down_revision"} & set(questions)


# --- what add writes ------------------------------------------------------------------------


def test_a_resource_is_written_with_its_own_answers_file(shop: Path, add: Any) -> None:
    before = _files(shop)
    result = add(shop, "resource", "authors", "name:str:80:unique", "born:date:optional")

    answers = _answers(shop, "authors")
    expected = [Path(file.format(revision=answers["revision"])) for file in RESOURCE_FILES]
    assert result.files == expected
    assert result.answers_file == ".copier-answers.resource-authors.yml"
    assert {key: answers[key] for key in ("generator", "name", "use_case")} == {
        "generator": "resource",
        "name": "authors",
        "use_case": "rest_api",
    }
    assert answers["fields"] == [
        {"name": "name", "type": "str", "length": 80, "unique": True, "optional": False},
        {"name": "born", "type": "date", "unique": False, "optional": True},
    ]
    # It follows the project's newest migration, and touches no file that was there.
    migration = (shop / result.migration).read_text()
    assert answers["down_revision"] == REST_API_HEAD
    assert f'down_revision = "{REST_API_HEAD}"' in migration
    after = _files(shop)
    assert {path: after[path] for path in before} == before
    assert {str(file) for file in expected} <= set(after) - set(before)


def test_a_reference_names_an_earlier_resource_and_follows_its_migration(
    shop: Path, add: Any
) -> None:
    add(shop, "resource", "authors", "name:str", force=True)
    add(shop, "resource", "books", "title:str:120", "isbn:str:13", "author:ref", force=True)

    books = _answers(shop, "books")
    assert books["fields"][2] == {
        "name": "author_id",
        "type": "ref",
        "ref": "authors",
        "unique": False,
        "optional": False,
    }
    assert books["down_revision"] == _answers(shop, "authors")["revision"]
    views = (shop / "shop/api/books/views.py").read_text()
    assert "from ..authors.models import Author" in views
    schemas = (shop / "shop/api/books/schemas.py").read_text()
    assert "from .models import ISBN_MAX_LENGTH, TITLE_MAX_LENGTH" in schemas  # as ruff sorts


def test_dry_run_lists_the_files_and_writes_nothing(shop: Path, add: Any) -> None:
    before = _files(shop)
    result = add(shop, "resource", "authors", "name:str", dry_run=True)
    assert result.dry_run
    assert Path("shop/api/authors/views.py") in result.files
    assert _files(shop) == before


def test_a_microservice_resource_lives_under_api_v1(
    rendered: dict[str, Path], tmp_path: Path, add: Any
) -> None:
    service = Path(shutil.copytree(rendered["microservice"], tmp_path / "svc", symlinks=True))
    add(service, "resource", "invoices", "code:str:12:unique", "total:decimal")
    views = (service / "shop/api/invoices/views.py").read_text()
    assert 'url_prefix="/api/v1/invoices"' in views
    assert "@bp.etag" in views


# Every type and modifier, references (optional, unique, two in one resource), and the longest
# names: what ruff check and ruff format say of the generated code.
VARIANTS = [
    ("tags", ["label:str:30:unique:optional"]),
    ("flags", ["on:bool"]),
    ("notes", ["summary:text:optional", "due:date:unique", "amount:decimal:optional"]),
    ("marks", ["ratio:float:unique", "at:datetime:unique", "count:int:optional"]),
    ("reviews", ["tags:ref:optional", "flags:ref:unique", "stars:int"]),
    ("very_long_names_x", ["a_really_long_fieldname1:str:10000:optional", "zz_int:int:unique"]),
    ("orders_of_things", ["title:str", "status:str:20", "url:str:2000:unique", "data:bool"]),
    # Everyday names whose singular or class the generated code once used (order, page/Page).
    ("orders", ["placed:datetime", "total:decimal"]),
    ("pages", ["title:str:200:unique", "content:text:optional"]),
]


@pytest.mark.parametrize("kind", ["rest_api", "flask-restful", "microservice"])
def test_every_field_type_and_modifier_is_code_as_ruff_writes_it(
    rendered: dict[str, Path], tmp_path: Path, add: Any, kind: str
) -> None:
    project = Path(shutil.copytree(rendered[kind], tmp_path / "project", symlinks=True))
    for name, fields in VARIANTS:
        add(project, "resource", name, *fields, force=True)
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [RUFF, *command, "."], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


# --- what add refuses, writing nothing ------------------------------------------------------


def _dirty(project: Path) -> None:
    (project / "notes.txt").write_text("work in progress\n")


def _not_a_project(project: Path) -> None:
    (project / ".copier-answers.yml").unlink()


def _package_outside(project: Path) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("package_name: shop", "package_name: ../x"))


def _two_heads(project: Path) -> None:
    versions = project / "migrations" / "versions"
    (versions / "aaaa_branch.py").write_text('revision = "aaaa"\ndown_revision = None\n')


@pytest.mark.parametrize(
    ("args", "spoil", "expected_error"),
    [
        (["resource", "Books", "title:str"], None, "is not a valid resource name"),
        (["resource", "1books", "title:str"], None, "is not a valid resource name"),
        (["resource", "class", "title:str"], None, "Python keyword or builtin"),
        (["resource", "list", "title:str"], None, "Python keyword or builtin"),
        (["resource", "items", "title:str"], None, "is taken in this project"),
        (["resource", "health", "title:str"], None, "is taken in this project"),
        (["resource", "pagination", "title:str"], None, "is taken in this project"),
        (["resource", "alembic_version", "title:str"], None, "is taken in this project"),
        (["resource", "orderings", "title:str"], None, "would name its variables 'ordering'"),
        (["resource", "b" * 19, "title:str"], None, "at most 18 characters"),
        (["resource", "books"], None, "Give the resource's fields"),
        (["resource", "books", "title:strr"], None, "Unknown type 'strr'"),
        (["resource", "books", "title:str:always"], None, "Unknown modifier 'always'"),
        (["resource", "books", "authors:ref"], None, "refers to no resource added before"),
        (["resource", "books", "title:str", "title:text"], None, "Two fields are named"),
        (["resource", "books", *(f"f{n}:int" for n in range(41))], None, "41 fields are too many"),
        (["page", "about_us"], None, "A rest_api project has no page generator; it has resource"),
        (["scaffold", "posts", "title:str"], None, "A rest_api project has no scaffold generator"),
        (["model", "posts", "title:str"], None, "has no generator 'model'"),
        (["resource", "books", "title:str"], _dirty, "has uncommitted changes"),
        (["resource", "books", "title:str"], _not_a_project, "is not a flaskstarter project"),
        (["resource", "books", "title:str"], _two_heads, "The migrations have 2 heads"),
        (["resource", "books", "title:str"], _package_outside, "does not name a flaskstarter kind"),
    ],
)
def test_bad_input_is_refused_on_one_line_writing_nothing(
    shop: Path, args: list[str], spoil: Any, expected_error: str
) -> None:
    if spoil is not None:
        spoil(shop)
    before = _files(shop)
    code, _, err = run_cli("add", *args, "--project", str(shop))
    assert code == 1
    assert expected_error in err
    assert len(err.strip().splitlines()) == 1, err
    assert _files(shop) == before


def test_a_page_is_a_blueprint_a_template_and_a_test(
    rendered: dict[str, Path], tmp_path: Path, add: Any
) -> None:
    site = Path(shutil.copytree(rendered["website"], tmp_path / "site", symlinks=True))
    result = add(site, "page", "our_team")
    assert [str(file) for file in result.files] == [
        ".copier-answers.page-our_team.yml",
        "shop/pages/our_team.py",
        "shop/templates/our_team/index.html",
        "tests/test_our_team.py",
    ]
    assert result.migration is None
    module = (site / "shop/pages/our_team.py").read_text()
    assert 'TITLE = "Our team"' in module
    assert '@bp.get("/our-team")' in module
    # Flask's template is copied as it is, for Flask to render.
    assert "{{ title }}" in (site / "shop/templates/our_team/index.html").read_text()


@pytest.mark.parametrize(
    ("args", "expected_error"),
    [
        (["page", "main"], "is taken in this project"),
        (["page", "errors"], "is taken in this project"),
        (["page", "pages"], "is taken in this project"),
        (["page", "About"], "is not a valid page name"),
        (["page", "faq", "question:str"], "A page takes a name and no fields"),
    ],
)
def test_bad_pages_are_refused(
    rendered: dict[str, Path], args: list[str], expected_error: str
) -> None:
    before = _files(rendered["website"])
    code, _, err = run_cli("add", *args, "--project", str(rendered["website"]))
    assert code == 1
    assert expected_error in err
    assert _files(rendered["website"]) == before


def test_an_addition_cannot_be_added_twice(shop: Path, add: Any) -> None:
    add(shop, "resource", "authors", "name:str")
    with pytest.raises(AddError, match="'authors' was added before"):
        add(shop, "resource", "authors", "name:str", force=True)


def test_force_adds_to_a_dirty_tree(shop: Path, add: Any) -> None:
    _dirty(shop)
    add(shop, "resource", "authors", "name:str", force=True)
    assert (shop / "shop/api/authors/views.py").is_file()


@pytest.mark.parametrize(
    ("kind", "expected_error"),
    [
        ("website", "A website project has no resource generator; it has page and scaffold"),
        ("microservice-no-db", "this microservice has none"),
    ],
)
def test_kinds_without_the_generator_are_refused(
    rendered: dict[str, Path], kind: str, expected_error: str
) -> None:
    before = _files(rendered[kind])
    code, _, err = run_cli(
        "add", "resource", "books", "title:str", "--project", str(rendered[kind])
    )
    assert code == 1
    assert expected_error in err
    assert _files(rendered[kind]) == before


def test_the_cli_lists_what_it_wrote(shop: Path, plain_template: Path) -> None:
    code, out, err = run_cli(
        "add", "resource", "authors", "name:str", "--project", str(shop), "--dry-run"
    )
    assert code == 0, err
    assert "Would write the resource authors:" in out
    assert "shop/api/authors/views.py" in out
    assert not (shop / "shop/api/authors").exists()


def test_the_cli_says_next_what_works_as_pasted(shop: Path) -> None:
    # Generated projects set no FLASK_APP: a bare `flask db upgrade` finds no db command.
    code, out, err = run_cli(
        "add", "resource", "authors", "name:str", "--project", str(shop), "--force"
    )
    assert code == 0, err
    assert "Next: flask --app shop db upgrade, then pytest." in out
    assert "--answers-file .copier-answers.resource-authors.yml" in out


def test_help_shows_add() -> None:
    code, out, _ = run_cli("--help")
    assert code == 0
    assert "flaskstarter add resource books title:str:120 authors:ref" in " ".join(out.split())
    code, out, _ = run_cli("add", "--help")
    assert "FIELD:TYPE" in out


# --- each addition stays updatable ----------------------------------------------------------


def copier_update(project: Path, *options: str) -> None:
    """Plain `copier update --defaults`, as a user runs it in the project."""
    result = subprocess.run(
        [COPIER, "update", "--defaults", *options],
        cwd=project,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# (kind, answers, generator, its name and fields, the folder it writes in the package)
UPDATED_ADDITIONS = [
    ("rest_api", [], "resource", ["authors", "name:str"], "api/authors"),
    ("website", ["-d", "database=sqlite"], "scaffold", ["posts", "title:str"], "pages/posts"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "answers", "generator", "arguments", "folder"),
    UPDATED_ADDITIONS,
    ids=[generator for _, _, generator, _, _ in UPDATED_ADDITIONS],
)
def test_plain_copier_update_of_an_addition_keeps_the_users_edits(
    tmp_path: Path,
    template_repo: TemplateRepo,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    answers: list[str],
    generator: str,
    arguments: list[str],
    folder: str,
) -> None:
    monkeypatch.setenv("FLASKSTARTER_TEMPLATE_URL", template_repo.url)
    project = tmp_path / "shop"
    code, _, err = run_cli(
        "new", str(project), "-k", kind, "-y", "-d", "project_name=Shop", *answers
    )
    assert code == 0, err
    code, _, err = run_cli("add", generator, *arguments, "--project", str(project))
    assert code == 0, err
    name = arguments[0]
    answers_file = f".copier-answers.{generator}-{name}.yml"
    views = project / "shop" / folder / "views.py"
    views.write_text(views.read_text() + "\n\n# Our team's note.\n")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", f"{name}, with our note")
    template_repo.edit(
        f"_generators/{generator}",
        f"{{{{package_name}}}}/{folder.split('/')[0]}/{{{{name}}}}/models.py.jinja",
        '"""The {{ name | replace("_", " ") }} table.',
        '"""The {{ name | replace("_", " ") }} table (v2).',
    )
    template_repo.commit_and_tag("0.2.0")

    copier_update(project, "--answers-file", answers_file)

    models = project / "shop" / folder / "models.py"
    assert models.read_text().startswith(f'"""The {name} table (v2).')
    assert views.read_text().endswith("# Our team's note.\n")
    assert "_commit: v0.2.0" in (project / answers_file).read_text()
    assert "_commit: v0.1.0" in (project / ".copier-answers.yml").read_text()
    assert git(project, "status", "--porcelain").splitlines() == [
        f" M {answers_file}",
        f" M shop/{folder}/models.py",
    ]

    # The project's own update leaves the addition alone, and nothing conflicts.
    git(project, "commit", "--quiet", "-am", f"{name} at v0.2.0")
    copier_update(project, "--conflict", "inline")
    assert git(project, "status", "--porcelain").splitlines() == [" M .copier-answers.yml"]
