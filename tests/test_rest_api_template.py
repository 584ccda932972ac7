"""The rest_api template: files per answer, a pairwise-covering set served end to end and
attacked (tests/rest_api_attacks.py), schema-driven fuzzing of both frameworks, the docs page in
a browser, and `copier update`. (Its README's commands: tests/test_readme_commands.py.)"""

from __future__ import annotations

import py_compile
import re
import secrets
import subprocess
import sys
import tomllib
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml

from flaskstarter.smoke import run_smoke
from flaskstarter.smoke.serve import served
from tests.helpers import claimed_combinations, in_slow_layers
from tests.nginx_proxy import check_compose_proxy
from tests.rest_api_attacks import ATTACKS, ATTACKS_SERVED_AGAIN
from tests.rest_api_served import (
    install,
    migrate,
    open_docs,
    postgres_database,
    production,
    run_schemathesis,
    token_headers,
)
from tests.served_checks import HOSTILE_TEXT, under_load
from tests.template_repo import TemplateRepo, git

BIN = Path(sys.executable).parent

DEFAULTS = {
    "api_framework": "flask-smorest",
    "api_auth": "none",
    "cors": False,
    "rate_limit": False,
    "database": "sqlite",
    "resource_name": "items",
}
# Each row's singular and model class, as the generated code names them.
NAMES = {"items": ("item", "Item"), "categories": ("category", "Category")}
NAMES |= {"order_lines": ("order_line", "OrderLine"), "people": ("people", "People")}

ALWAYS = {
    ".copier-answers.yml",
    ".dockerignore",
    ".env.example",
    ".github/workflows/ci.yml",
    ".github/workflows/template-update.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Dockerfile",
    "README.md",
    "deploy/nginx/default.conf.template",
    "gunicorn.conf.py",
    "pyproject.toml",
    "migrations/README",
    "migrations/alembic.ini",
    "migrations/env.py",
    "migrations/script.py.mako",
    "migrations/versions/0c434f7d6a40_create_the_{res}_table.py",
    "migrations/versions/5d1e8c2f4a90_count_the_versions_of_{res}.py",
    "{pkg}/__init__.py",
    "{pkg}/api/__init__.py",
    "{pkg}/api/{res}.py",
    "{pkg}/config.py",
    "{pkg}/docs.py",
    "{pkg}/etags.py",
    "{pkg}/extensions.py",
    "{pkg}/health.py",
    "{pkg}/models.py",
    "{pkg}/openapi.py",
    "{pkg}/pagination.py",
    "{pkg}/problems.py",
    "{pkg}/schemas.py",
    "{pkg}/security.py",
    "{pkg}/static/docs.css",
    "{pkg}/static/docs.js",
    "{pkg}/templates/docs/index.html",
    "{pkg}/wsgi.py",
    "tests/conftest.py",
    "tests/test_config.py",
    "tests/test_health.py",
    "tests/test_migrations.py",
    "tests/test_openapi.py",
    "tests/test_pagination.py",
    "tests/test_problems.py",
    "tests/test_{res}.py",
}


def answers_of(row: dict[str, Any]) -> dict[str, Any]:
    return {**DEFAULTS, **row}


def render(copie: Any, **answers: Any) -> Any:
    result = copie.copy(extra_answers={"use_case": "rest_api", **answers}, vcs_ref="HEAD")
    assert result.exit_code == 0, result.exception
    return result


def expected_files(answers: dict[str, Any], package: str) -> set[str]:
    files = set(ALWAYS)
    if answers["api_auth"] != "none":
        files |= {"{pkg}/auth.py", "tests/test_auth.py"}
    if answers["cors"]:
        files.add("tests/test_cors.py")
    if answers["rate_limit"]:
        files.add("tests/test_rate_limit.py")
    if answers["database"] == "postgresql":
        files.add("compose.yaml")
    return {name.format(pkg=package, res=answers["resource_name"]) for name in files}


@pytest.mark.parametrize("row", claimed_combinations("rest_api"))
def test_each_answer_set_renders_a_valid_project_with_what_it_needs(
    copie: Any, row: dict[str, Any]
) -> None:
    answers = answers_of(row)
    project: Path = render(copie, project_name="Row API", **row).project_dir

    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert files == expected_files(answers, "row_api")
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["use_case"] == "rest_api"
    assert {key: recorded[key] for key in DEFAULTS} == answers

    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        yaml.safe_load(path.read_text())
    assert_valid(project / ".github" / "workflows" / "ci.yml", "vendor.github-workflows")
    if answers["database"] == "postgresql":
        assert_valid(project / "compose.yaml", "vendor.compose-spec")

    # .env.example: every setting a development run needs; `new` fills the empty secrets.
    lines = (project / ".env.example").read_text().splitlines()
    settings = dict(line.split("=", 1) for line in lines if re.match(r"[A-Z_]+=", line))
    expected_settings = {"APP_ENV": "development", "SECRET_KEY": ""}
    if answers["database"] == "postgresql":
        url = "postgresql+psycopg://postgres@localhost:5432/row_api"
        expected_settings["DATABASE_URL"] = url
    if answers["api_auth"] == "jwt":
        expected_settings |= {"API_USERNAME": "admin", "API_PASSWORD": "", "JWT_SECRET_KEY": ""}
    if answers["api_auth"] == "api_key":
        expected_settings["API_KEYS"] = ""
    if answers["cors"]:
        expected_settings["CORS_ORIGINS"] = "http://localhost:3000"
    if answers["rate_limit"]:
        expected_settings["RATELIMIT_DEFAULT"] = '"100 per minute"'
    if answers["api_auth"] != "none":
        expected_settings["RATELIMIT_AUTH_FAILURES"] = '"5 per 5 minutes"'
    if answers["rate_limit"] or answers["api_auth"] != "none":
        expected_settings["RATELIMIT_STORAGE_URI"] = "memory://"
    assert settings == expected_settings

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    requirements = {re.split(r"[\[<>=;]", dep)[0] for dep in pyproject["project"]["dependencies"]}
    expected = {
        "flask-smorest": answers["api_framework"] == "flask-smorest",
        "flask-restful": answers["api_framework"] == "flask-restful",
        "apispec": answers["api_framework"] == "flask-restful",
        "psycopg": answers["database"] == "postgresql",
        "flask-jwt-extended": answers["api_auth"] == "jwt",
        "flask-cors": answers["cors"],
        "flask-limiter": answers["rate_limit"] or answers["api_auth"] != "none",
        "flask-migrate": True,
        "flask-swagger-ui": True,
    }
    assert {name: name in requirements for name in expected} == expected


def assert_valid(path: Path, builtin_schema: str) -> None:
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", builtin_schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("resource", sorted(NAMES))
def test_code_urls_and_table_are_named_after_the_resource(copie: Any, resource: str) -> None:
    singular, model = NAMES[resource]
    project: Path = render(copie, project_name="Names", resource_name=resource).project_dir

    assert f"class {model}(db.Model)" in (project / "names" / "models.py").read_text()
    assert f'__tablename__ = "{resource}"' in (project / "names" / "models.py").read_text()
    view = (project / "names" / "api" / f"{resource}.py").read_text()
    assert f'url_prefix="/api/{resource}"' in view
    assert f"{singular}_id" in view
    migration = project / "migrations" / "versions" / f"0c434f7d6a40_create_the_{resource}_table.py"
    assert f'op.create_table(\n        "{resource}",' in migration.read_text()
    assert f"localhost:5000/api/{resource}" in (project / "README.md").read_text()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Items", "not a valid resource name"),
        ("x" * 41, "at most 40 characters"),
        ("classes", "would clash"),
        ("errors", "would clash"),
        ("health", "would clash"),
        ("problems", "would clash"),
        ("data", "would clash"),
        ("location_urls", "would clash"),
        ("tokens", "model class Token"),
        ("page_metas", "model class PageMeta"),
    ],
)
def test_resource_names_that_would_break_the_project_are_refused(
    copie: Any, name: str, message: str
) -> None:
    result = copie.copy(
        extra_answers={"use_case": "rest_api", "resource_name": name}, vcs_ref="HEAD"
    )
    assert result.exit_code != 0
    assert message in str(result.exception)


# Names earlier releases accepted, whose singular (order, version, location, page) or class
# (Page) the generated code once used itself: a project made with one must take every update.
@pytest.mark.parametrize("framework", ["flask-smorest", "flask-restful"])
@pytest.mark.parametrize("resource", ["orders", "versions", "locations", "pages"])
def test_everyday_resource_names_give_code_as_ruff_writes_it(
    copie: Any, resource: str, framework: str
) -> None:
    answers = {"api_framework": framework, "api_auth": "jwt", "resource_name": resource}
    project: Path = render(copie, project_name="Names", **answers).project_dir
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [str(BIN / "ruff"), *command, "--no-cache", "."],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_rest_api_needs_a_database(copie: Any) -> None:
    result = copie.copy(extra_answers={"use_case": "rest_api", "database": "none"}, vcs_ref="HEAD")
    assert result.exit_code != 0
    assert "choose sqlite or postgresql" in str(result.exception)


def test_compose_publishes_postgresql_on_loopback_only_and_says_it_has_no_password(
    copie: Any,
) -> None:
    project: Path = render(copie, project_name="Compose API", database="postgresql").project_dir
    text = (project / "compose.yaml").read_text()
    services = yaml.safe_load(text)["services"]
    published = [
        (name, str(port)) for name, service in services.items() for port in service.get("ports", [])
    ]
    assert published and all(port.startswith("127.0.0.1:") for _, port in published), published
    check_compose_proxy({"services": services})
    database = services["db"]["environment"]
    assert "POSTGRES_PASSWORD" not in database
    assert database["POSTGRES_HOST_AUTH_METHOD"] == "trust"
    assert "The database has no password" in text
    env_example = (project / ".env.example").read_text()
    assert "DATABASE_URL=postgresql+psycopg://postgres@localhost:5432/compose_api" in env_example


def test_free_text_reaches_the_api_title_exactly(copie: Any) -> None:
    name = 'Quotes " and \\ and \u00e9 \U0001f680'
    project: Path = render(copie, project_name=name, package_name="quotes").project_dir

    source = (project / "quotes" / "config.py").read_text()
    line = next(line.strip() for line in source.splitlines() if "API_TITLE = " in line)
    namespace: dict[str, object] = {}
    exec(line, namespace)  # a literal from our own generated file
    assert namespace["API_TITLE"] == name


# --- Slow: install, test, lint, migrate and serve each pairwise row through the smoke harness.


@pytest.mark.slow
@pytest.mark.parametrize("row", claimed_combinations("rest_api"))
def test_the_pairwise_set_with_hostile_text_passes_the_smoke_harness_and_a_load(
    request: pytest.FixtureRequest, row: dict[str, Any]
) -> None:
    # Skip on a laptop without the services the row needs; fail in CI.
    if answers_of(row)["database"] == "postgresql":
        request.getfixturevalue("postgres_url")
    if answers_of(row)["rate_limit"] or answers_of(row)["api_auth"] != "none":
        request.getfixturevalue("redis_url")
    answers = {**HOSTILE_TEXT, "package_name": "smoke_api", **row}
    load = in_slow_layers("rest_api", row)
    attacks = ATTACKS + (ATTACKS_SERVED_AGAIN if load else ())
    report = run_smoke("rest_api", answers, while_serving=under_load(*attacks, load=load))
    assert report.ok, report.summary()


# --- Slow: schemathesis fuzzes each framework's API, served by gunicorn, from its own document.

FUZZ_CASES = {
    # PostgreSQL finds what SQLite forgives (NUL bytes, integer overflow); the project's own
    # suite runs on it first, through TEST_DATABASE_URL.
    "smorest-jwt-postgresql": {
        "api_auth": "jwt",
        "cors": True,
        "rate_limit": True,
        "database": "postgresql",
        "resource_name": "categories",
    },
    "restful-apikey-sqlite": {
        "api_framework": "flask-restful",
        "api_auth": "api_key",
        "resource_name": "order_lines",
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("row", FUZZ_CASES.values(), ids=FUZZ_CASES.keys())
def test_schemathesis_finds_no_server_error_and_no_undocumented_response(
    request: pytest.FixtureRequest, copie: Any, tmp_path: Path, row: dict[str, Any]
) -> None:
    answers = answers_of(row)
    project: Path = render(copie, project_name="Fuzzed API", **row).project_dir
    env = install(project, tmp_path / "venv")
    # Production refuses credentials shorter than 32 characters.
    settings = {"API_KEYS": secrets.token_hex(32), "API_USERNAME": "fuzzer"}
    settings |= {"API_PASSWORD": secrets.token_hex(32)}
    # Limits are tested by the project's own suite and the smoke runs; here they would only
    # hide the logic.
    settings |= {"RATELIMIT_DEFAULT": "100000/minute", "RATELIMIT_AUTH_FAILURES": "100000/minute"}

    with ExitStack() as databases:
        if answers["database"] == "postgresql":
            settings["DATABASE_URL"] = databases.enter_context(postgres_database(request))
            test_database = {
                "TEST_DATABASE_URL": databases.enter_context(postgres_database(request))
            }
            suite = env.run("pytest", "-q", "-p", "no:cacheprovider", env=test_database)
            assert suite.ok, suite.tail(40)
        migrate(env, "fuzzed_api", settings)
        with served(env, "fuzzed_api", production(settings), tmp_path / "gunicorn.log") as base_url:
            headers = token_headers(answers["api_auth"], base_url, settings)
            outcome = run_schemathesis(base_url, headers, tmp_path)
    log = (tmp_path / "gunicorn.log").read_text()

    assert outcome.returncode == 0, outcome.stdout[-6000:]
    assert "No issues found" in outcome.stdout
    assert "Traceback" not in log, log[-4000:]


# --- Slow: the docs page, in a real browser, with no network beyond the app itself.


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("framework", ["flask-smorest", "flask-restful"])
def test_the_docs_page_shows_every_operation_from_the_app_alone(
    copie: Any, tmp_path: Path, chromium: str, framework: str
) -> None:
    project: Path = render(
        copie, project_name="Docs API", api_framework=framework, api_auth="jwt"
    ).project_dir
    env = install(project, tmp_path / "venv")
    migrate(env, "docs_api", {})
    with served(env, "docs_api", production({}), tmp_path / "gunicorn.log") as base_url:
        docs = open_docs(chromium, base_url, tmp_path / "docs.png")

    assert docs.operations == 7  # six on the resource, plus the token endpoint
    assert docs.fallback_hidden
    assert docs.problems == []
    assert docs.foreign_requests == []


# --- Slow: months later, plain `copier update` takes a template change and keeps the user's.

UPDATE_ANSWERS = {"api_framework": "flask-restful", "api_auth": "api_key", "resource_name": "books"}


@pytest.mark.slow
def test_copier_update_keeps_user_edits_and_applies_template_changes(
    tmp_path: Path, template_repo: TemplateRepo
) -> None:
    project = tmp_path / "library"
    data = [f"--data={key}={value}" for key, value in UPDATE_ANSWERS.items()]
    copy = subprocess.run(
        [str(BIN / "copier"), "copy", "--defaults", "--vcs-ref", "v0.1.0",
         "--data=use_case=rest_api", "--data=project_name=Library", *data,
         template_repo.url, str(project)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert copy.returncode == 0, copy.stderr
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Generated")

    schemas = project / "library" / "schemas.py"
    user_edit = '"Unique name, as shown to readers"'
    schemas.write_text(schemas.read_text().replace('"Unique name"', user_edit))
    git(project, "commit", "--quiet", "-am", "Our wording")

    template_repo.edit(
        "rest_api",
        "{{package_name}}/schemas.py.jinja",
        "SORT_KEYS = (",
        "# Template v0.2.0: change it in one place.\nSORT_KEYS = (",
    )
    template_repo.edit(
        "rest_api",
        "{{package_name}}/openapi.py.jinja",
        '400: "The body is not valid JSON."',
        '400: "The body is not valid JSON: check its syntax."',
    )
    template_repo.template_file("rest_api", "CHANGELOG.md").write_text("# Changelog\n\n- v0.2.0\n")
    template_repo.commit_and_tag("0.2.0")

    update = subprocess.run(
        [str(BIN / "copier"), "update", "--defaults"],
        cwd=project, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert update.returncode == 0, update.stderr

    merged = schemas.read_text()
    assert user_edit in merged
    assert "Template v0.2.0: change it in one place." in merged
    assert "check its syntax" in (project / "library" / "openapi.py").read_text()
    assert (project / "CHANGELOG.md").exists()
    assert "<<<<<<<" not in merged
    assert "_commit: v0.2.0" in (project / ".copier-answers.yml").read_text()

    env = install(project, tmp_path / "venv")
    suite = env.run("pytest", "-q", "-p", "no:cacheprovider")
    assert suite.ok, suite.tail(40)
