"""CPU microseconds per request of one route through the WSGI app alone: no server, no socket.

Run by the throughput group with a generated project's own Python, in the project folder:
    python wsgi_cost.py PACKAGE PATH [--profile]
Prints one JSON object. CPU time barely moves on a busy machine, so this says how much of a
route's served cost is the app itself; --profile adds the costliest functions (cProfile).
"""

from __future__ import annotations

import cProfile
import importlib
import json
import pstats
import re
import sys
import time
from typing import Any

WARMUP_REQUESTS = 100
MIN_REQUESTS = 200
CPU_SECONDS = 1.0


def main() -> None:
    package, path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, "")
    app = importlib.import_module(package).create_app()
    call = _caller(app, path)
    for _ in range(WARMUP_REQUESTS):
        call()
    count, started = 0, time.process_time()
    while count < MIN_REQUESTS or time.process_time() - started < CPU_SECONDS:
        call()
        count += 1
    report: dict[str, Any] = {
        "us_per_request": (time.process_time() - started) / count * 1e6,
        "requests": count,
    }
    if "--profile" in sys.argv:
        report["profile"] = _profile(call, count, package)
    print(json.dumps(report))


def _caller(app: Any, path: str) -> Any:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path, base_url="http://127.0.0.1:8000").get_environ()
    statuses: list[str] = []

    def start_response(status: str, headers: object, exc_info: object = None) -> None:
        statuses.append(status)

    def call() -> None:
        statuses.clear()
        body = app(dict(environ), start_response)
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        if not statuses or not statuses[0].startswith("200"):
            raise SystemExit(f"GET {path} answered {statuses}")

    return call


def _profile(call: Any, count: int, package: str, rows: int = 12) -> dict[str, Any]:
    """Share of the profiled time per function: the project's by cumulative, all by own."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in stats.values()) or 1.0

    def spot(key: tuple[str, int, str], value: tuple[Any, ...]) -> dict[str, Any]:
        file, line, function = key
        return {
            "function": function,
            "file": f"{_short(file)}:{line}",
            "self_share": value[2] / total,
            "total_share": value[3] / total,
        }

    ours = [item for item in stats.items() if f"/{package}/" in item[0][0]]
    ours.sort(key=lambda item: item[1][3], reverse=True)
    everything = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)
    return {
        "project": [spot(*item) for item in ours[:rows]],
        "self": [spot(*item) for item in everything[:rows]],
    }


def _short(file: str) -> str:
    """flask/app.py rather than the whole venv path; the project's files from its root."""
    if "/project/" in file:
        return file.split("/project/", 1)[1]
    return re.sub(r"^.*?/lib/python3\.\d+/(site-packages/)?", "", file)


if __name__ == "__main__":
    main()
