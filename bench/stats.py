"""Medians, spreads, ratios and the Markdown table."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured figure, its samples, and optionally the baseline it is compared with."""

    name: str
    unit: str
    samples: list[float]
    target: str
    baseline: str | None = None
    baseline_samples: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_samples) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        """ours / baseline (below 1 is better for times and memory)."""
        base = self.baseline_median
        return self.median / base if base else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "median": self.median,
            "baseline_median": self.baseline_median,
            "ratio": self.ratio,
        }


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.3g} {unit}"


def _spread(samples: list[float], unit: str) -> str:
    if len(samples) < 2:
        return f"n={len(samples)}"
    return f"{_fmt(min(samples), unit)}–{_fmt(max(samples), unit)}, n={len(samples)}"


def markdown(figures: list[Figure], machine: dict[str, Any], mode: str) -> str:
    lines = [
        f"# sparkconnect benchmarks ({mode} mode)",
        "",
        "| figure | ours (median) | spread | baseline | baseline (median) | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        lines.append(
            f"| {f.name} | {_fmt(f.median, f.unit)} | {_spread(f.samples, f.unit)} | "
            f"{f.baseline or '—'} | {_fmt(f.baseline_median, f.unit)} | {ratio} | {f.target} |"
        )
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    lines += ["", *notes, "", "Machine:", ""]
    lines += [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"
