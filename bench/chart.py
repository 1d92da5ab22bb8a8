"""The headline comparison as bars (cold start, attach, memory per alternative), next to the
Markdown table: people compare bars faster than numbers."""

from __future__ import annotations

import statistics
from pathlib import Path

from .peers import Peer

OURS_COLOUR, PEER_COLOUR = "#d9480f", "#868e96"


def draw(peers: dict[str, Peer], notebooks: int, title: str, path: Path) -> bool:
    """Writes the PNG; False (and nothing written) when there is nothing to draw."""
    panels = [
        ("cold start to first answer", "s", {k: _median(p.cold) for k, p in peers.items()}),
        ("attach to first answer", "s", {k: _median(p.attach) for k, p in peers.items()}),
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

    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    for ax, (name, unit, values) in zip(axes[0], panels, strict=True):
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
