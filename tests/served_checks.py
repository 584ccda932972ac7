"""What every smoke run of a claimed answer combination adds: hostile text, production, a load.

The template test files smoke each claimed combination once; with these, each of those runs
also proves that hostile free-text answers still give a project that installs, passes its own
tests and linters and serves (issue #7, section 2); that a 404 carries the security headers
too; that its production settings hold (debug off, secure session cookies, a weak SECRET_KEY
refused by gunicorn itself); and that the served app takes a bounded load with no failed
request and worker memory that levels off (section 3).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from bench.loadgen import run_python_load
from flaskstarter.smoke import ServedProject
from flaskstarter.smoke.serve import ServeError, get, served
from flaskstarter.use_cases import CATALOGUE, UseCase

# Quotes of both kinds, backslashes, Jinja and TOML/YAML syntax, HTML, unicode and emoji; the
# package name is derived from the project name unless a test sets its own.
HOSTILE_TEXT: dict[str, str] = {
    "project_name": "Ünïcode \"Quotes\" & 'Apostrophes' {{ 7*7 }} {% raw %} #1 🚀",
    "description": "Back\\slash, ''' and \"\"\", ${HOME}, key: value, - item, <b>x</b> ]] [x]",
    "author_name": 'O\'Neil "Ace" \\ 日本',
    "author_email": "o'neil@example.com",
}

LOAD_SECONDS = 20.0
CONNECTIONS = 32
# Memory after the second pass may exceed the first pass's by this share and margin at most.
MEMORY_GROWTH = 1.25
MEMORY_MARGIN_KIB = 16 * 1024

# A missing key, and a short, well-known one.
WEAK_SECRET_KEYS = ("", "changeme")
# The prototype promises to run with no configuration at all: it has no production mode, and
# nothing in it is signed with SECRET_KEY (no sessions, no forms).
WITHOUT_PRODUCTION_MODE = frozenset({UseCase.PROTOTYPE})
SETTINGS_MARK = "settings:"
# Run with the project's Python and the served environment: the app's settings as built.
SETTINGS_SCRIPT = f"""
import importlib, json, sys
app = importlib.import_module(sys.argv[1]).create_app()
print({SETTINGS_MARK!r} + json.dumps({{
    "debug": app.debug,
    "testing": app.testing,
    "secure": app.config["SESSION_COOKIE_SECURE"],
    "httponly": app.config["SESSION_COOKIE_HTTPONLY"],
    "samesite": app.config["SESSION_COOKIE_SAMESITE"],
}}))
"""

ServingCheck = Callable[[ServedProject], None]


def under_load(*first: ServingCheck, load: bool = True) -> ServingCheck:
    """A `while_serving` hook: 404 headers, production settings, the given checks, a load
    (unless `load` is false: tests/helpers.py's in_slow_layers decides, for CI's budget)."""

    def check(served: ServedProject) -> None:
        error_pages_carry_the_headers(served)
        holds_production_settings(served)
        for extra in first:
            extra(served)
        if load:
            load_every_route(served)

    return check


def error_pages_carry_the_headers(project: ServedProject) -> None:
    """A 404 carries the kind's security headers too, not only the routes that answer."""
    use_case = UseCase(project.answers["use_case"])
    response = get(project.base_url + "/no-such-page-" + secrets.token_hex(4))
    assert response.status == 404, response.status
    present = {name.lower() for name in response.headers}
    missing = [name for name in CATALOGUE[use_case].headers if name.lower() not in present]
    assert not missing, f"a 404 lacks {', '.join(missing)}"


def holds_production_settings(project: ServedProject) -> None:
    """Debug off, session cookies Secure/HttpOnly/SameSite, gunicorn refusing a weak key."""
    use_case = UseCase(project.answers["use_case"])
    if use_case in WITHOUT_PRODUCTION_MODE:
        return
    package = project.answers["package_name"]
    outcome = project.env.run("python", "-c", SETTINGS_SCRIPT, package, env=project.run_env)
    assert outcome.ok, outcome.tail()
    line = next(line for line in outcome.output.splitlines() if line.startswith(SETTINGS_MARK))
    settings = json.loads(line.removeprefix(SETTINGS_MARK))
    assert settings.pop("samesite") in ("Lax", "Strict"), settings
    assert settings == {"debug": False, "testing": False, "secure": True, "httponly": True}
    _cookies_carry_the_flags(project, use_case)
    for weak in WEAK_SECRET_KEYS:
        _refuses_to_start(project, {**project.run_env, "SECRET_KEY": weak})


def _cookies_carry_the_flags(project: ServedProject, use_case: UseCase) -> None:
    """Every cookie a route sets is Secure, HttpOnly and SameSite; the website's form sets one."""
    cookies = []
    for route in CATALOGUE[use_case].routes:
        response = get(project.base_url + route.path.format(**project.answers))
        cookies += [value for name, value in response.headers.items() if name == "Set-Cookie"]
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite"} <= flags, f"cookie without flags: {cookie}"
    if use_case is UseCase.WEBSITE:  # the contact form keeps its CSRF token in the session
        assert cookies, "the contact form set no session cookie"


def _refuses_to_start(project: ServedProject, run_env: dict[str, str]) -> None:
    log = project.log.with_name("gunicorn-weak-secret.log")
    try:
        with served(project.env, project.answers["package_name"], run_env, log):
            pass
    except ServeError as error:
        assert "SECRET_KEY" in str(error), f"gunicorn stopped, but not over SECRET_KEY:\n{error}"
        return
    raise AssertionError(f"gunicorn served with SECRET_KEY={run_env['SECRET_KEY']!r}")


def load_every_route(served: ServedProject) -> None:
    """Two passes over the kind's routes: no failed request, no 5xx, memory that levels off."""
    info = CATALOGUE[UseCase(served.answers["use_case"])]
    paths = [route.path.format(**served.answers) for route in info.routes]
    per_route = LOAD_SECONDS / (2 * len(paths))
    pids = _gunicorn_pids(served.env.project)
    assert pids, "no gunicorn process found"
    # The first pass warms every route up (imports, caches, connection pools); the second must
    # not need much more memory than the first left behind.
    # Where the user chose a rate limit, 429 is the limiter doing its job under load.
    may_refuse = bool(served.answers.get("rate_limit"))
    warm = 0
    for phase in ("warm-up", "steady"):
        for path in paths:
            result = run_python_load(served.base_url + path, per_route, CONNECTIONS)
            assert result.requests + result.refused > 0, f"{phase} {path}: nothing answered"
            assert result.errors == 0, (
                f"{phase} {path}: {result.errors} of {result.requests} failed"
            )
            assert may_refuse or result.refused == 0, (
                f"{phase} {path}: {result.refused} answered 429 with no rate limit chosen"
            )
        if phase == "warm-up":
            warm = _rss_kib(pids)
    steady = _rss_kib(pids)
    limit = warm * MEMORY_GROWTH + MEMORY_MARGIN_KIB
    assert steady <= limit, f"worker memory grew from {warm} KiB to {steady} KiB"


def _gunicorn_pids(project: Path) -> list[int]:
    """Processes running gunicorn from the project folder (the master and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if b"gunicorn" in cmdline and Path(cwd) == project:
            pids.append(int(entry.name))
    return pids


def _rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
        )
    return total
