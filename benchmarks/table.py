"""Rows of the benchmark table and how they are printed.

Every ``benchmarks/bench_*.py`` module exposes ``rows() -> list[Row]``; ``benchmarks/run.py``
collects them. A row compares a measured value with a baseline measured in the same run (the
machines are shared and noisy, so ratios are what we trust) and with a goal.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    """One figure a user feels.

    ``goal_on`` says whether ``goal`` bounds the ``ratio`` (value / baseline) or the ``value``.
    ``value`` None means it could not be measured in this run; say why in ``note``.
    """

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    goal: float | None = None
    goal_on: str = "value"  # "value" or "ratio"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        if self.value is None or self.goal is None:
            return None
        measured = self.ratio if self.goal_on == "ratio" else self.value
        return None if measured is None else measured <= self.goal

    @property
    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        return f"ratio ≤ {self.goal:g}" if self.goal_on == "ratio" else f"≤ {self.goal:g} {self.unit}"

    def fields(self) -> dict:
        """The row's fields, to pass from a benchmark process to ``run.py`` (``Row(**fields)``)."""
        return dataclasses.asdict(self)

    def as_json(self) -> dict:
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "baseline": self.baseline, "ratio": self.ratio, "goal": self.goal_text or None,
                "met": self.met, "note": self.note}


def timings(fn: Callable[[], object], repeat: int = 20, warmup: int = 2) -> list[float]:
    """Wall times of ``repeat`` calls of ``fn()`` in milliseconds, after ``warmup`` calls.

    The garbage of whatever ran before is collected first, so its collection does not land
    inside these timings.
    """
    for _ in range(warmup):
        fn()
    gc.collect()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def median_time(fn: Callable[[], object], repeat: int = 20, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    return statistics.median(timings(fn, repeat, warmup))


def interleaved(fn: Callable[[], object], base: Callable[[], object], repeat: int,
                warmup: int = 3) -> tuple[float, float, float]:
    """Median wall times (ms) of ``fn`` and ``base`` measured alternately, so load from other
    processes on a shared machine hits both alike; and the ratio of their median CPU times."""
    for _ in range(warmup):
        fn()
        base()
    gc.collect()
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for i, f in enumerate((fn, base)):
            c0, t0 = time.process_time(), time.perf_counter()
            f()
            wall[i].append((time.perf_counter() - t0) * 1000)
            cpu[i].append(time.process_time() - c0)
    ratio = statistics.median(cpu[0]) / max(statistics.median(cpu[1]), 1e-9)
    return statistics.median(wall[0]), statistics.median(wall[1]), ratio


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


def as_text(rows: list[Row]) -> str:
    head = ["name", "value", "unit", "baseline", "ratio", "goal", "met"]
    body = [[r.name, _fmt(r.value), r.unit, _fmt(r.baseline), _fmt(r.ratio), r.goal_text,
             {True: "yes", False: "NO", None: "n/a"}[r.met] + (f" ({r.note})" if r.note else "")]
            for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) for r in body]
    return "\n".join(lines)


def as_markdown(rows: list[Row]) -> str:
    lines = ["| name | value | unit | baseline | ratio | goal | met |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "n/a"}[r.met]
        if r.note:
            met += f" ({r.note})"
        lines.append(f"| {r.name} | {_fmt(r.value)} | {r.unit} | {_fmt(r.baseline)} | "
                     f"{_fmt(r.ratio)} | {r.goal_text} | {met} |")
    return "\n".join(lines)


def as_json(rows: list[Row]) -> str:
    return json.dumps([r.as_json() for r in rows], indent=2)
