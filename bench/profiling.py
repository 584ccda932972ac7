"""Where a served route spends its time: py-spy on the gunicorn workers while load runs.

Used by the throughput group (`--profile`) for every route it serves: the collapsed
stacks are saved beside the JSON, and the costliest functions are summarised in it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.commands import BenchError

# "function (path/to/file.py:123)" as py-spy writes a frame in its raw (collapsed) format.
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
_PROCESS = re.compile(r'^process \d+:"')
_LIBRARY = re.compile(r"^.*?/lib/python3\.\d+/(site-packages/)?")


@dataclass(frozen=True)
class HotSpot:
    function: str
    file: str
    self_share: float
    total_share: float


def gunicorn_workers(port: int) -> list[int]:
    """The pids of the gunicorn workers serving this loopback port (the master's children)."""
    bound = f"127.0.0.1:{port}".encode()
    parents: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if bound in command and any(b"gunicorn" in part for part in command):
            parents[int(proc.name)] = parent
    workers = sorted(pid for pid, parent in parents.items() if parent in parents)
    if not workers:
        raise BenchError(f"no gunicorn worker found for port {port}")
    return workers


def profile_under_load(
    port: int, duration: float, output: Path, load: Callable[[], object], package: str
) -> dict[str, list[HotSpot]]:
    """Record the workers with py-spy while `load` runs; return the costliest functions."""
    beside = Path(sys.executable).parent / "py-spy"
    py_spy = str(beside) if beside.is_file() else shutil.which("py-spy")
    if py_spy is None:
        raise BenchError("py-spy is not installed (pip install py-spy)")
    command = [
        py_spy,
        "record",
        "--pid",
        str(gunicorn_workers(port)[0]),  # the benchmark runs one worker unless told otherwise
        "--duration",
        str(max(1, round(duration))),
        "--rate",
        "250",
        "--gil",  # only samples holding the GIL: where the CPU goes, not threads waiting for it
        "--format",
        "raw",
        "--output",
        str(output),
    ]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    loader = threading.Thread(target=load)
    loader.start()
    loader.join()
    _, errors = recorder.communicate(timeout=duration + 60)
    if recorder.returncode != 0 or not output.is_file():
        raise BenchError(f"py-spy failed: {errors.decode(errors='replace').strip()[-500:]}")
    return hot_spots(output.read_text(encoding="utf-8", errors="replace"), package)


def hot_spots(collapsed: str, package: str = "", count: int = 10) -> dict[str, list[HotSpot]]:
    """The functions with the most samples of their own, and the project's own functions by
    samples anywhere on the stack (what a route's middleware costs, calls included).

    py-spy leaves idle threads out by default: the shares are of busy time.
    """
    own: Counter[tuple[str, str]] = Counter()
    anywhere: Counter[tuple[str, str]] = Counter()
    busy = 0
    for line in collapsed.splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit() or not stack:
            continue
        frames = [_frame(frame) for frame in stack.split(";") if not _PROCESS.match(frame)]
        if not frames:
            continue
        busy += int(samples)
        own[frames[-1]] += int(samples)
        for frame in set(frames):
            anywhere[frame] += int(samples)
    if not busy:
        return {"self": [], "project": []}

    def spot(frame: tuple[str, str]) -> HotSpot:
        return HotSpot(frame[0], frame[1], own[frame] / busy, anywhere[frame] / busy)

    ours = [frame for frame in anywhere if package and frame[1].startswith(f"{package}/")]
    return {
        "self": [spot(frame) for frame in _top(own, own, count)],
        "project": [spot(frame) for frame in _top(ours, anywhere, count)],
    }


def _top(
    frames: Iterable[tuple[str, str]], counts: Counter[tuple[str, str]], count: int
) -> list[tuple[str, str]]:
    return sorted(frames, key=lambda frame: counts[frame], reverse=True)[:count]


def _frame(text: str) -> tuple[str, str]:
    found = _FRAME.match(text.strip())
    if not found:
        return text.strip(), ""
    return found["function"], _short(found["file"])


def _short(file: str) -> str:
    """flask/app.py rather than the whole venv path; the project's files from its root."""
    if "/project/" in file:
        return file.split("/project/", 1)[1]
    return _LIBRARY.sub("", file)
