"""`%spark logs`: the server log with levels coloured, filters, and a live `--follow`."""

from __future__ import annotations

import html
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sparkconnect import _core
from sparkconnect._core import LogExcerpt
from sparkconnect.render.display import colour, colour_enabled, escape, html_output, publish

FOLLOW_POLL = 0.5
"""Seconds between reads while following: quick enough to feel live, rare enough to cost nothing."""

# The terminal colour of each level (the HTML form styles the classes sparkconnect-log-<level>).
_LEVEL_COLOUR = {"FATAL": "error", "ERROR": "error", "WARN": "warn", "DEBUG": "dim", "TRACE": "dim"}


class Line(Protocol):
    """A log line with the level of its entry (the core's LogLine, or a quoted one)."""

    @property
    def text(self) -> str: ...
    @property
    def level(self) -> str | None: ...


@dataclass(frozen=True)
class QuotedLine:
    text: str
    level: str | None


def with_levels(texts: Sequence[str]) -> list[QuotedLine]:
    """Lines quoted from a log (in an error message), each with the level of its entry."""
    return [
        QuotedLine(text, level)
        for text, level in zip(texts, _core.line_levels(list(texts)), strict=True)
    ]


@dataclass
class LogFilter:
    n: int = 50
    level: str | None = None
    """Entries of this level and above."""
    grep: str | None = None
    """Lines containing this text (case-insensitive)."""

    @property
    def counts_entries(self) -> bool:
        """`n` counts entries (a header and its continuation lines), not lines."""
        return bool(self.level and not self.grep)

    def describe(self, found: int | None = None) -> str:
        """What is shown, in words; `found`: how many entries (or lines) were found, when the log
        had fewer than `n` to give (a header must not promise the last 8 when 3 exist)."""
        one, unit = ("entry", "entries") if self.counts_entries else ("line", "lines")
        if found is not None and 0 < found < self.n:
            parts = [f"the only {one}" if found == 1 else f"all {found} {unit}"]
        else:
            parts = [f"last {self.n} {unit}"]
        if self.level:
            parts.append(f"level {self.level} and above")
        if self.grep:
            parts.append(f"containing {self.grep!r}")
        return ", ".join(parts)


def read_tail(path: str, wanted: LogFilter) -> LogExcerpt:
    return _core.read_log_tail(path, wanted.n, level=wanted.level, grep=wanted.grep)


def read_more(after: LogExcerpt, wanted: LogFilter) -> LogExcerpt:
    return _core.read_log_since(after, level=wanted.level, grep=wanted.grep)


@dataclass
class LogView:
    """Log lines as plain text in a terminal and as coloured HTML in JupyterLab."""

    path: str
    lines: Sequence[Line]
    wanted: LogFilter = field(default_factory=LogFilter)
    truncated: bool = False
    """The search gave up before finding `n` lines (a rare match in a large log)."""
    scanned: int = 0
    status: str = ""
    """A line under the log, e.g. while following."""

    @classmethod
    def of(cls, excerpt: LogExcerpt, wanted: LogFilter) -> LogView:
        return cls(excerpt.path, list(excerpt.lines), wanted, excerpt.truncated, excerpt.scanned)

    def found(self) -> int:
        """How many entries (or lines, as `n` counts them) are shown."""
        if not self.wanted.counts_entries:
            return len(self.lines)
        return sum(1 for line in self.lines if _core.line_level(line.text) is not None)

    def notes(self) -> list[str]:
        notes = []
        if not self.lines:
            what = "matching lines" if self.wanted.level or self.wanted.grep else "log lines"
            notes.append(f"(no {what} yet in {self.path})")
        if self.truncated:
            notes.append(
                f"(searched the last {self.scanned / 2**20:.0f} MiB of the log; older lines were "
                "not searched)"
            )
        if self.status:
            notes.append(self.status)
        return notes

    def __repr__(self) -> str:
        enabled = colour_enabled()
        return "\n".join(
            [line_text(line, enabled) for line in self.lines]
            + [colour(note, "dim", enabled) for note in self.notes()]
        )

    def _repr_html_(self) -> str:
        body = "\n".join(line_html(line) for line in self.lines)
        notes = "".join(
            f"<div class='sparkconnect-dim'>{escape(note)}</div>" for note in self.notes()
        )
        found = None if self.truncated else self.found()
        header = f"{escape(self.path)} · {escape(self.wanted.describe(found))}"
        return html_output(
            "log",
            f"<div class='sparkconnect-dim' style='font-size:12px'>{header}</div>"
            f"<pre class='sparkconnect-pre' style='max-height:30em'>{body}</pre>{notes}",
        )

    def bundle(self) -> dict[str, str]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}


def line_html(line: Line) -> str:
    level = (line.level or "none").lower()
    return (
        f"<span class='sparkconnect-log-line sparkconnect-log-{level}'>"
        f"{html.escape(line.text)}</span>"
    )


def line_text(line: Line, enabled: bool | None = None) -> str:
    """The line for a terminal: coloured by its level when the output is one."""
    return colour(line.text, _LEVEL_COLOUR.get(line.level or ""), enabled)


def follow(path: str, wanted: LogFilter, seconds: float, rich: bool) -> None:
    """Show the tail, then keep it live for `seconds` (infinite: until interrupted): in place in
    JupyterLab (the last `n` lines), as appended lines in a terminal. Ctrl-C (or the stop button)
    ends it quietly."""
    excerpt = read_tail(path, wanted)
    view = LogView.of(excerpt, wanted)
    deadline = time.monotonic() + seconds
    forever = math.isinf(seconds)
    view.status = "(following until interrupted)" if forever else f"(following for {seconds:g} s)"
    handle = publish(view.bundle()) if rich else None
    if handle is None:
        for line in view.lines:
            print(line_text(line))
    try:
        while time.monotonic() < deadline:
            time.sleep(min(FOLLOW_POLL, max(0.0, deadline - time.monotonic())))
            excerpt = read_more(excerpt, wanted)
            if not excerpt.lines:
                continue
            if handle is not None:
                view.lines = [*view.lines, *excerpt.lines][-wanted.n :]
                handle.update(view.bundle(), raw=True)
            else:
                for line in excerpt.lines:
                    print(line_text(line))
                sys.stdout.flush()
        view.status = f"(followed for {seconds:g} s)"
    except KeyboardInterrupt:
        view.status = "(stopped following)"
    if handle is not None:
        handle.update(view.bundle(), raw=True)
    else:
        print(view.status)
