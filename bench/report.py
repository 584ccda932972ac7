"""Rich tables of a benchmark's results, one per group, and the JSON file of every raw run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bench.results import GroupResult, Row

VERDICT_STYLE = {"pass": "[green]pass[/]", "miss": "[bold red]miss[/]", "error": "[red]error[/]"}


def group_table(group: GroupResult) -> Table:
    table = Table(title=group.title, title_justify="left")
    for column in ("kind", "figure", "median", "baseline", "ratio", "target", "result", "notes"):
        table.add_column(column, justify="right" if column in {"median", "ratio"} else "left")
    for row in group.rows:
        baseline = (
            f"{row.baseline}: {_number(row.baseline_median, row.unit)}" if row.baseline else ""
        )
        table.add_row(
            row.use_case,
            escape(row.subject),
            _number(row.median, row.unit),
            escape(baseline),
            f"{row.ratio:.2f}x" if row.ratio is not None else "",
            row.target.describe(row.unit) if row.target else "",
            VERDICT_STYLE.get(row.verdict, ""),
            escape(_notes(row)),
        )
    return table


def imports_table(group: GroupResult) -> Table | None:
    imports = group.extra.get("imports")
    if not imports:
        return None
    table = Table(title="Top import costs (python -X importtime, self time per package)")
    for column in ("command", "package", "ms", "modules"):
        table.add_column(column, justify="right" if column in {"ms", "modules"} else "left")
    for command, report in imports.items():
        if "error" in report:
            table.add_row(command, escape(report["error"].splitlines()[0]), "", "")
            continue
        heavy = ", ".join(report["heavy_loaded"]) or "none"
        table.add_row(command, f"all ({'heavy loaded: ' + heavy})", f"{report['total_ms']:.1f}", "")
        for cost in report["top"]:
            table.add_row("", cost["package"], f"{cost['self_ms']:.1f}", str(cost["modules"]))
    return table


def profiles_table(group: GroupResult, rows: int = 5) -> Table | None:
    profiles = group.extra.get("profiles")
    if not profiles:
        return None
    table = Table(title="Hot spots of each route (share of profiled time)")
    for column in ("route", "profile", "function", "self", "with calls"):
        table.add_column(column, justify="right" if column in {"self", "with calls"} else "left")
    for route, found in profiles.items():
        for view, label in (("app", "app alone (cProfile)"), ("served", "gunicorn (py-spy)")):
            profile = found.get(view, {})
            if "error" in profile:
                table.add_row(route, label, escape(profile["error"].splitlines()[0]), "", "")
                route = ""
                continue
            for part in ("project", "self"):
                for spot in profile.get(part, [])[:rows]:
                    where = f"{label}, {'project code' if part == 'project' else 'own time'}"
                    table.add_row(
                        route,
                        where,
                        escape(f"{spot['function']} ({spot['file']})"),
                        f"{spot['self_share']:.0%}",
                        f"{spot['total_share']:.0%}",
                    )
                    route = ""
    return table


def show(groups: list[GroupResult], console: Console) -> None:
    for group in groups:
        console.print(group_table(group))
        for extra_table in (imports_table(group), profiles_table(group)):
            if extra_table is not None:
                console.print(extra_table)
        for row in group.rows:
            if row.error:
                console.print(f"[red]{row.use_case} {escape(row.subject)}:[/] {escape(row.error)}")


def write_json(
    groups: list[GroupResult], path: Path, options: dict[str, Any], started: datetime
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": options,
        "groups": {group.name: group.as_json() for group in groups},
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def machine() -> dict[str, Any]:
    """What the figures depend on: CPU, Python and the versions of the tools compared."""
    versions: dict[str, str | None] = {}
    for name in ("flaskstarter-cli", "copier", "typer", "uv"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "python": sys.version.split()[0],
        "commit": _git_head(),
        "versions": versions,
    }


def _notes(row: Row) -> str:
    if row.error:
        return row.error.splitlines()[0][:70]
    details = row.details
    parts = []
    if details.get("p50_ms") is not None:
        parts.append(f"p50 {details['p50_ms']:.1f} ms, p99 {details['p99_ms']:.1f} ms")
    if details.get("app_us") is not None:
        app = f"app {details['app_us']:.0f} µs/req"
        if details.get("baseline_app_us") is not None:
            app += f" vs {details['baseline_app_us']:.0f}"
        parts.append(app)
    if details.get("cpu_s") is not None:
        cpu = f"cpu {details['cpu_s']:.2f} s"
        if details.get("baseline_cpu_s") is not None:
            cpu += f" vs {details['baseline_cpu_s']:.2f} s"
        parts.append(cpu)
    if details.get("pytest_seconds") is not None:
        parts.append(f"pytest says {details['pytest_seconds']:.2f} s")
    if details.get("files") is not None:
        parts.append(f"{details['files']} files")
    parts.append(f"{row.runs} runs")
    return ", ".join(parts)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if unit == "req/s" else f"{value:.3f} s"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_head() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return None
    return found.stdout.strip() or None
