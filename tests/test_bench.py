"""The benchmark still runs: its parsers and load generator, then its smallest real invocation.

Timings are never asserted here: `python -m bench` is run on demand, not in the timed suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bench.loadgen import parse_wrk, run_python_load
from bench.markdown import results_markdown
from bench.profiling import hot_spots
from bench.results import Row, Target
from bench.startup import import_costs
from bench.throughput import routes_to_measure
from flaskstarter.smoke.serve import free_port
from flaskstarter.use_cases import CATALOGUE, UseCase

REPO_ROOT = Path(__file__).resolve().parent.parent

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40123/healthz
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.12ms    3.20ms  48.00ms   90.12%
    Req/Sec     0.99k   100.00     1.20k    70.00%
  Latency Distribution
     50%  790.00us
     75%    9.10ms
     90%   11.00ms
     99%    1.02s
  4950 requests in 5.00s, 800.00KB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:    989.50
Transfer/sec:    160.00KB
"""

IMPORTTIME_OUTPUT = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:      2000 |       2500 |     typer._click.core
import time:       500 |       3000 |   typer
import time:      1500 |       1500 | rich.console
import time:       250 |       3250 | flaskstarter.cli
"""


def test_wrk_output_gives_rate_percentiles_in_ms_and_every_failure() -> None:
    result = parse_wrk(WRK_OUTPUT)

    assert result.requests_per_second == 989.5
    assert result.p50_ms == pytest.approx(0.79)
    assert result.p99_ms == pytest.approx(1020.0)
    assert (result.requests, result.errors) == (4950, 6)


def test_import_costs_add_up_self_time_per_top_level_package() -> None:
    costs = import_costs(IMPORTTIME_OUTPUT)

    assert [(cost.package, cost.self_ms, cost.modules) for cost in costs] == [
        ("typer", 2.5, 2),
        ("rich", 1.5, 1),
        ("flaskstarter", 0.25, 1),
        ("_io", 0.12, 1),
    ]


COLLAPSED_STACKS = """\
process 7:"gunicorn";run (gunicorn/workers/gthread.py:90);view (/tmp/x/project/app/views.py:3) 6
process 7:"gunicorn";run (gunicorn/workers/gthread.py:90);view (app/views.py:3);dumps (json.py:1) 3
process 7:"gunicorn";run (/v/lib/python3.11/site-packages/gunicorn/workers/gthread.py:91) 1
"""


def test_hot_spots_rank_own_time_and_the_projects_code_with_its_calls() -> None:
    spots = hot_spots(COLLAPSED_STACKS, package="app")

    assert [(s.function, s.file, s.self_share) for s in spots["self"]] == [
        ("view", "app/views.py", 0.6),
        ("dumps", "json.py", 0.3),
        ("run", "gunicorn/workers/gthread.py", 0.1),
    ]
    assert [(s.function, s.total_share) for s in spots["project"]] == [("view", 0.9)]


@pytest.mark.parametrize(
    ("target", "median", "baseline", "verdict"),
    [
        (Target("ratio", at_most=1.1), 1.0, 1.0, "pass"),
        (Target("ratio", at_most=1.1), 1.2, 1.0, "miss"),
        (Target("ratio", at_least=0.8), 79.0, 100.0, "miss"),
        (Target("ratio", at_least=0.8), 80.0, 100.0, "pass"),
        (Target("value", at_most=2.0), 1.9, None, "pass"),
        (Target("value", at_most=2.0), 2.1, None, "miss"),
        (None, 5.0, 1.0, ""),
        (Target("ratio", at_most=1.1), None, 1.0, "error"),
    ],
)
def test_a_row_passes_or_misses_its_target(
    target: Target | None, median: float | None, baseline: float | None, verdict: str
) -> None:
    row = Row("group", "kind", "figure", "s", median, "base", baseline, target)

    assert row.verdict == verdict


@pytest.mark.parametrize("kind", list(UseCase))
def test_throughput_measures_the_main_route_every_json_route_and_healthz(kind: UseCase) -> None:
    catalogue = CATALOGUE[kind].routes
    measured = routes_to_measure(kind.value)
    paths = [route.path for route in measured]

    assert measured[0] == catalogue[0]
    assert [r for r in catalogue if r.content_type == "application/json" and r in measured] == [
        r for r in catalogue if r.content_type == "application/json" and "openapi" not in r.path
    ]
    assert "/healthz" in paths
    assert len(paths) == len(set(paths))


class _QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real servers

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hello_server() -> Iterator[str]:
    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        body = b'{"status": "ok"}'
        start_response(  # type: ignore[operator]
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    port = free_port()
    server = make_server("127.0.0.1", port, app, WSGIServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/healthz"
    server.shutdown()
    server.server_close()


def test_python_load_generator_is_bounded_and_counts_requests(hello_server: str) -> None:
    result = run_python_load(hello_server, duration=0.5, connections=1)

    assert result.requests > 0
    assert result.errors == 0
    assert 0 < result.p50_ms <= result.p99_ms


@pytest.mark.slow
def test_smallest_benchmark_writes_every_group_to_json(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    command = [
        *(sys.executable, "-m", "bench", "--kind", "prototype", "--runs", "1", "--warmup", "0"),
        *("--installer", "uv", "--duration", "1", "--connections", "2", "--output", str(output)),
    ]

    completed = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    document = json.loads(output.read_text())
    assert {"started", "finished", "machine", "options", "groups"} <= document.keys()
    assert list(document["groups"]) == [
        "generation",
        "addition",
        "startup",
        "install",
        "throughput",
    ]
    # The prototype has no generator: `flaskstarter add` has nothing to add to it.
    assert document["groups"].pop("addition")["rows"] == []
    for name, group in document["groups"].items():
        assert group["rows"] and group["samples"], name
        for row in group["rows"]:
            assert {
                "use_case",
                "subject",
                "unit",
                "median",
                "ratio",
                "target",
                "verdict",
            } <= row.keys()
            assert row["verdict"] in {"pass", "miss", ""}, (name, row)
            assert row["median"] > 0, (name, row)
    throughput = {row["subject"] for row in document["groups"]["throughput"]["rows"]}
    catalogue = {f"GET {route.path}" for route in CATALOGUE[UseCase.PROTOTYPE].routes}
    assert catalogue | {"bare GET /", "bare GET /json"} <= throughput
    assert document["groups"]["startup"]["imports"]["flaskstarter --help"]["top"]
    assert "Generation" in completed.stdout and "Served throughput" in completed.stdout
    assert "| prototype | `bare GET /json` |" in results_markdown(document)
