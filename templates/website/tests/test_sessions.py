"""The session: Flask's signed cookie, opened and saved with less work per request."""

from __future__ import annotations

import pytest
from flask import Flask, session
from flask.testing import FlaskClient

NEW_SECRET_KEY = "a-new-secret-key-that-is-only-used-by-the-tests"


def store_answer(client: FlaskClient) -> None:
    with client.session_transaction() as stored:
        stored["answer"] = 42


def test_a_request_without_a_cookie_gets_none_back(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_session_comes_back_from_its_cookie(client: FlaskClient) -> None:
    store_answer(client)
    assert client.get_cookie("session") is not None
    with client.session_transaction() as stored:
        assert stored["answer"] == 42


def test_a_cookie_signed_with_another_key_is_ignored(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_answer(client)
    monkeypatch.setitem(app.config, "SECRET_KEY", NEW_SECRET_KEY)
    with client.session_transaction() as stored:
        assert "answer" not in stored


def test_the_previous_key_still_opens_sessions_after_a_rotation(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_answer(client)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [app.config["SECRET_KEY"]])
    monkeypatch.setitem(app.config, "SECRET_KEY", NEW_SECRET_KEY)
    with client.session_transaction() as stored:
        assert stored["answer"] == 42


def test_pages_that_read_the_session_vary_on_cookie(client: FlaskClient) -> None:
    assert client.get("/").headers["Vary"] == "Cookie"


def test_vary_keeps_the_values_the_view_set(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reads_the_session() -> tuple[str, dict[str, str]]:
        return str(session.get("answer")), {"Vary": "Accept-Encoding"}

    monkeypatch.setitem(app.view_functions, "main.about", reads_the_session)
    assert client.get("/about").headers["Vary"] == "Accept-Encoding, Cookie"
