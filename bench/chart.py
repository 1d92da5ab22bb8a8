"""The headline comparison as bars (cold start, the first cell of a pre-starting kernel, attach,
memory per alternative), next to the Markdown table: people compare bars faster than numbers."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from .peers import Peer

OURS_COLOUR, PEER_COLOUR = "#d9480f", "#868e96"


def draw(peers: dict[str, Peer], notebooks: int, title: str, path: Path) -> bool:
    """Writes the PNG; False (and nothing written) when there is nothing to draw."""
    panels = [
        ("cold start to first answer", "s", {k: _median(p.cold) for k, p in peers.items()}),
        (
            "first Spark cell, a few s after kernel start",
            "s",
            {k: _median(p.first_cell) for k, p in peers.items() if p.key != "bare"},
        ),
        ("attach to first answer", "s", {k: _median(p.attached) for k, p in peers.items()}),
        (f"memory, {notebooks} notebooks", "MiB", {k: p.memory_mib for k, p in peers.items()}),
    ]
    panels = [
        (name, unit, {k: v for k, v in values.items() if v is not None})
        for name, unit, values in panels
    ]
    panels = [panel for panel in panels if panel[2]]
    if not panels:
        return False
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    from matplotlib import pyplot as plt

    # Two panels a row: four side by side would squeeze the bar labels.
    columns = min(2, len(panels))
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 3.0 * rows), squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (name, unit, values) in zip(axes.flat, panels, strict=False):
        keys = list(values)
        heights = [values[k] for k in keys]
        colours = [OURS_COLOUR if k == "ours" else PEER_COLOUR for k in keys]
        bars = ax.barh([peers[k].short for k in keys], heights, color=colours)
        ax.invert_yaxis()  # ours on top
        ax.bar_label(bars, labels=[_label(v, unit) for v in heights], padding=3, fontsize=8)
        ax.set_title(f"{name} (less is better)", fontsize=10)
        ax.set_xlabel(unit)
        ax.set_xlim(0, max(heights) * 1.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def _median(samples: list[float]) -> float | None:
    return statistics.median(samples) if samples else None


def _label(value: float, unit: str) -> str:
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.chart OUT.png RESULT.json...`: one chart from the peers of several
    results (focused runs of different scenarios); a later file's figures win where it has
    them."""
    import argparse
    import json

    from .peers import peers as fresh_peers

    parser = argparse.ArgumentParser(prog="python -m bench.chart")
    parser.add_argument("out", type=Path)
    parser.add_argument("results", type=Path, nargs="+")
    args = parser.parse_args(argv)
    merged, notebooks = fresh_peers(), 0
    for path in args.results:
        data = json.loads(path.read_text())
        notebooks = max(notebooks, _notebooks(data))
        for key, peer in data.get("peers", {}).items():
            for name in ("cold", "attach", "prestarted", "memory_mib"):
                if peer.get(name):
                    setattr(merged[key], name, peer[name])
    names = ", ".join(path.name for path in args.results)
    draw(merged, notebooks, f"sparkconnect vs alternatives ({names})", args.out)


def _notebooks(data: dict[str, Any]) -> int:
    """The notebook count of a result's memory figure (its name says it)."""
    import re

    for figure in data.get("figures", []):
        found = re.search(r"(\d+) notebooks", str(figure.get("name", "")))
        if found:
            return int(found.group(1))
    return 0


if __name__ == "__main__":
    main()
