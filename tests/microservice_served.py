"""A generated microservice installed once, served by real gunicorn, and its Celery worker."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flaskstarter.smoke.project_env import ProjectEnv
from flaskstarter.smoke.serve import Response, served


def send(url: str, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    """A GET with `headers`, or a POST of `body` as JSON (the harness's `get` sends neither).

    Each request opens its own connection, so gunicorn's workers share the load.
    """
    data = None if body is None else json.dumps(body).encode()
    outgoing = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=15) as reply:  # loopback only
            status, received, content = reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        status, received, content = error.code, error.headers, error.read()
    content_type = received.get("Content-Type", "")
    return Response(status, content_type, content.decode(), dict(received.items()))


def metric_total(metrics_text: str, name: str, **labels: str) -> float:
    """Sum of the samples called `name` whose labels include `labels`."""
    total = 0.0
    for line in metrics_text.splitlines():
        if not line.startswith(name + "{"):
            continue
        label_text, _, value = line[len(name) + 1 :].rpartition("} ")
        found = dict(part.split("=", 1) for part in label_text.split(","))
        if all(found.get(key) == f'"{wanted}"' for key, wanted in labels.items()):
            total += float(value)
    return total


@dataclass
class Service:
    """A generated microservice in its own venv: serve it, start its worker."""

    env: ProjectEnv
    package: str
    workdir: Path

    @contextmanager
    def serving(self, environ: dict[str, str], name: str) -> Iterator[tuple[str, Path]]:
        """gunicorn with 2 workers on loopback; yields (base URL, log file)."""
        log = self.workdir / f"{name}.log"
        run_env = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2", **environ}
        with served(self.env, self.package, run_env, log) as base_url:
            yield base_url, log

    @contextmanager
    def celery_worker(self, environ: dict[str, str], timeout: float = 60) -> Iterator[Path]:
        """A real Celery worker process; yields its log once it says it is ready."""
        log = self.workdir / "worker.log"
        command = [
            str(self.env.bin / "celery"),
            "-A",
            f"{self.package}.worker:celery_app",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ]
        with log.open("w") as output:
            process = subprocess.Popen(
                command,
                cwd=self.env.project,
                env=self.env.environ(environ),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                deadline = time.monotonic() + timeout
                while " ready." not in log.read_text():
                    assert process.poll() is None, f"the worker stopped:\n{log.read_text()}"
                    assert time.monotonic() < deadline, f"no worker ready:\n{log.read_text()}"
                    time.sleep(0.2)
                yield log
            finally:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
