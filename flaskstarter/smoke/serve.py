"""Serve a generated project under real gunicorn on loopback, and check what it answers."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape

from flaskstarter.smoke.project_env import ProjectEnv
from flaskstarter.use_cases import RouteCheck


class ServeError(Exception):
    """gunicorn did not start, or stopped."""


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: str
    headers: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_command(env: ProjectEnv, package: str, port: int) -> list[str]:
    """The command the project's README gives, bound to a loopback port."""
    command = ["gunicorn", "--bind", f"127.0.0.1:{port}"]
    if (env.project / "gunicorn.conf.py").is_file():
        command += ["--config", "gunicorn.conf.py"]
    if (env.project / package / "wsgi.py").is_file():
        return [*command, f"{package}.wsgi:app"]
    return [*command, f"{package}:create_app()"]


@contextlib.contextmanager
def served(
    env: ProjectEnv, package: str, extra_env: dict[str, str], log: Path, startup_timeout: float = 60
) -> Iterator[str]:
    """Run gunicorn for the project; yield its base URL; stop it gracefully afterwards."""
    port = free_port()
    command = gunicorn_command(env, package, port)
    executable = str(env.bin / command[0])
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [executable, *command[1:]],
            cwd=env.project,
            env=env.environ({**extra_env, "PORT": str(port), "HOST": "127.0.0.1"}),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_listening(process, port, startup_timeout, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(process)


def get(url: str, timeout: float = 10) -> Response:
    request = urllib.request.Request(url, headers={"Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return _response(reply.status, reply.headers, reply.read())
    except urllib.error.HTTPError as error:
        return _response(error.code, error.headers, error.read())


def _response(status: int, headers: Any, body: bytes) -> Response:
    content_type = headers.get("Content-Type", "")
    return Response(status, content_type, body.decode(), dict(headers.items()))


def check_route(
    base_url: str, route: RouteCheck, answers: dict[str, object], headers: tuple[str, ...] = ()
) -> str | None:
    """GET one route; None when it answers as promised (with `headers`), else what was wrong."""
    path = route.path.format(**answers)
    marker = route.marker.format(**answers)
    try:
        response = get(base_url + path)
    except (OSError, UnicodeDecodeError) as error:
        return f"GET {path}: {error}"
    if response.status != 200:
        return f"GET {path}: status {response.status}"
    if not response.content_type.startswith(route.content_type):
        return f"GET {path}: content type {response.content_type!r}, expected {route.content_type}"
    if marker and marker not in response.body and str(escape(marker)) not in response.body:
        return f"GET {path}: body lacks {marker!r}"
    missing = [name for name in headers if name.lower() not in map(str.lower, response.headers)]
    if missing:
        return f"GET {path}: missing headers {', '.join(missing)}"
    return None


def _wait_until_listening(
    process: subprocess.Popen[bytes], port: int, timeout: float, log: Path
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
        # Any HTTP answer counts: gunicorn opens the port before its workers load the app.
        try:
            get(f"http://127.0.0.1:{port}/", timeout=max(1.0, deadline - time.monotonic()))
            return
        except OSError:
            time.sleep(0.2)
    raise ServeError(
        f"gunicorn did not answer on port {port} within {timeout:.0f} s:\n{_tail(log)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()


def _tail(log: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
