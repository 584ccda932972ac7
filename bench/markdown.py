"""Markdown tables of a results file, for README.md's Performance section.

Run as `python -m bench.markdown bench/results/bench-<time>.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def results_markdown(document: dict[str, Any]) -> str:
    machine = document["machine"]
    options = document["options"]
    lines = [
        f"Measured {document['started'][:10]} on {machine['cpu']} ({machine['cores']} cores), "
        f"Python {machine['python']}, commit {machine['commit']}; "
        f"{options['runs']} interleaved runs after {options['warmup']} warm-up, medians.",
        "",
    ]
    for group in document["groups"].values():
        lines += [f"**{group['title']}**", "", *_table(group["rows"]), ""]
    return "\n".join(lines)


def _table(rows: list[dict[str, Any]]) -> list[str]:
    out = [
        "| kind | figure | median | baseline | ratio | target | result |",
        "|---|---|---:|---|---:|---|---|",
    ]
    for row in rows:
        baseline = ""
        if row["baseline"]:
            baseline = f"{row['baseline']}: {_number(row['baseline_median'], row['unit'])}"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else ""
        cells = [
            row["use_case"],
            f"`{row['subject']}`",
            _number(row["median"], row["unit"]),
            baseline,
            ratio,
            row["target"] or "",
            {"pass": "pass", "miss": "**miss**", "error": "error"}.get(row["verdict"], ""),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} req/s" if unit == "req/s" else f"{value:.2f} s"


def main() -> None:
    print(results_markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
