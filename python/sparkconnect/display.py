"""Rich outputs: every object reads well as text in a terminal and renders as HTML in JupyterLab."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

_CARD_STYLE = (
    "border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin:2px 0;"
    "font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;display:inline-block"
)
_NOTE_COLORS = {"info": "#57606a", "warn": "#9a6700", "error": "#cf222e"}


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
        return (
            f"<div class='sparkconnect-card' style='{_CARD_STYLE}'>"
            f"<div style='font-weight:600'>{html.escape(self.title)}</div>{table}{notes}</div>"
        )


def show(value: object) -> None:
    """Display `value` in the current cell's output (typed wrapper of IPython's display)."""
    from IPython.display import display

    display(value)  # type: ignore[no-untyped-call]


def link(url: str, text: str | None = None) -> str:
    return f"<a href='{html.escape(url)}' target='_blank'>{html.escape(text or url)}</a>"


@dataclass
class LogTail:
    """The last lines of the server log."""

    path: str
    lines: list[str]

    def __repr__(self) -> str:
        if not self.lines:
            return f"(no log lines yet in {self.path})"
        return "\n".join(self.lines)

    def _repr_html_(self) -> str:
        body = html.escape(repr(self))
        return (
            f"<div class='sparkconnect-log'><div style='font-size:12px;color:#57606a'>"
            f"{html.escape(self.path)}</div><pre style='max-height:30em;overflow:auto;"
            f"font-size:12px'>{body}</pre></div>"
        )
