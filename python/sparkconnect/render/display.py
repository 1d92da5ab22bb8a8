"""Rich outputs: every object reads well as text in a terminal and renders as HTML in JupyterLab."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

_CARD_STYLE = (
    "border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin:2px 0;"
    "font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;display:inline-block"
)
_NOTE_COLORS = {"info": "#57606a", "warn": "#9a6700", "error": "#cf222e"}

# Conf keys and environment variables whose values are secrets (storage keys, passwords):
# notebooks get saved and shared, so their values never reach an output.
_SECRET_NAME = re.compile(r"secret|password|passwd|token|credential|(^|[._])key$", re.IGNORECASE)


def shown_value(name: str, value: str) -> str:
    return "•••" if _SECRET_NAME.search(name) else value


@dataclass
class Row:
    label: str
    text: str
    html: str | None = None
    """Value as HTML (a link, say); the escaped text when None."""


@dataclass
class Card:
    """A titled list of label/value rows with notes underneath."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(level, text) pairs; level is info, warn or error."""
    kind: str = "card"
    """Names the card in its CSS class (sparkconnect-<kind>), for styling and tests."""

    def note(self, text: str, level: str = "info") -> Card:
        self.notes.append((level, text))
        return self

    def __repr__(self) -> str:
        lines = [self.title]
        width = max((len(r.label) for r in self.rows), default=0)
        lines += [f"  {r.label.ljust(width)}  {r.text}" for r in self.rows]
        lines += [f"  {'!' if level != 'info' else '-'} {text}" for level, text in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:12px;font-weight:600'>"
            f"{html.escape(r.label)}</th><td style='text-align:left'>"
            f"{r.html if r.html is not None else html.escape(r.text)}</td></tr>"
            for r in self.rows
        )
        notes = "".join(
            f"<div class='sparkconnect-note sparkconnect-{level}' "
            f"style='color:{_NOTE_COLORS.get(level, '#57606a')}'>{html.escape(text)}</div>"
            for level, text in self.notes
        )
        table = f"<table style='margin:4px 0'>{rows}</table>" if rows else ""
        extra = f" sparkconnect-{self.kind}" if self.kind != "card" else ""
        return (
            f"<div class='sparkconnect-card{extra}' style='{_CARD_STYLE}'>"
            f"<div style='font-weight:600'>{html.escape(self.title)}</div>{table}{notes}</div>"
        )


def show(value: object) -> None:
    """Display `value` in the current cell's output (typed wrapper of IPython's display)."""
    from IPython.display import display

    display(value)  # type: ignore[no-untyped-call]


def publish(bundle: dict[str, str]) -> Any:
    """Display a mime bundle that can be updated in place; returns its DisplayHandle."""
    from IPython.display import display

    return display(bundle, raw=True, display_id=True)  # type: ignore[no-untyped-call]


def link(url: str, text: str | None = None) -> str:
    return f"<a href='{html.escape(url)}' target='_blank'>{html.escape(text or url)}</a>"


@dataclass
class Link:
    """A URL that is a link in JupyterLab and just the URL in a terminal."""

    url: str
    label: str

    def __repr__(self) -> str:
        return self.url

    def _repr_html_(self) -> str:
        return f"<div class='sparkconnect-link'>{self.label}: {link(self.url)}</div>"
