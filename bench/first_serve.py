"""From a fresh clone to a served default project, as a newcomer runs it (issue #14).

    python -m bench.first_serve [-k KIND]... [--installer uv|pip]... [-n RUNS] [--warmup N]

Per kind and installer, each step is what README.md's first command and the generated README
say, with that installer: clone this repository (its committed HEAD); make a venv and install
flaskstarter (`pip install .`, or `uv venv` + `uv pip install .`); `flaskstarter new ../demo -k
KIND --defaults`; in the project, a venv and `install -e '.[dev]'`; `flask db upgrade` when the
project has migrations; `flask run` until its main route answers 200. Prints the seconds of each
step (medians of the runs, after the warm-up runs that fill pip's and uv's caches) as Markdown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import yaml

from bench.commands import BenchError, run_timed
from bench.results import in_turn, median
from flaskstarter.smoke.project_env import find_uv
from flaskstarter.use_cases import CATALOGUE, UseCase

REPO_ROOT = Path(__file__).resolve().parent.parent
STEPS = ("clone", "install flaskstarter", "new", "install project", "migrate", "first answer")
SERVE_TIMEOUT = 120.0
# The newcomer's shell: the system's tools, no venv, nothing the project reads.
_DROPPED = ("VIRTUAL_ENV", "PYTHONPATH", "FLASK_", "APP_ENV", "SECRET_KEY", "DATABASE_URL")


def environment(uv_folder: Path | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(_DROPPED)}
    path = ["/usr/local/bin", "/usr/bin", "/bin"]
    env["PATH"] = os.pathsep.join([str(uv_folder), *path] if uv_folder else path)
    return env


def first_serve(kind: str, installer: str, scratch: Path) -> dict[str, float]:
    """One newcomer's way from `git clone` to the project's first answer; seconds per step."""
    uv = shutil.which("uv", path=str(scratch / "bin")) if installer == "uv" else None
    env = environment(scratch / "bin" if uv else None)
    checkout, project = scratch / "flaskstarter", scratch / "demo"
    seconds: dict[str, float] = {}

    def step(name: str, *command: str, cwd: Path = scratch) -> None:
        timing, _ = run_timed(command, cwd=cwd, env=env)
        seconds[name] = seconds.get(name, 0.0) + timing.wall

    step("clone", "git", "clone", "--quiet", str(REPO_ROOT), str(checkout))
    for command in _install(uv, "."):
        step("install flaskstarter", *command, cwd=checkout)
    step("new", str(checkout / ".venv/bin/flaskstarter"), "new", str(project), "-k", kind, "-y")
    for command in _install(uv, ".[dev]", editable=True):
        step("install project", *command, cwd=project)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    flask = [str(project / ".venv/bin/flask"), "--app", answers["package_name"]]
    if (project / "migrations").is_dir():
        step("migrate", *flask, "db", "upgrade", cwd=project)
    route = CATALOGUE[UseCase(kind)].routes[0].path.format(**answers)
    seconds["first answer"] = _first_answer([*flask, "run"], route, project, env)
    return seconds


def _install(uv: str | None, target: str, *, editable: bool = False) -> list[list[str]]:
    """The README's install commands: uv when it is there, venv + pip otherwise."""
    spec = ["-e", target] if editable else [target]
    if uv:
        return [[uv, "venv", "--quiet", ".venv"], [uv, "pip", "install", "--quiet", *spec]]
    return [["python3", "-m", "venv", ".venv"], [".venv/bin/pip", "install", "--quiet", *spec]]


def _first_answer(run: list[str], route: str, project: Path, env: dict[str, str]) -> float:
    """Start `flask run` and wait for the kind's main route to answer 200."""
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [*run, "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - started < SERVE_TIMEOUT:
            if server.poll() is not None:
                raise BenchError(f"flask run exited with {server.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{route}", timeout=5) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        raise BenchError(f"no answer on {route} within {SERVE_TIMEOUT:.0f} s")
    finally:
        server.terminate()
        server.wait(timeout=15)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(
    kinds: list[str], installers: list[str], runs: int, warmup: int, progress: Callable[[str], None]
) -> dict[tuple[str, str], list[dict[str, float]]]:
    """Every kind with every installer, runs interleaved; warm-up runs are left out."""
    found: dict[tuple[str, str], list[dict[str, float]]] = {}
    for run in range(-warmup, runs):
        for kind in in_turn(kinds, run):
            for installer in in_turn(installers, run):
                progress(f"{kind} with {installer}, {'warm-up' if run < 0 else f'run {run + 1}'}")
                with tempfile.TemporaryDirectory(prefix="bench-first-serve-") as scratch:
                    folder = Path(scratch)
                    _uv_folder(folder / "bin")
                    seconds = first_serve(kind, installer, folder)
                if run >= 0:
                    found.setdefault((kind, installer), []).append(seconds)
    return found


def _uv_folder(folder: Path) -> None:
    folder.mkdir()
    found = find_uv()
    if found:
        (folder / "uv").symlink_to(found)


def markdown(found: dict[tuple[str, str], list[dict[str, float]]]) -> str:
    lines = [
        "| kind | installer | " + " | ".join(STEPS) + " | total |",
        "|---|---|" + "---:|" * (len(STEPS) + 1),
    ]
    for (kind, installer), samples in found.items():
        cells = [median(sample.get(step, 0.0) for sample in samples) or 0.0 for step in STEPS]
        total = median(sum(sample.values()) for sample in samples) or 0.0
        figures = " | ".join(f"{cell:.1f}" for cell in [*cells, total])
        lines.append(f"| {kind} | {installer} | {figures} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.first_serve", description=__doc__)
    parser.add_argument("-k", "--kind", action="append", choices=[k.value for k in UseCase])
    parser.add_argument("--installer", action="append", choices=["uv", "pip"])
    parser.add_argument("-n", "--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    options = parser.parse_args(argv)
    kinds = options.kind or [kind.value for kind in UseCase]
    installers = options.installer or ["uv", "pip"]
    if "uv" in installers and find_uv() is None:
        parser.error("uv is not installed (pip install uv), or pass --installer pip")
    try:
        found = measure(kinds, installers, options.runs, options.warmup, _progress)
    except BenchError as error:
        sys.exit(f"bench.first_serve: {error}")
    print(markdown(found))


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
