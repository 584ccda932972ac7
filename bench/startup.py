"""Group 2: CLI start-up, `flaskstarter --help` and `list` against `copier --help`, and imports."""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass

from bench.commands import BenchError, console_script, run_timed
from bench.results import GroupResult, Row, Sample, Target, in_turn, median, run_label
from bench.settings import Progress, Settings

GROUP = "startup"
BASELINE = "copier --help"
# Start-up takes well under a second: three times as many runs cost little and steady the median.
RUNS_FACTOR = 3
TARGETS: dict[str, Target | None] = {"flaskstarter --help": Target("ratio", at_most=0.3)}
# Packages `--help` must not load: flaskstarter imports them only when a command needs them.
HEAVY = ("copier", "questionary", "jinja2", "pydantic", "plumbum", "yaml", "prompt_toolkit")


def startup_commands() -> dict[str, list[str]]:
    flaskstarter = console_script("flaskstarter")
    return {
        "flaskstarter --help": [*flaskstarter, "--help"],
        "flaskstarter list": [*flaskstarter, "list"],
        BASELINE: [*console_script("copier"), "--help"],
    }


@dataclass(frozen=True)
class ImportCost:
    package: str
    self_ms: float
    modules: int


def run_startup(settings: Settings, progress: Progress) -> GroupResult:
    """Time the three commands interleaved, then list what `--help` and `list` import."""
    result = GroupResult(GROUP, "CLI start-up (seconds)")
    commands = startup_commands()
    errors: dict[str, str] = {}
    runs = settings.runs * RUNS_FACTOR
    for run in range(-settings.warmup, runs):
        progress(f"startup: {run_label(run, runs)}")
        for subject in in_turn(list(commands), run):
            if subject in errors:
                continue
            try:
                timing, _ = run_timed(commands[subject], timeout=120)
            except BenchError as error:
                errors[subject] = str(error)
                continue
            result.samples.append(Sample.timed(GROUP, "cli", subject, run, timing))
    baseline = median(result.values("cli", BASELINE))
    result.rows = [_row(result, subject, baseline, errors.get(subject)) for subject in commands]
    progress("startup: python -X importtime")
    result.extra["imports"] = {
        subject: _import_report(subject.split()[1:], settings.import_rows, settings.runs)
        for subject in commands
        if subject.startswith("flaskstarter")
    }
    return result


def _row(result: GroupResult, subject: str, baseline: float | None, error: str | None) -> Row:
    is_baseline = subject == BASELINE
    return Row(
        GROUP,
        "cli",
        subject,
        "s",
        median(result.values("cli", subject)),
        baseline=None if is_baseline else BASELINE,
        baseline_median=None if is_baseline else baseline,
        target=TARGETS.get(subject),
        runs=len(result.values("cli", subject)),
        details={"cpu_s": median(result.extras("cli", subject, "cpu_s"))},
        error=error,
    )


def _import_report(arguments: list[str], rows: int, repeats: int) -> dict[str, object]:
    """Median self time per package over a few runs of `python -X importtime`."""
    command = [sys.executable, "-X", "importtime", "-m", "flaskstarter", *arguments]
    per_run: list[list[ImportCost]] = []
    try:
        for _ in range(repeats):
            per_run.append(import_costs(run_timed(command, timeout=120)[1]))
    except BenchError as error:
        return {"error": str(error)}
    modules = {cost.package: cost.modules for costs in per_run for cost in costs}
    medians = [
        ImportCost(package, statistics.median(_self_ms(costs, package) for costs in per_run), count)
        for package, count in modules.items()
    ]
    medians.sort(key=lambda cost: cost.self_ms, reverse=True)
    return {
        "total_ms": round(statistics.median(sum(c.self_ms for c in costs) for costs in per_run), 1),
        "top": [cost.__dict__ for cost in medians[:rows]],
        "heavy_loaded": sorted(set(modules) & set(HEAVY)),
    }


def _self_ms(costs: list[ImportCost], package: str) -> float:
    return next((cost.self_ms for cost in costs if cost.package == package), 0.0)


def import_costs(importtime_output: str) -> list[ImportCost]:
    """Self time of every module, added up per top-level package, costliest first."""
    self_us: dict[str, int] = defaultdict(int)
    modules: dict[str, int] = defaultdict(int)
    for line in importtime_output.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if not own.isdigit():
            continue  # the header line
        package = name.split(".")[0]
        self_us[package] += int(own)
        modules[package] += 1
    costs = [ImportCost(name, us / 1000, modules[name]) for name, us in self_us.items()]
    return sorted(costs, key=lambda cost: cost.self_ms, reverse=True)
