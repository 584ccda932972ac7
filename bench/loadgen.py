"""Load on a loopback URL for a bounded time: wrk when installed, else a Python generator."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.commands import BenchError
from bench.results import median


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    # 429 answers (a rate limiter doing its job), counted apart from errors; the Python
    # generator only: wrk counts them among its non-2xx errors.
    refused: int = 0


def pick_generator(choice: str) -> str:
    """Return "wrk" or "python": auto means wrk when it is on PATH."""
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if choice == "wrk" and not shutil.which("wrk"):
        raise BenchError(
            "wrk is not installed (apt-get install wrk), or use --load-generator python"
        )
    return choice


def apply_load(url: str, generator: str, duration: float, connections: int) -> LoadResult:
    """GET the URL from `connections` keep-alive connections for `duration` seconds."""
    _require_loopback(url)
    if generator == "wrk":
        return run_wrk(url, duration, connections)
    result = run_python_load(url, duration, connections)
    if not result.requests:  # all refused: no figure to report
        raise BenchError(f"no request to {url} succeeded ({result.refused} answered 429)")
    return result


def run_wrk(url: str, duration: float, connections: int) -> LoadResult:
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "--latency",
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"wrk failed: {completed.stderr.strip() or completed.stdout.strip()}")
    return parse_wrk(completed.stdout)


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> LoadResult:
    """Requests/s, p50 and p99 from `wrk --latency` output; non-2xx/3xx and socket errors."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rate or not total:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    percentiles = {
        int(found.group(1)): float(found.group(2)) * _UNIT_MS[found.group(3)]
        for found in re.finditer(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    }
    errors = 0
    if non_ok := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(non_ok.group(1))
    if socket := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(count) for count in socket.groups())
    return LoadResult(
        float(rate.group(1)),
        percentiles.get(50, float("nan")),
        percentiles.get(99, float("nan")),
        int(total.group(1)),
        errors,
    )


def run_python_load(url: str, duration: float, connections: int) -> LoadResult:
    """A bounded fallback: one thread per keep-alive connection, every latency recorded."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    deadline = time.perf_counter() + duration
    tallies = [_Tally() for _ in range(connections)]
    threads = [
        threading.Thread(
            target=_client, args=(parts.hostname, parts.port, path, deadline, tally), daemon=True
        )
        for tally in tallies
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 10)
    elapsed = time.perf_counter() - started
    every = sorted(latency for tally in tallies for latency in tally.latencies)
    refused = sum(tally.refused for tally in tallies)
    if not every and not refused:
        raise BenchError(f"no request to {url} was answered")
    # A rate limiter may refuse every request of a run: no latency to report then.
    return LoadResult(
        len(every) / elapsed,
        (median(every) or 0.0) * 1000,
        every[min(len(every) - 1, int(len(every) * 0.99))] * 1000 if every else 0.0,
        len(every),
        sum(tally.errors for tally in tallies),
        refused,
    )


@dataclass
class _Tally:
    """What one connection saw; each thread writes only its own."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    refused: int = 0


def _client(host: str | None, port: int | None, path: str, deadline: float, tally: _Tally) -> None:
    connection = http.client.HTTPConnection(host or "127.0.0.1", port, timeout=5)
    try:
        while (started := time.perf_counter()) < deadline:
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                tally.errors += 1
                connection.close()
                continue
            if response.status == 429:
                tally.refused += 1
            elif response.status >= 400:
                tally.errors += 1
            else:
                tally.latencies.append(time.perf_counter() - started)
    finally:
        connection.close()


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise BenchError(f"load is only ever sent to loopback addresses, not {host}")
