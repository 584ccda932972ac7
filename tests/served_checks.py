"""What every smoke run of a claimed answer combination adds: hostile free text, and a load.

The template test files smoke each claimed combination once; with these, each of those runs
also proves that hostile free-text answers still give a project that installs, passes its own
tests and linters and serves (issue #7, section 2), and that the served app takes a bounded
load with no failed request and worker memory that levels off (section 3).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from bench.loadgen import run_python_load
from flaskstarter.smoke import ServedProject
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

ServingCheck = Callable[[ServedProject], None]


def under_load(*first: ServingCheck) -> ServingCheck:
    """A `while_serving` hook: the given checks, then a bounded load on every route."""

    def check(served: ServedProject) -> None:
        for extra in first:
            extra(served)
        load_every_route(served)

    return check


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
