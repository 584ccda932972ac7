from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask.testing import FlaskClient

Check = Callable[[Any, int], None]


def test_unknown_route_is_a_json_404(client: FlaskClient, assert_error: Check) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert_error(response.get_json(), 404)
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405_with_allow(client: FlaskClient, assert_error: Check) -> None:
    response = client.delete("/api/v1/info")
    assert response.status_code == 405
    assert_error(response.get_json(), 405)
    assert "GET" in response.headers["Allow"]


def test_a_too_large_body_is_a_json_413(app: Flask, assert_error: Check) -> None:
    app.add_url_rule("/upload", view_func=lambda: request.get_data(), methods=["POST"])
    response = app.test_client().post("/upload", data=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert_error(response.get_json(), 413)


def test_an_unexpected_exception_is_a_json_500_without_details(
    app: Flask, assert_error: Check
) -> None:
    def boom() -> str:
        raise RuntimeError("database password is hunter2")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert_error(body, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert body["error"]["code"] == "internal_server_error"


def test_security_headers_are_set(client: FlaskClient) -> None:
    response = client.get("/api/v1/info")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(client: FlaskClient) -> None:
    response = client.get("/api/v1/info", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
