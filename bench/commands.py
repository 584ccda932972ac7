"""Timing a command, and finding the commands the benchmark compares."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class BenchError(Exception):
    """A measured command failed: the figure is reported as an error, the others go on."""


def console_script(name: str, module: str | None = None) -> list[str]:
    """The console script installed beside this Python, else `python -m module`."""
    script = Path(sys.executable).parent / name
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", module or name]


@dataclass
class Timing:
    """Wall-clock seconds, and CPU seconds of the child processes (steadier on a busy machine)."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Timing]:
    """Time a block that waits for child processes: wall clock and the children's CPU."""
    timing = Timing()
    started, cpu_before = time.perf_counter(), _children_cpu()
    yield timing
    timing.wall = time.perf_counter() - started
    timing.cpu = _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> tuple[Timing, str]:
    """Run a command to completion; return how long it took and its output."""
    try:
        with timed() as timing:
            completed = subprocess.run(
                list(command),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
    except subprocess.TimeoutExpired as expired:
        raise BenchError(f"{_shown(command)} timed out after {timeout:.0f} s") from expired
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise BenchError(f"{_shown(command)} exited with {completed.returncode}:\n{tail(output)}")
    return timing, output


def tail(output: str, lines: int = 15) -> str:
    return "\n".join(output.strip().splitlines()[-lines:])


def _shown(command: Sequence[str]) -> str:
    return " ".join(Path(part).name if os.sep in part else part for part in command[:4])
