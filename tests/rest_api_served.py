"""A generated REST API installed, migrated and served by gunicorn; fuzzed; its docs page opened."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flaskstarter.smoke import services
from flaskstarter.smoke.project_env import ProjectEnv, create_and_install

BIN = Path(sys.executable).parent
SECRET_KEY = secrets.token_hex(32)
# Schema-valid requests may still meet a taken name (409), a stale If-Match (412) or a 304.
SCHEMATHESIS_CONFIG = """\
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "304", "401", "403", "404", "409", "412", "429"]
"""
MAX_EXAMPLES = "20"
FUZZ_TIMEOUT = 900


def install(project: Path, venv: Path) -> ProjectEnv:
    env, result = create_and_install(project, venv)
    assert result.ok, result.tail(40)
    return env


def production(settings: dict[str, str]) -> dict[str, str]:
    """The environment of a production run (served with the harness's `served`) with `settings`."""
    return {"APP_ENV": "production", "SECRET_KEY": SECRET_KEY, **settings}


def migrate(env: ProjectEnv, package: str, settings: dict[str, str]) -> None:
    outcome = env.run("flask", "--app", package, "db", "upgrade", env=production(settings))
    assert outcome.ok, outcome.tail()


@contextmanager
def postgres_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database on the real PostgreSQL server, as a SQLAlchemy URL; dropped afterwards."""
    import psycopg

    admin_url = request.getfixturevalue("postgres_url")
    name = services.scratch_database_name()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield services.with_database(admin_url, name, driver="psycopg")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def token_headers(auth: str, base_url: str, settings: dict[str, str]) -> dict[str, str]:
    """Headers that let the fuzzer write too, so write routes get past authentication."""
    if auth == "api_key":
        return {"X-API-Key": settings["API_KEYS"]}
    if auth != "jwt":
        return {}
    credentials = {"username": settings["API_USERNAME"], "password": settings["API_PASSWORD"]}
    outgoing = urllib.request.Request(
        f"{base_url}/api/auth/token",
        data=json.dumps(credentials).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(outgoing, timeout=15) as reply:  # loopback only
        return {"Authorization": f"Bearer {json.load(reply)['access_token']}"}


def run_schemathesis(
    base_url: str, headers: dict[str, str], workdir: Path, document: str = "/openapi.json"
) -> subprocess.CompletedProcess[str]:
    """Every schemathesis check and phase, from the API's own document, bounded in examples."""
    config = workdir / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG)
    header_options = [
        part for name, value in headers.items() for part in ("-H", f"{name}: {value}")
    ]
    return subprocess.run(
        [
            str(BIN / "schemathesis"),
            "--config-file",
            str(config),
            "run",
            base_url + document,
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "1",
            # One worker: hypothesis' lambda descriptions are not thread-safe on Python 3.11.
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
            *header_options,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=FUZZ_TIMEOUT,
        check=False,
    )


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@dataclass
class DocsPage:
    operations: int
    fallback_hidden: bool
    problems: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


def open_docs(chromium: str, base_url: str, screenshot: Path) -> DocsPage:
    """Load /docs in Chromium; what Swagger UI showed and what the browser complained about."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.add_init_script(RECORD_CSP_VIOLATIONS)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda outgoing: requests.append(outgoing.url))
            page.goto(f"{base_url}/docs")
            page.wait_for_selector(".opblock", timeout=20_000)
            problems += page.evaluate("window.__cspViolations")
            page.screenshot(path=str(screenshot))
            return DocsPage(
                operations=page.locator(".opblock").count(),
                fallback_hidden=page.is_hidden("#docs-fallback"),
                problems=problems,
                foreign_requests=[url for url in requests if not url.startswith(base_url)],
            )
        finally:
            browser.close()
