"""A followed view of the server log: the tail, then what is appended, through the same core
reads as `%spark logs` and `--follow` (filters applied by the core). The panel's Logs tab keeps
one per panel; the Lab's log tab reads a fresh one per request."""

from __future__ import annotations

from typing import Any

from sparkconnect._core import LogExcerpt
from sparkconnect.render.logview import LogFilter, read_more, read_tail
from sparkconnect.server import caller

SHOWN = 200
"""Lines the tab keeps: a screenful or two; `%spark logs -n` reaches further back."""


class LogFeed:
    def __init__(self) -> None:
        self.level: str | None = None
        self.grep: str | None = None
        self._excerpt: LogExcerpt | None = None
        self._path: str | None = None
        self.lines: list[list[str]] = []
        """[level, text] pairs (level "" for lines before the first header), oldest first."""
        self.truncated = False

    def set_filter(self, level: str | None, grep: str | None) -> None:
        self.level, self.grep = level, grep
        self._excerpt = None  # the next poll reads the tail again with the new filter

    def poll(self, path: str) -> bool:
        """Read what is new in the log at `path`; True when the lines changed."""
        wanted = LogFilter(SHOWN, self.level, self.grep)
        if self._excerpt is None or path != self._path:
            self._excerpt, self._path = read_tail(path, wanted), path
            self.truncated = self._excerpt.truncated
            self.lines = [[line.level or "", line.text] for line in self._excerpt.lines]
            return True
        self._excerpt = read_more(self._excerpt, wanted)
        if not self._excerpt.lines:
            return False
        new = [[line.level or "", line.text] for line in self._excerpt.lines]
        self.lines = (self.lines + new)[-SHOWN:]
        return True

    def state(self) -> dict[str, Any]:
        notes = []
        if not self.lines:
            what = "matching lines" if self.level or self.grep else "log lines"
            notes.append(f"No {what} yet.")
        if self.truncated:
            notes.append(
                f"Searched the end of a large log only; {caller.current().command('logs')} can "
                "say more."
            )
        return {
            "path": self._path or "",
            "level": self.level or "",
            "grep": self.grep or "",
            "lines": self.lines,
            "notes": notes,
        }
