"""Medians, spreads, ratios and the Markdown tables."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from .peers import Peer


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
    compare: bool = True
    """Show ours / baseline; False when the baseline is context only (the figure is already a
    difference from it)."""

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
        return self.median / base if base and self.compare else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "median": self.median,
            "baseline_median": self.baseline_median,
            "ratio": self.ratio,
        }


def fmt(value: float | None, unit: str) -> str:
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
    return f"{fmt(min(samples), unit)}–{fmt(max(samples), unit)}, n={len(samples)}"


def _median(samples: list[float]) -> float | None:
    return statistics.median(samples) if samples else None


def _versus(ours: float | None, theirs: float | None, unit: str) -> str:
    """A peer's figure and ours as a share of it."""
    if theirs is None:
        return "—"
    shown = fmt(theirs, unit)
    return shown if ours is None or ours == theirs else f"{shown} (ours {ours / theirs:.2f}×)"


def comparison(peers: dict[str, Peer], notebooks: int) -> str:
    """The headline table: each alternative's cold start, attach and memory, with ours as a
    share of each."""
    ours = peers["ours"]
    mine = (_median(ours.cold), _median(ours.attached), ours.memory_mib)
    lines = [
        f"| alternative | cold start to first answer | attach to first answer | "
        f"memory, {notebooks} notebooks | note |",
        "|---|---|---|---|---|",
    ]
    for peer in peers.values():
        theirs = (_median(peer.cold), _median(peer.attached), peer.memory_mib)
        cells = [
            _versus(m, t, unit) for m, t, unit in zip(mine, theirs, ("s", "s", "MiB"), strict=True)
        ]
        lines.append(f"| {peer.label} | {' | '.join(cells)} | {peer.note or ''} |")
    return "\n".join(lines)


def markdown(
    figures: list[Figure],
    peers: dict[str, Peer],
    notebooks: int,
    machine: dict[str, Any],
    mode: str,
) -> str:
    lines = [f"# sparkconnect benchmarks ({mode} mode)", ""]
    if any(p.cold or p.attach or p.memory_mib for p in peers.values()):
        lines += ["Next to the alternatives (medians):", "", comparison(peers, notebooks), ""]
    lines += [
        "| figure | ours (median) | spread | baseline | baseline (median) | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        lines.append(
            f"| {f.name} | {fmt(f.median, f.unit)} | {_spread(f.samples, f.unit)} | "
            f"{f.baseline or '—'} | {fmt(f.baseline_median, f.unit)} | {ratio} | {f.target} |"
        )
    notes = [f"- {f.name}: {f.note}" for f in figures if f.note]
    lines += ["", *notes, "", "Machine:", ""]
    lines += [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"
