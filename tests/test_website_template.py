"""The website template: files per answer, every combination end to end, a real browser, updates."""

from __future__ import annotations

import ast
import json
import os
import py_compile
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from flaskstarter.render import RenderRequest, render_project
from flaskstarter.smoke import run_smoke, services
from flaskstarter.smoke.project_env import ProjectEnv, create_and_install
from flaskstarter.smoke.serve import served
from flaskstarter.template_source import bundled_source
from tests.helpers import claimed_combinations, in_slow_layers, run_cli
from tests.nginx_proxy import check_compose_proxy
from tests.served_checks import HOSTILE_TEXT, under_load
from tests.template_repo import TemplateRepo, git
from tests.website_browser import BASE_URL, CONTACT_TO, MEMBER, visitor, walk_the_site
from tests.website_files import (
    ACCOUNT_EMAIL_FOLDER,
    AUTH_FOLDER,
    DATABASE_ERROR_PAGE,
    expected_files,
)
from tests.website_served import (
    Client,
    links_in,
    parts,
    production_env,
    smtp_server,
    website_checks,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = REPO_ROOT / "templates" / "website"
COPIER = str(Path(sys.executable).parent / "copier")
# DL3013 ("pin versions in pip") misreads the install of the project's own wheel from /wheels.
HADOLINT = str(Path(sys.executable).parent / "hadolint")


# Every combination the questions allow: `auth` is only asked when there is a database.
def _render(copie: Any, **answers: Any) -> Any:
    result = copie.copy(extra_answers={"use_case": "website", **answers}, vcs_ref="HEAD")
    assert result.exit_code == 0, result.exception
    return result


def _files(project: Path) -> set[str]:
    return {str(path.relative_to(project)) for path in project.rglob("*") if path.is_file()}


@pytest.mark.parametrize("answers", claimed_combinations("website"))
def test_website_renders_the_files_its_answers_ask_for(copie: Any, answers: dict[str, Any]) -> None:
    result = _render(copie, project_name="Acme Site", **answers)
    project: Path = result.project_dir

    assert _files(project) == expected_files(answers, "acme_site")
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["use_case"] == "website"
    assert recorded["database"] == answers["database"]
    assert recorded.get("auth", False) == answers.get("auth", False)
    assert "accounts" not in recorded, "a computed value is worked out again, never recorded"
    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        yaml.safe_load(path.read_text())
    tomllib.loads((project / "pyproject.toml").read_text())


@pytest.mark.parametrize("answers", claimed_combinations("website"))
def test_dependencies_follow_the_answers(copie: Any, answers: dict[str, Any]) -> None:
    result = _render(copie, **answers)
    pyproject = tomllib.loads((result.project_dir / "pyproject.toml").read_text())
    names = {re.split(r"[<>=\[]", dep)[0] for dep in pyproject["project"]["dependencies"]}

    assert {"flask", "gunicorn", "flask-wtf", "email-validator"} <= names
    assert ("flask-sqlalchemy" in names) == (answers["database"] != "none")
    assert ("flask-migrate" in names) == (answers["database"] != "none")
    assert ("psycopg" in names) == (answers["database"] == "postgresql")
    assert ("flask-login" in names) == bool(answers.get("auth"))
    for dependency in pyproject["project"]["dependencies"]:
        assert re.search(r">=[\d.]+,<\d+", dependency), f"{dependency} needs a floor and a cap"


def test_auth_without_a_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    import copier

    with pytest.raises(ValueError, match="Accounts need a database: choose sqlite or postgresql"):
        copier.run_copy(
            str(REPO_ROOT),
            str(tmp_path / "site"),
            data={"use_case": "website", "database": "none", "auth": True},
            defaults=True,
            vcs_ref="HEAD",
            quiet=True,
        )


def test_a_default_of_auth_cannot_turn_accounts_on_without_a_database(copie: Any) -> None:
    """The question is not asked without a database; a saved default for it changes nothing."""
    result = _render(copie, database="none", auth=True, package_name="brochure")
    assert _files(result.project_dir) == expected_files({"database": "none"}, "brochure")


def test_accounts_follow_from_auth_and_database_and_are_never_asked_or_answered(
    tmp_path: Path,
) -> None:
    """`accounts` is computed (`when: false`): `list` does not offer it, `--data` refuses it."""
    code, listed, _ = run_cli("list", "--json")
    assert code == 0
    website = next(kind for kind in json.loads(listed) if kind["kind"] == "website")
    assert [question["name"] for question in website["questions"]][-1] == "auth"
    code, _, err = run_cli(
        "new", str(tmp_path / "site"), "-k", "website", "-y", "--no-git", "-d", "accounts=true"
    )
    assert code != 0
    assert "Unknown question 'accounts'" in err
    assert not (tmp_path / "site").exists()


def test_templates_test_the_computed_accounts_not_the_condition_it_stands_for() -> None:
    written_out = [
        str(path.relative_to(TEMPLATE))
        for path in TEMPLATE.rglob("*")
        if "auth and database" in str(path.relative_to(TEMPLATE))
        or (path.is_file() and "auth and database" in path.read_text())
    ]
    assert written_out == []


def test_copier_refuses_an_accounts_answer_that_contradicts_auth_and_database(
    tmp_path: Path,
) -> None:
    import copier

    with pytest.raises(ValueError, match="accounts follows from auth and database"):
        copier.run_copy(
            str(REPO_ROOT),
            str(tmp_path / "site"),
            data={"use_case": "website", "database": "none", "accounts": True},
            defaults=True,
            vcs_ref="HEAD",
            quiet=True,
        )


def test_auth_is_the_default_with_a_database_and_off_without(copie: Any) -> None:
    with_db = _render(copie)
    without_db = _render(copie, database="none")
    assert with_db.answers["database"] == "sqlite" and with_db.answers["auth"] is True
    assert not (without_db.project_dir / without_db.answers["package_name"] / "auth").exists()


@pytest.mark.parametrize("auth", [True, False], ids=["auth", "no-auth"])
def test_migrations_create_exactly_the_tables_of_the_models(copie: Any, auth: bool) -> None:
    """The initial migration is the same either way: turning accounts on adds its own file."""
    result = _render(copie, database="sqlite", auth=auth)
    project: Path = result.project_dir
    versions = project / "migrations" / "versions"
    migrations = "".join(path.read_text() for path in sorted(versions.glob("*.py")))
    models = (project / result.answers["package_name"] / "models.py").read_text()

    created = set(re.findall(r'op\.create_table\(\s*"(\w+)"', migrations))
    dropped = set(re.findall(r'op\.drop_table\("(\w+)"\)', migrations))
    declared = set(re.findall(r'__tablename__ = "(\w+)"', models))
    assert created == dropped == declared
    assert created == ({"contact_message", "user_account"} if auth else {"contact_message"})
    initial = versions / "e8da7d3b3a43_initial_schema.py"
    assert "user_account" not in initial.read_text()
    assert (versions / "7c1f3b2e9a4d_accounts.py").exists() == auth


def test_postgresql_ships_compose_with_a_healthy_database_and_ci_service(copie: Any) -> None:
    result = _render(copie, database="postgresql", package_name="shop")
    project: Path = result.project_dir
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    database = compose["services"]["db"]

    assert database["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    assert compose["services"]["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    ci = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    job = ci["jobs"]["test"]
    assert job["services"]["postgres"]["image"].startswith("postgres:")
    test_step = next(step for step in job["steps"] if step.get("run", "").startswith("pytest"))
    assert test_step["env"]["TEST_DATABASE_URL"].startswith("postgresql://")
    assert "postgresql+psycopg://shop@127.0.0.1:5432/shop" in (project / ".env.example").read_text()


def test_compose_binds_every_port_to_loopback_and_says_where_passwords_come_from(
    copie: Any,
) -> None:
    project: Path = _render(copie, database="postgresql", package_name="shop").project_dir
    text = (project / "compose.yaml").read_text()
    compose = yaml.safe_load(text)
    ports = [port for service in compose["services"].values() for port in service.get("ports", [])]
    assert ports and all(port.startswith("127.0.0.1:") for port in ports), ports
    assert compose["services"]["db"]["environment"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"
    assert "The database has no password" in text
    assert "SECRET_KEY comes from .env" in text
    web = compose["services"]["web"]["environment"]
    assert web["MAIL_SERVER"] == "mail", "the compose site's e-mails go to Mailpit"
    check_compose_proxy(compose)


@pytest.mark.parametrize("answers", claimed_combinations("website"))
def test_env_example_lists_what_a_development_run_needs(
    copie: Any, answers: dict[str, Any]
) -> None:
    project: Path = _render(copie, package_name="shop", **answers).project_dir
    settings = dict(
        line.split("=", 1)
        for line in (project / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    accounts = answers["database"] != "none" and answers.get("auth", False)
    expected = {"APP_ENV", "SECRET_KEY", "CONTACT_TO"}
    expected |= {"BASE_URL"} if accounts else set()
    expected |= {"DATABASE_URL"} if answers["database"] == "postgresql" else set()
    assert set(settings) == expected
    assert settings["SECRET_KEY"] == "", "flaskstarter new fills the secret in"
    if answers["database"] == "postgresql":
        compose = yaml.safe_load((project / "compose.yaml").read_text())
        database = compose["services"]["db"]["environment"]
        user, name = database["POSTGRES_USER"], database["POSTGRES_DB"]
        assert settings["DATABASE_URL"] == f"postgresql+psycopg://{user}@127.0.0.1:5432/{name}"
    text = (project / ".env.example").read_text()
    assert "# MAIL_SERVER=" in text and "Without MAIL_SERVER, development writes" in text


@pytest.mark.parametrize("answers", claimed_combinations("website"))
def test_compose_file_and_ci_workflow_follow_their_schemas(
    copie: Any, answers: dict[str, Any]
) -> None:
    project: Path = _render(copie, **answers).project_dir
    checks = [("vendor.github-workflows", project / ".github/workflows/ci.yml")]
    if answers["database"] == "postgresql":
        checks.append(("vendor.compose-spec", project / "compose.yaml"))
    for schema, path in checks:
        outcome = subprocess.run(
            [
                str(Path(sys.executable).parent / "check-jsonschema"),
                "--builtin-schema",
                schema,
                str(path),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert outcome.returncode == 0, outcome.stdout + outcome.stderr


@pytest.mark.parametrize("answers", claimed_combinations("website"))
def test_dockerfile_passes_hadolint(copie: Any, answers: dict[str, Any]) -> None:
    project: Path = _render(copie, **answers).project_dir
    dockerfile = (project / "Dockerfile").read_text()
    assert ("COPY migrations ./migrations" in dockerfile) == (answers["database"] != "none")
    outcome = subprocess.run(
        [HADOLINT, "--failure-threshold", "warning", "--ignore", "DL3013", "-"],
        input=dockerfile,
        capture_output=True,
        text=True,
        check=False,
    )
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr


def test_html_templates_are_copied_verbatim_and_need_no_inline_code(copie: Any) -> None:
    """Flask renders them, not Copier; the Content-Security-Policy forbids inline code."""
    result = _render(copie, database="sqlite", auth=True, package_name="brochure")
    templates = result.project_dir / "brochure" / "templates"
    sources = TEMPLATE / "{{package_name}}" / "templates"
    rendered = sorted(templates.rglob("*.html"))
    assert len(rendered) == 31
    for page in rendered:
        relative = page.relative_to(templates)
        source = sources.joinpath(*relative.parts)
        if relative.parts[0] == "auth":
            source = sources.joinpath(AUTH_FOLDER, *relative.parts[1:])
        elif relative.parts[0] == "email" and not source.exists():
            source = sources.joinpath(ACCOUNT_EMAIL_FOLDER, *relative.parts[1:])
        elif relative.name == "503.html":
            source = sources / "errors" / DATABASE_ERROR_PAGE
        assert page.read_text() == source.read_text(), relative
        html = page.read_text()
        assert "<style" not in html and " style=" not in html, relative
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), relative
        assert not re.search(r"\son[a-z]+=", html), relative


@pytest.mark.parametrize(
    "name",
    ["Bob\u2019s Bakery \u2013 \u201cFresh\u201d \\ {{ x }}", "x" * 100, "日本のウェブサイト 🚀"],
    ids=["typographic", "long", "cjk-emoji"],
)
def test_free_text_reaches_the_site_exactly(copie: Any, name: str) -> None:
    result = _render(copie, project_name=name, package_name="texts", description=name[::-1])
    config = ast.parse((result.project_dir / "texts" / "config.py").read_text())
    settings = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.walk(config)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.startswith("PROJECT_")
    }
    written = (settings["PROJECT_NAME"], settings["PROJECT_DESCRIPTION"])
    assert written == (name, name[::-1])


# --- End to end: install, test, lint, type-check, migrate, serve (slow) -----------------------


@pytest.mark.slow
@pytest.mark.parametrize("answers", claimed_combinations("website"))
def test_every_combination_with_hostile_text_passes_the_smoke_harness_and_a_load(
    request: pytest.FixtureRequest, answers: dict[str, Any]
) -> None:
    if answers["database"] == "postgresql":
        request.getfixturevalue("postgres_url")  # skips on a laptop without PostgreSQL, fails in CI
    load = in_slow_layers("website", answers)
    answers = {**HOSTILE_TEXT, "package_name": "acme_site", **answers}
    report = run_smoke("website", answers, while_serving=under_load(website_checks, load=load))

    assert report.ok, report.summary()
    steps = [step.name for step in report.steps]
    assert ("migrate" in steps) == (answers["database"] != "none")


def _installed_site(tmp_path: Path, **answers: Any) -> ProjectEnv:
    rendered = render_project(
        RenderRequest(
            destination=tmp_path / "site",
            source=bundled_source(),
            answers={"use_case": "website", "project_name": "Acme Site", **answers},
        )
    )
    env, installed = create_and_install(rendered.path, tmp_path / "venv")
    assert installed.ok, installed.tail()
    return env


@pytest.mark.slow
def test_postgresql_project_tests_pass_on_a_real_server(postgres_url: str, tmp_path: Path) -> None:
    """The generated suite, migrations included, against a fresh PostgreSQL database."""
    env = _installed_site(tmp_path, database="postgresql", auth=True)
    name = services.scratch_database_name()
    admin = [
        "python",
        "-c",
        "import psycopg, sys\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c: c.execute(sys.argv[2])",
    ]
    assert env.run(*admin, postgres_url, f'CREATE DATABASE "{name}"').ok
    try:
        database_url = services.with_database(postgres_url, name)
        outcome = env.run(
            "pytest", "-q", "-p", "no:cacheprovider", env={"TEST_DATABASE_URL": database_url}
        )
        assert outcome.ok, outcome.tail(40)
        assert not re.search(r"\d+ skipped", outcome.output), outcome.tail()
        production = production_env(DATABASE_URL=database_url)
        upgraded = env.run("flask", "--app", "acme_site", "db", "upgrade", env=production)
        assert upgraded.ok, upgraded.tail()
        created = env.run(
            "flask",
            "--app",
            "acme_site",
            "create-user",
            "boss@example.com",
            "--password",
            "correct horse battery staple",
            env=production,
        )
        assert created.ok and "Created the account boss@example.com." in created.output, (
            created.tail()
        )
    finally:
        env.run(*admin, postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- A real browser (slow) -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_a_visitor_walks_the_site_and_every_account_flow_in_chromium(
    chromium: str, tmp_path: Path
) -> None:
    """Pages, contact, sign-up, confirmation link, log-in, settings, change password, log-out,
    reset, log-in; axe-core on each page; the e-mails a real SMTP server received.

    The site runs exactly as in production (APP_ENV=production, gunicorn, Secure cookies) on
    http://127.0.0.1: Chromium treats loopback as a secure context and keeps Secure cookies
    there, so no setting is relaxed for the test. E-mails go to aiosmtpd on loopback; their
    links start with BASE_URL (the test opens them on the served address).
    """
    env = _installed_site(tmp_path, database="sqlite", auth=True)
    screenshots = Path(os.environ.get("FLASKSTARTER_SCREENSHOTS") or tmp_path / "screenshots")
    with smtp_server() as mailbox:
        production = {
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mailbox.port),
            "MAIL_DEFAULT_SENDER": "Acme Site <noreply@example.com>",
            "CONTACT_TO": CONTACT_TO,
            "BASE_URL": BASE_URL,
        }
        upgraded = env.run("flask", "--app", "acme_site", "db", "upgrade", env=production)
        assert upgraded.ok, upgraded.tail()
        log = tmp_path / "gunicorn.log"
        with (
            served(env, "acme_site", production, log) as base_url,
            visitor(chromium, screenshots, viewport={"width": 1280, "height": 900}) as tab,
        ):
            walk_the_site(tab, base_url, "Acme Site", mailbox)
            cookie = next(c for c in tab.page.context.cookies() if c["name"] == "session")
            assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
            # A forged Host header changes nothing in the links a message carries.
            Client(base_url).post_form(
                "/auth/forgot-password", {"email": MEMBER}, headers={"Host": "evil.example"}
            )

    assert not tab.problems, tab.problems
    assert len(tab.taken) == 18 and all(path.stat().st_size > 0 for path in tab.taken)
    tokens = []
    for message in mailbox.messages:
        assert message["From"] == "Acme Site <noreply@example.com>"
        assert message["Date"] and message["Message-ID"], message["Subject"]
        # Flask-Mail wraps the two parts in multipart/alternative (inside multipart/mixed).
        kinds = [part.get_content_type() for part in message.walk()]
        assert "multipart/alternative" in kinds, kinds
        text, html = parts(message)
        assert "Acme Site" in text + html
        for link in links_in(message):
            assert link.startswith(BASE_URL + "/"), link
            tokens.append(link.rsplit("/", 1)[-1])
    subjects = [message["Subject"] for message in mailbox.to(MEMBER)]
    assert subjects[:2] == ["Confirm your e-mail address for Acme Site"] * 2
    assert "Choose a new password for Acme Site" in subjects
    assert subjects[-1] == "Choose a new password for Acme Site", "the forged Host was ignored"
    assert len(tokens) >= 4
    assert not any(token in log.read_text() for token in tokens), "a token reached the log"


# --- Updates -----------------------------------------------------------------------------------

TEAM_VIEW = """

@bp.get("/team")
def team() -> str:
    return render_template("main/team.html")
"""
TEAM_PAGE = """{% extends "base.html" %}
{% block content %}<div class="container page"><h1>Our team</h1></div>{% endblock %}
"""
TEAM_TEST = """

def test_team_page(client) -> None:
    assert b"Our team" in client.get("/team").data
"""


@pytest.mark.slow
def test_copier_update_keeps_a_new_page_and_takes_template_changes(
    tmp_path: Path, template_repo: TemplateRepo
) -> None:
    project = tmp_path / "site"
    copied = subprocess.run(
        [
            COPIER,
            "copy",
            "--defaults",
            "--vcs-ref",
            "v0.1.0",
            "-d",
            "use_case=website",
            "-d",
            "project_name=Acme Site",
            template_repo.url,
            str(project),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert copied.returncode == 0, copied.stderr
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Generate the website")

    # The team adds a page of its own, with a test.
    main = project / "acme_site" / "main.py"
    main.write_text(main.read_text() + TEAM_VIEW)
    (project / "acme_site" / "templates" / "main" / "team.html").write_text(TEAM_PAGE)
    pages_test = project / "tests" / "test_pages.py"
    pages_test.write_text(pages_test.read_text() + TEAM_TEST)
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Add the team page")

    # The template moves on: a new accent colour and a friendlier 404 page.
    stylesheet = "{{package_name}}/static/css/site.css"
    template_repo.edit("website", stylesheet, "--accent: #4338ca;", "--accent: #0f766e;")
    template_repo.edit(
        "website",
        "{{package_name}}/templates/errors/404.html",
        "or it has moved.",
        "or it has moved away.",
    )
    template_repo.commit_and_tag("0.2.0")

    updated = subprocess.run(
        [COPIER, "update", "--defaults"],
        cwd=project,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )

    assert updated.returncode == 0, updated.stderr
    assert "_commit: v0.2.0" in (project / ".copier-answers.yml").read_text()
    assert "def team() -> str:" in main.read_text()
    assert (project / "acme_site" / "templates" / "main" / "team.html").read_text() == TEAM_PAGE
    assert "--accent: #0f766e;" in (project / "acme_site/static/css/site.css").read_text()
    assert "or it has moved away." in (project / "acme_site/templates/errors/404.html").read_text()
    changed = sorted(line[3:] for line in git(project, "status", "--porcelain").splitlines())
    assert changed == [
        ".copier-answers.yml",
        "acme_site/static/css/site.css",
        "acme_site/templates/errors/404.html",
    ]

    env, installed = create_and_install(project, tmp_path / "venv")
    assert installed.ok, installed.tail()
    tests = env.run("pytest", "-q", "-p", "no:cacheprovider")
    assert tests.ok, tests.tail(40)
    assert (
        "test_team_page"
        in env.run("pytest", "--collect-only", "-q", "-p", "no:cacheprovider").output
    )
