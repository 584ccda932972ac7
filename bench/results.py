"""What a benchmark group produces: raw samples, and one summary row per figure with its target."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bench.commands import Timing


@dataclass(frozen=True)
class Target:
    """A limit on a row's ratio to its baseline, or on its absolute median."""

    on: Literal["ratio", "value"]
    at_most: float | None = None
    at_least: float | None = None

    def met_by(self, value: float) -> bool:
        if self.at_most is not None and value > self.at_most:
            return False
        return not (self.at_least is not None and value < self.at_least)

    def describe(self, unit: str) -> str:
        sign, limit = ("≤", self.at_most) if self.at_most is not None else ("≥", self.at_least)
        suffix = "x" if self.on == "ratio" else f" {unit}"
        return f"{sign} {limit:g}{suffix}"


@dataclass
class Sample:
    """One timed run, kept in the JSON file as measured."""

    group: str
    use_case: str
    subject: str
    run: int
    value: float
    unit: str
    warmup: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def timed(
        cls, group: str, use_case: str, subject: str, run: int, timing: Timing, **extra: Any
    ) -> Sample:
        """A run measured in seconds: wall clock as the value, the children's CPU beside it."""
        return cls(
            group, use_case, subject, run, timing.wall, "s", run < 0, {"cpu_s": timing.cpu, **extra}
        )


@dataclass
class Row:
    """One figure: the median of a subject's runs against the median of its baseline's."""

    group: str
    use_case: str
    subject: str
    unit: str
    median: float | None
    baseline: str | None = None
    baseline_median: float | None = None
    target: Target | None = None
    runs: int = 0
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.baseline_median:
            return None
        return self.median / self.baseline_median

    @property
    def verdict(self) -> str:
        """One of pass, miss, error; empty when the row has no target."""
        if self.error:
            return "error"
        if self.target is None:
            return ""
        value = self.ratio if self.target.on == "ratio" else self.median
        if value is None:
            return "error"
        return "pass" if self.target.met_by(value) else "miss"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = self.target.describe(self.unit) if self.target else None
        data["ratio"] = self.ratio
        data["verdict"] = self.verdict
        return data


@dataclass
class GroupResult:
    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def values(self, use_case: str, subject: str) -> list[float]:
        """The timed (not warm-up) values of one subject."""
        return [
            sample.value
            for sample in self.samples
            if sample.use_case == use_case and sample.subject == subject and not sample.warmup
        ]

    def extras(self, use_case: str, subject: str, key: str) -> list[Any]:
        """One detail of every timed run of a subject (e.g. its CPU seconds)."""
        return [
            sample.extra[key]
            for sample in self.samples
            if sample.use_case == use_case
            and sample.subject == subject
            and not sample.warmup
            and key in sample.extra
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "rows": [row.as_json() for row in self.rows],
            "samples": [asdict(sample) for sample in self.samples],
            **self.extra,
        }


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def run_label(run: int, runs: int) -> str:
    """Progress text for a run: warm-up runs are numbered below zero."""
    return "warm-up" if run < 0 else f"run {run + 1}/{runs}"


def in_turn(items: list[Any], run: int) -> list[Any]:
    """The items in order on even runs, reversed on odd ones: no subject always goes first."""
    return list(items) if run % 2 == 0 else list(reversed(items))
