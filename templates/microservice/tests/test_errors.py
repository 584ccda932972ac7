"""Every error is a problem (RFC 9457) in application/problem+json."""

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask.testing import FlaskClient


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    return body


def test_an_unknown_route_is_a_404_problem(client: FlaskClient) -> None:
    body = assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert body["title"] == "Not Found"


def test_a_wrong_method_is_a_405_problem_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/v1/info")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_too_large_body_is_a_413_problem(app: Flask) -> None:
    app.add_url_rule("/upload", view_func=lambda: request.get_data(), methods=["POST"])
    response = app.test_client().post("/upload", data=b"x" * (1024 * 1024 + 1))
    assert_problem(response, 413)


def test_an_unexpected_exception_is_a_500_problem_without_its_details(
    make_app: Callable[..., Flask],
) -> None:
    def boom() -> str:
        raise RuntimeError("database password is hunter2")

    app = make_app(PROPAGATE_EXCEPTIONS=False)  # tests see exceptions raised otherwise
    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    assert_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)


def test_responses_carry_the_security_headers(client: FlaskClient) -> None:
    for response in (client.get("/api/v1/info"), client.get("/api/v1/nothing-here")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(client: FlaskClient) -> None:
    response = client.get("/api/v1/info", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
