"""`python -m bench`: choose groups, kinds and runs; print a table per group; write the JSON."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench.addition import run_addition
from bench.generation import run_generation
from bench.install import run_install
from bench.report import show, write_json
from bench.results import GroupResult
from bench.settings import GROUPS, INSTALLERS, LOAD_GENERATORS, Progress, Settings
from bench.startup import run_startup
from bench.throughput import run_throughput
from flaskstarter.use_cases import UseCase

RESULTS = Path(__file__).parent / "results"
RUNNERS: dict[str, Callable[[Settings, Progress], GroupResult]] = {
    "generation": run_generation,
    "addition": run_addition,
    "startup": run_startup,
    "install": run_install,
    "throughput": run_throughput,
}


def parser() -> argparse.ArgumentParser:
    use_cases = [use_case.value for use_case in UseCase]
    parse = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark flaskstarter: every figure a median of interleaved runs, "
        "against a baseline measured in the same invocation.",
    )
    parse.add_argument("--group", "-g", action="append", choices=GROUPS, help="default: all")
    parse.add_argument(
        "--kind", "-k", dest="use_case", action="append", choices=use_cases, help="default: all"
    )
    parse.add_argument("--runs", "-n", type=int, default=3, help="timed runs (default 3)")
    parse.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parse.add_argument(
        "--installer", action="append", choices=INSTALLERS, help="default: uv and pip"
    )
    parse.add_argument("--duration", type=float, default=5.0, help="seconds of load per route")
    parse.add_argument("--connections", type=int, default=8, help="keep-alive connections")
    parse.add_argument("--workers", type=int, default=1, help="gunicorn workers (every app)")
    parse.add_argument("--threads", type=int, default=4, help="gunicorn threads (every app)")
    parse.add_argument("--load-generator", choices=LOAD_GENERATORS, default="auto")
    parse.add_argument(
        "--profile",
        action="store_true",
        help="profile every served route: py-spy on gunicorn, cProfile on the app",
    )
    parse.add_argument(
        "--output", "-o", type=Path, help="JSON file (default: bench/results/bench-<time>.json)"
    )
    return parse


def settings_from(arguments: argparse.Namespace, output: Path) -> Settings:
    return Settings(
        groups=tuple(dict.fromkeys(arguments.group or GROUPS)),
        use_cases=tuple(
            dict.fromkeys(arguments.use_case or [use_case.value for use_case in UseCase])
        ),
        runs=arguments.runs,
        warmup=arguments.warmup,
        installers=tuple(dict.fromkeys(arguments.installer or INSTALLERS)),
        duration=arguments.duration,
        connections=arguments.connections,
        workers=arguments.workers,
        threads=arguments.threads,
        load_generator=arguments.load_generator,
        profile_dir=output.parent / output.stem if arguments.profile else None,
    )


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parser().parse_args(argv)
    started = datetime.now(UTC)
    output = arguments.output or RESULTS / f"bench-{started:%Y%m%dT%H%M%SZ}.json"
    try:
        settings = settings_from(arguments, output)
    except ValueError as error:
        parser().error(str(error))
    # Measure as on a developer's machine: Python caches byte-code (some sandboxes turn it off).
    bytecode_disabled = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    console = Console(highlight=False, width=None if _terminal() else 160)
    status = Console(stderr=True, highlight=False)
    groups = []
    try:
        for name in settings.groups:
            groups.append(RUNNERS[name](settings, lambda message: status.log(message)))
    except KeyboardInterrupt:
        status.print("Aborted.")
        raise SystemExit(130) from None
    show(groups, console)
    options = {**asdict(settings), "PYTHONDONTWRITEBYTECODE_dropped": bool(bytecode_disabled)}
    path = write_json(groups, output, options, started)
    console.print(f"Raw runs: {path}")
    if any(row.verdict == "error" for group in groups for row in group.rows):
        raise SystemExit(1)


def _terminal() -> bool:
    return Console().is_terminal
