"""What an attacker tries against a served REST API (issue 13), as checks for its smoke runs.

`ATTACKS` are `while_serving` extras for tests/served_checks.py's `under_load`, run against the
project as the smoke harness serves it (production, gunicorn, its database migrated). Each
decides from the answers where it applies. Those that need a set-up of their own (credentials,
a Redis the workers share, a database that hangs) serve the project again beside the first.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import socket
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from flaskstarter.smoke import ServedProject, services
from flaskstarter.smoke.serve import ServeError, free_port, served
from tests.rest_api_http import Reply, at_once, call, fresh_address, send_json

STRONG = secrets.token_hex(32)
# Credentials of the instances that need them; 64 random characters each, as `new` writes them.
CREDENTIALS = {"API_USERNAME": "admin", "API_PASSWORD": STRONG, "API_KEYS": secrets.token_hex(32)}
# RATELIMIT_AUTH_FAILURES as generated: "5 per 5 minutes".
FAILURES_ALLOWED = 5
WRITERS = 8  # the served project's 2 workers x 4 threads
ROUNDS = 2


def served_again(
    project: ServedProject, name: str, settings: dict[str, str]
) -> contextlib.AbstractContextManager[str]:
    """The project served by another gunicorn: the smoke run's environment, then `settings`."""
    log = project.log.with_name(f"gunicorn-{name}.log")
    environment = {**project.run_env, **settings}
    return served(project.env, project.answers["package_name"], environment, log)


def assert_no_traceback(log: Path) -> None:
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, f"{log.name} holds a traceback:\n{text[-4000:]}"


def assert_problem(reply: Reply, status: int, what: str) -> None:
    assert reply.status == status and reply.is_problem, f"{what}: {reply.describe()}"


# --- Issue 14: the address the development server prints leads somewhere


def root_leads_to_the_docs(project: ServedProject) -> None:
    reply = call(project.base_url, "GET", "/")
    assert reply.status == 302, reply.describe()
    assert reply.headers["location"] == "/docs", reply.headers


# --- Item 4: client input never causes a 5xx


def hostile_input_gets_a_4xx_problem(project: ServedProject) -> None:
    """Bodies and URLs that break parsers: a 4xx problem each, and no traceback in the log.

    Bodies are refused before credentials are checked, so no credentials are needed here.
    """
    base, collection = project.base_url, f"/api/{project.answers['resource_name']}"
    json_type = {"Content-Type": "application/json"}
    megabytes = 2 * 1024 * 1024
    bodies = {
        "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, 400),
        "a 5,000-digit number": (b'{"name": ' + b"7" * 5000 + b"}", 400),
        "not UTF-8": (b'{"name": "\xff\xfe"}', 400),
        "2 MiB with its length": (b" " * megabytes, 413),
    }
    for what, (body, status) in bodies.items():
        reply = call(base, "POST", collection, body=body, headers=json_type)
        assert_problem(reply, status, what)
    # Sent chunked, no length to refuse up front: read up to 1 MiB, which is no JSON here.
    chunks = (b"x" * 65536 for _ in range(megabytes // 65536))
    assert_problem(call(base, "POST", collection, body=chunks, headers=json_type), 400, "chunked")

    odd_urls = {
        "?page=%D9%A1": 422,  # Arabic-Indic one
        "?page_size=%EF%BC%91%EF%BC%90": 422,  # fullwidth ten
        "?page=1_0": 422,
        "?page=" + "9" * 4000: 422,
        "?sort=%C0%80": 422,  # an overlong, invalid UTF-8 encoding
        "?name=%00": 422,
        "/%D9%A1": 404,
        "/" + "9" * 4000: 404,
    }
    for suffix, status in odd_urls.items():
        assert_problem(call(base, "GET", collection + suffix), status, suffix[:40])
    # Past gunicorn's own limits (a 4094-byte request line), gunicorn answers before the app.
    too_long = call(base, "GET", f"{collection}?name={'x' * 10_000}")
    assert 400 <= too_long.status < 500, too_long.describe()
    assert_no_traceback(project.log)


# --- Item 2: no flag switches the production guard off


def weak_settings(answers: dict[str, Any]) -> dict[str, str]:
    """Each secret the answers make the app read, set to something short or well known."""
    weak = {"SECRET_KEY": "changeme"}
    if answers.get("api_auth") == "jwt":
        weak |= {"JWT_SECRET_KEY": "secret-key", "API_PASSWORD": "password"}
    elif answers.get("api_auth") == "api_key":
        weak |= {"API_KEYS": f"{STRONG},short-key-1234"}
    return weak


def production_refuses_the_debugger_and_weak_secrets(project: ServedProject) -> None:
    """gunicorn refuses debug mode and each weak secret at once, whatever the flags, and so does
    `flask run --debug` with strong secrets. (The project's own tests refuse each alone.)"""
    weak = weak_settings(project.answers)
    refusal = refused_by_gunicorn(project, {"FLASK_DEBUG": "1", "DEBUG": "true", **weak})
    for words in ["debug mode is on", *weak]:
        assert words in refusal, f"gunicorn stopped, but not over {words}:\n{refusal}"
    debug_run = project.env.run(
        "flask", "--app", project.answers["package_name"], "run", "--debug",
        "--port", str(free_port()),
        env={**project.run_env, **dict.fromkeys(weak, STRONG)}, timeout=60,
    )  # fmt: skip
    assert not debug_run.ok and "debug mode is on" in debug_run.output, debug_run.tail()


def refused_by_gunicorn(project: ServedProject, settings: dict[str, str]) -> str:
    """The end of gunicorn's log when it refuses to start with `settings`."""
    try:
        with served_again(project, "refused", settings):
            pass
    except ServeError as error:
        return str(error)
    raise AssertionError(f"gunicorn served with {settings}")


# --- Item 5: the database down is a 503, and /healthz keeps answering


def database_down_is_503_and_healthz_answers(project: ServedProject) -> None:
    """PostgreSQL that hangs, then refuses: 503 problems after the connect timeout, at most;
    meanwhile /healthz answers at once, and the log has one line per failure, no traceback."""
    if project.answers.get("database") != "postgresql":
        return
    collection = f"/api/{project.answers['resource_name']}"
    with socket.create_server(("127.0.0.1", 0), backlog=64) as hanging:
        # The kernel completes each connection; nothing ever answers PostgreSQL's handshake.
        url = f"postgresql+psycopg://postgres@127.0.0.1:{hanging.getsockname()[1]}/gone"
        with served_again(project, "database-down", {"DATABASE_URL": url}) as base:
            started = time.monotonic()
            replies: list[Reply] = []
            stuck = [partial(call, base, "GET", collection) for _ in range(3)]
            waiting = threading.Thread(target=lambda: replies.extend(at_once(stuck)))
            waiting.start()
            time.sleep(0.5)
            health = call(base, "GET", "/healthz", timeout=5)
            assert health.status == 200 and time.monotonic() - started < 4, health.describe()
            waiting.join(30)
            for reply in replies:
                assert_problem(reply, 503, "PostgreSQL hanging")
            assert 4 < time.monotonic() - started < 20, "the connect timeout is 5 s"
            hanging.close()  # now the port refuses connections
            for path in (collection, f"{collection}/1"):
                assert_problem(call(base, "GET", path, timeout=5), 503, "PostgreSQL refusing")
            assert call(base, "GET", "/healthz").status == 200
    log = project.log.with_name("gunicorn-database-down.log")
    assert "The database is unavailable" in log.read_text()
    assert_no_traceback(log)


# --- Items 7 and 3: with credentials, concurrent writers, then guessing


def with_credentials(project: ServedProject) -> None:
    """Serve again with API credentials and limits counted in a Redis the 2 workers share."""
    username = f"admin-{secrets.token_hex(4)}"
    settings = {
        **CREDENTIALS,
        "API_USERNAME": username,
        "RATELIMIT_STORAGE_URI": services.with_redis_db(
            services.redis().url, 1 + secrets.randbelow(15)
        ),
        # Counters of this run only, whoever else uses that Redis database.
        "FLASK_RATELIMIT_KEY_PREFIX": f"run-{secrets.token_hex(6)}",
        # The concurrent writers must not meet the general limit.
        "RATELIMIT_DEFAULT": "10000 per minute",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "-",
        "GUNICORN_CMD_ARGS": "--access-logformat '%(p)s %(h)s %(s)s'",
    }
    with served_again(project, "credentials", settings) as base:
        auth = write_headers(base, project.answers, settings)
        odd_numbers_are_422(base, project.answers, auth)
        concurrent_writers_with_one_etag_one_wins(base, project.answers, auth)
        if project.answers.get("api_auth", "none") != "none":
            log = project.log.with_name("gunicorn-credentials.log")
            failed_credentials_are_throttled_across_workers(base, project.answers, settings, log)
    assert_no_traceback(project.log.with_name("gunicorn-credentials.log"))


def write_headers(base: str, answers: dict[str, Any], settings: dict[str, str]) -> dict[str, str]:
    if answers.get("api_auth") == "api_key":
        return {"X-API-Key": settings["API_KEYS"]}
    if answers.get("api_auth") == "jwt":
        account = {"username": settings["API_USERNAME"], "password": settings["API_PASSWORD"]}
        reply = send_json(base, "POST", "/api/auth/token", account)
        assert reply.status == 200, reply.describe()
        return {"Authorization": f"Bearer {reply.json()['access_token']}"}
    return {}


def odd_numbers_are_422(base: str, answers: dict[str, Any], auth: dict[str, str]) -> None:
    """Numbers where text belongs, in the forms JSON parsers disagree on: a 422 problem."""
    collection = f"/api/{answers['resource_name']}"
    headers = {**auth, "Content-Type": "application/json"}
    for body in (b'{"name": 1e999}', b'{"name": NaN}', b'{"name": "x", "description": -0.0}'):
        assert_problem(call(base, "POST", collection, body=body, headers=headers), 422, str(body))


def concurrent_writers_with_one_etag_one_wins(
    base: str, answers: dict[str, Any], auth: dict[str, str]
) -> None:
    """WRITERS requests at once, each with the same If-Match: one changes it, the rest get 412."""
    collection = f"/api/{answers['resource_name']}"
    created = send_json(
        base, "POST", collection, {"name": f"Contested {secrets.token_hex(4)}"}, headers=auth
    )
    assert created.status == 201, created.describe()
    url = f"{collection}/{created.json()['id']}"

    def writes(method: str, documents: list[Any]) -> list[int]:
        etag = call(base, "GET", url).headers["etag"]
        headers = {**auth, "If-Match": etag}
        sends = [
            partial(send_json, base, method, url, document, headers=headers)
            for document in documents
        ]
        replies = at_once(sends)
        for reply in replies:
            assert reply.status < 300 or reply.is_problem, reply.describe()
        return sorted(reply.status for reply in replies)

    for round_ in range(ROUNDS):
        changes = [{"description": f"writer {n} of round {round_}"} for n in range(WRITERS)]
        statuses = writes("PATCH", changes)
        assert statuses == [200] + [412] * (WRITERS - 1), f"PATCH, round {round_}: {statuses}"
        names = [{"name": f"Writer {n} {secrets.token_hex(4)}"} for n in range(WRITERS)]
        statuses = writes("PUT", names)
        assert statuses == [200] + [412] * (WRITERS - 1), f"PUT, round {round_}: {statuses}"
    statuses = writes("DELETE", [None] * WRITERS)
    # A writer that reads after the winner committed finds nothing: 404, not 412.
    assert statuses.count(204) == 1 and set(statuses) <= {204, 404, 412}, statuses


def failed_credentials_are_throttled_across_workers(
    base: str, answers: dict[str, Any], settings: dict[str, str], log: Path
) -> None:
    """FAILURES_ALLOWED failures, then 429 even for the right credentials: per client address
    and (JWT) per account, counted in Redis whichever of the 2 workers answers.

    A sequence proves the sharing only when its requests met both workers (the access log
    says which one answered each client address): it repeats, fresh, until one has.
    """
    if answers["api_auth"] == "jwt":
        guessing = TokenGuessing(base, settings)
        sequences = [guessing.from_one_address, guessing.for_one_account]
    else:
        sequences = [KeyGuessing(base, answers, settings).from_one_address]
    for sequence in sequences:
        assert any(len(workers_of(sequence(), log)) == 2 for _ in range(4)), (
            f"four runs of {sequence.__name__} all met a single worker"
        )
    if answers["api_auth"] == "jwt":  # and the real account, once (it stays locked a while)
        guessing.for_one_account(settings["API_USERNAME"], settings["API_PASSWORD"])


class TokenGuessing:
    def __init__(self, base: str, settings: dict[str, str]) -> None:
        self.base = base
        self.right = {"username": settings["API_USERNAME"], "password": settings["API_PASSWORD"]}

    def token(self, credentials: dict[str, str], address: str) -> Reply:
        return send_json(self.base, "POST", "/api/auth/token", credentials, source=address)

    def from_one_address(self) -> list[str]:
        address = fresh_address()
        for number in range(FAILURES_ALLOWED):
            wrong = {"username": f"guess-{number}", "password": "guess"}
            assert self.token(wrong, address).status == 401
        assert_throttled(self.token(self.right, address))  # even the right password
        assert self.token(self.right, fresh_address()).status == 200  # from another, fine
        return [address]

    def for_one_account(self, username: str = "", password: str = "guess") -> list[str]:
        username = username or f"victim-{secrets.token_hex(3)}"
        addresses = [fresh_address() for _ in range(FAILURES_ALLOWED + 1)]
        for address in addresses[:-1]:
            wrong = {"username": username, "password": "guess"}
            assert self.token(wrong, address).status == 401
        assert_throttled(self.token({"username": username, "password": password}, addresses[-1]))
        # Other accounts are not locked.
        assert self.token({"username": "other", "password": "guess"}, addresses[-1]).status == 401
        return addresses


class KeyGuessing:
    def __init__(self, base: str, answers: dict[str, Any], settings: dict[str, str]) -> None:
        self.base = base
        self.collection = f"/api/{answers['resource_name']}"
        self.key = {"X-API-Key": settings["API_KEYS"]}

    def write(self, headers: dict[str, str], address: str) -> Reply:
        document = {"name": f"Guess {secrets.token_hex(4)}"}
        return send_json(
            self.base, "POST", self.collection, document, headers=headers, source=address
        )

    def from_one_address(self) -> list[str]:
        address = fresh_address()
        for _ in range(FAILURES_ALLOWED):
            assert self.write({"X-API-Key": secrets.token_hex(32)}, address).status == 401
        assert_throttled(self.write(self.key, address))  # even the right key
        assert call(self.base, "GET", self.collection, source=address).status == 200
        assert self.write(self.key, fresh_address()).status == 201  # from another, fine
        return [address]


def assert_throttled(reply: Reply) -> None:
    assert_problem(reply, 429, "past the failures allowed")
    assert 0 < int(reply.headers["retry-after"]) <= 5 * 60, reply.headers


def workers_of(addresses: list[str], log: Path) -> set[str]:
    """The pids of the workers that answered these client addresses (from the access lines)."""
    time.sleep(0.2)  # the access line is written after the response
    wanted = set(addresses)
    return {
        match["pid"]
        for match in re.finditer(r"^<(?P<pid>\d+)> (?P<host>[\d.]+) \d{3}$", log.read_text(), re.M)
        if match["host"] in wanted
    }


# On every claimed combination.
ATTACKS = (
    root_leads_to_the_docs,
    hostile_input_gets_a_4xx_problem,
    production_refuses_the_debugger_and_weak_secrets,
)
# These serve the project again (a database that hangs, 2 workers sharing a Redis): on the
# slow-layer answer sets (tests/helpers.py), which between them have every auth, framework and
# database answer.
ATTACKS_SERVED_AGAIN = (
    database_down_is_503_and_healthz_answers,
    with_credentials,
)
