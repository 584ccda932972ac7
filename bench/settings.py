"""What one invocation of the benchmark measures, and how hard it pushes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flaskstarter.use_cases import UseCase

Progress = Callable[[str], None]

GROUPS = ("generation", "addition", "startup", "install", "throughput")
INSTALLERS = ("uv", "pip")
LOAD_GENERATORS = ("auto", "wrk", "python")

# Bounds of the load on loopback, whatever the options say.
MAX_DURATION = 60.0
MAX_CONNECTIONS = 64


@dataclass(frozen=True)
class Settings:
    groups: tuple[str, ...] = GROUPS
    use_cases: tuple[str, ...] = tuple(use_case.value for use_case in UseCase)
    runs: int = 3
    warmup: int = 1
    installers: tuple[str, ...] = INSTALLERS
    duration: float = 5.0
    connections: int = 8
    workers: int = 1
    threads: int = 4
    load_generator: str = "auto"
    import_rows: int = 8
    # Where py-spy's stacks of a route that misses its target go; None: no profiling.
    profile_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.runs < 1 or self.warmup < 0:
            raise ValueError("runs must be at least 1 and warm-up runs at least 0")
        if not 0 < self.duration <= MAX_DURATION:
            raise ValueError(f"duration must be in (0, {MAX_DURATION:g}] seconds")
        if not 1 <= self.connections <= MAX_CONNECTIONS:
            raise ValueError(f"connections must be in [1, {MAX_CONNECTIONS}]")
        if self.workers < 1 or self.threads < 1:
            raise ValueError("workers and threads must be at least 1")

    @property
    def gunicorn_args(self) -> str:
        """The same worker settings for every app served, overriding their gunicorn.conf.py."""
        return (
            f"--workers {self.workers} --threads {self.threads} "
            "--worker-class gthread --keep-alive 5"
        )
