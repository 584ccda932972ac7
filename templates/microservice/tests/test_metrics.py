from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families


def samples(client: FlaskClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def request_count(client: FlaskClient, endpoint: str, status: str | None = "200") -> float:
    """Requests counted for `endpoint` with `status` (any status when None)."""
    wanted = {"method": "GET", "endpoint": endpoint} | ({"status": status} if status else {})
    return sum(
        value
        for (name, labels), value in samples(client).items()
        if name == "flask_http_request_duration_seconds_count" and set(wanted.items()) <= labels
    )


def test_metrics_count_requests_by_endpoint_and_status(client: FlaskClient) -> None:
    for _ in range(3):
        client.get("/api/v1/info")
    client.get("/api/v1/no-such-thing")
    assert request_count(client, "api.info") == 3
    assert request_count(client, "None", status="404") == 1


def test_an_unexpected_error_is_counted_as_a_500(app: Flask) -> None:
    def boom() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/boom", view_func=boom)
    client = app.test_client()
    client.get("/boom")
    assert request_count(client, "boom", status="500") == 1


def test_metrics_export_latency_histograms(client: FlaskClient) -> None:
    client.get("/api/v1/info")
    body = client.get("/metrics").get_data(as_text=True)
    assert "flask_http_request_duration_seconds_bucket{" in body
    assert "flask_http_request_total" in body


def test_a_missing_multiprocess_folder_is_created(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "prometheus"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    make_app()
    assert folder.is_dir()


def test_probes_are_counted_but_not_the_scrapes(client: FlaskClient) -> None:
    client.get("/healthz")
    client.get("/readyz")
    client.get("/metrics")
    assert request_count(client, "health.healthz") == 1
    assert request_count(client, "health.readyz", status=None) == 1
    assert request_count(client, "prometheus_metrics") == 0
