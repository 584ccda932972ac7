"""Issue 13 on a served website where the answers need real services: the log-in limit shared
by two gunicorn workers through Redis, PostgreSQL out of reach, stolen cookies (slow)."""

from __future__ import annotations

import secrets
import statistics
from pathlib import Path

import pytest

from flaskstarter.smoke import services
from flaskstarter.smoke.serve import free_port, get, served
from tests.website_served import (
    PACKAGE,
    PASSWORD,
    TRACEBACK,
    Client,
    installed_site,
    is_logged_in,
    log_in,
    member,
    production_env,
)

pytestmark = pytest.mark.slow


def test_the_log_in_limit_holds_across_two_gunicorn_workers_with_redis(
    tmp_path: Path, redis_url: str
) -> None:
    """With RATELIMIT_STORAGE_URI on Redis, the 6th failure is refused whichever worker answers
    (each attempt is a new connection); the memory default would let up to 2 x 5 through."""
    env = installed_site(tmp_path, database="sqlite", auth=True)
    storage = services.with_redis_db(redis_url, 1 + secrets.randbelow(15))
    run_env = production_env(RATELIMIT_STORAGE_URI=storage, WEB_CONCURRENCY="2")
    assert env.run("flask", "--app", PACKAGE, "db", "upgrade", env=run_env).ok
    address = f"victim-{secrets.token_hex(4)}@example.com"
    with served(env, PACKAGE, run_env, tmp_path / "gunicorn.log") as base_url:
        statuses = [
            Client(base_url)
            .post_form("/auth/login", {"email": address, "password": "guess " * 3})
            .status
            for _ in range(10)
        ]
        refused = Client(base_url).post_form("/auth/login", {"email": address, "password": "x"})
    assert statuses == [200] * 5 + [429] * 5
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in refused.body


def test_log_out_and_a_password_change_end_sessions_and_stolen_cookies(tmp_path: Path) -> None:
    env = installed_site(tmp_path, database="sqlite", auth=True)
    run_env = production_env()
    assert env.run("flask", "--app", PACKAGE, "db", "upgrade", env=run_env).ok
    member(env, run_env, "member@example.com")
    with served(env, PACKAGE, run_env, tmp_path / "gunicorn.log") as base_url:
        # Log-out: the cookies the browser had stop working, for a thief who copied them too.
        browser = log_in(base_url, "member@example.com", PASSWORD, remember=True)
        stolen = dict(browser.cookies)
        assert {"session", "remember_token"} <= set(stolen)
        reply = browser.post_form("/auth/logout", {}, csrf_from="/auth/settings")
        assert reply.status == 302
        for name in ("session", "remember_token"):
            assert not is_logged_in(Client(base_url, {name: stolen[name]})), name

        # A password change: the other devices' cookies stop working; this one goes on.
        laptop = log_in(base_url, "member@example.com", PASSWORD, remember=True)
        phone = log_in(base_url, "member@example.com", PASSWORD, remember=True)
        new = "purple elephants juggle quietly"
        reply = laptop.post_form(
            "/auth/settings/password",
            {"current_password": PASSWORD, "password": new, "confirm": new},
        )
        assert reply.status == 302, reply.body[:500]
        assert is_logged_in(laptop)
        assert not is_logged_in(phone)
        assert not is_logged_in(
            Client(base_url, {"remember_token": phone.cookies["remember_token"]})
        )
        # The session cookie's lifetime is Flask's PERMANENT_SESSION_LIFETIME, not 31 days.
        assert log_in(base_url, "member@example.com", new)


@pytest.mark.parametrize("auth", [True, False], ids=["auth", "no_auth"])
def test_postgresql_out_of_reach_is_a_503_page_and_healthz_still_answers(
    tmp_path: Path, auth: bool
) -> None:
    env = installed_site(tmp_path, database="postgresql", auth=auth)
    closed = f"postgresql+psycopg://site@127.0.0.1:{free_port()}/site?connect_timeout=2"
    log = tmp_path / "gunicorn.log"
    with served(env, PACKAGE, production_env(DATABASE_URL=closed), log) as base_url:
        assert get(base_url + "/healthz").status == 200
        client = Client(base_url)
        reply = client.post_form(
            "/contact", {"name": "Ada", "email": "ada@example.com", "message": "Hello, a question."}
        )
        assert reply.status == 503
        assert "Temporarily unavailable" in reply.body
        assert "X-Content-Type-Options" in reply.headers
        if auth:
            reply = client.post_form(
                "/auth/login", {"email": "member@example.com", "password": PASSWORD}
            )
            assert reply.status == 503
        assert get(base_url + "/healthz").status == 200
    text = log.read_text()
    assert "Database unavailable" in text
    assert TRACEBACK not in text


def test_sign_up_answers_a_taken_address_as_it_answers_a_new_one(tmp_path: Path) -> None:
    """The same redirect, and about the same time (scrypt runs either way), so that neither the
    page nor a stopwatch tells who has an account; the owner of the address gets an e-mail."""
    env = installed_site(tmp_path, database="sqlite", auth=True)
    run_env = production_env()
    assert env.run("flask", "--app", PACKAGE, "db", "upgrade", env=run_env).ok
    member(env, run_env, "taken@example.com")
    seconds: dict[str, list[float]] = {"new": [], "taken": []}
    with served(env, PACKAGE, run_env, tmp_path / "gunicorn.log") as base_url:
        for round_ in range(5):  # interleaved, so that the machine's load weighs on both alike
            for kind, address in (
                ("new", f"new-{round_}@example.com"),
                ("taken", "taken@example.com"),
            ):
                form = {"email": address, "password": PASSWORD, "confirm": PASSWORD}
                reply = Client(base_url).post_form("/auth/register", form)
                assert (reply.status, reply.headers["Location"]) == (302, "/auth/login"), kind
                seconds[kind].append(reply.seconds)
    new, taken = (statistics.median(seconds[kind]) for kind in ("new", "taken"))
    assert abs(new - taken) <= 0.5 * max(new, taken), seconds
