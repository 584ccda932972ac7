"""Generated apps under load: no failed request, no 5xx, worker memory that levels off."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.loadgen import run_python_load
from flaskstarter.smoke import ServedProject, run_smoke
from flaskstarter.use_cases import CATALOGUE, UseCase

pytestmark = pytest.mark.slow
SECONDS_PER_KIND = 20.0
CONNECTIONS = 32


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


def _load_every_route(served: ServedProject) -> None:
    info = CATALOGUE[UseCase(served.answers["use_case"])]
    paths = [route.path.format(**served.answers) for route in info.routes]
    per_route = SECONDS_PER_KIND / (2 * len(paths))
    pids = _gunicorn_pids(served.env.project)
    assert pids, "no gunicorn process found"
    # First pass warms every route up (imports, caches, connection pools); the second must
    # not need much more memory than the first left behind.
    for phase in ("warm-up", "steady"):
        for path in paths:
            result = run_python_load(served.base_url + path, per_route, CONNECTIONS)
            assert result.requests > 0, f"{phase} {path}: no request completed"
            assert result.errors == 0, (
                f"{phase} {path}: {result.errors} of {result.requests} failed"
            )
        if phase == "warm-up":
            warm = _rss_kib(pids)
    steady = _rss_kib(pids)
    assert steady <= warm * 1.25 + 16 * 1024, f"worker memory grew from {warm} KiB to {steady} KiB"


@pytest.mark.parametrize("use_case", list(UseCase), ids=[use_case.value for use_case in UseCase])
def test_bounded_load_ends_with_no_failure_and_bounded_memory(use_case: UseCase, request) -> None:
    answers = {"database": "postgresql"} if use_case is not UseCase.PROTOTYPE else {}
    if answers:
        request.getfixturevalue("postgres_url")

    report = run_smoke(use_case, answers, while_serving=_load_every_route)

    assert report.ok, report.summary()
