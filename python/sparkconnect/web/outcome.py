"""What the page is told after an action or a save: ok or not, one HTML card or paragraph for
the sidebar's message area, and its text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sparkconnect.render.display import escape, html_output
from sparkconnect.render.start_failure import StartFailure


@dataclass
class Outcome:
    ok: bool
    html: str
    text: str
    failure: StartFailure | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "level": "info" if self.ok else "error",
            "html": self.html,
            "text": self.text,
            "start_failed": self.failure is not None,
        }


def said(ok: bool, text: str) -> Outcome:
    """An outcome that is one paragraph (none for no text)."""
    if not text:
        return Outcome(ok, "", "")
    kind = "" if ok else "sparkconnect-error"
    return Outcome(ok, html_output("message", f"<div class='{kind}'>{escape(text)}</div>"), text)
