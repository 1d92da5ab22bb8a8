"""Notices: something the user should know that is not an error (a session renewed after
`spark.stop()`, builder confs that only a server start applies).

Printed to stderr they would read as failures: JupyterLab draws stderr in its error style, and
their `code` spans would show as literal backquotes. In IPython they are a quiet output instead
(muted in JupyterLab, code as code; plain text in a terminal IPython). The session layer says
them through `session/notices.py`, which the extension points here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sparkconnect.render.display import escape, html_output, show
from sparkconnect.wording import PREFIX


@dataclass
class Notice:
    text: str
    """One paragraph; Markdown `code` spans become code in HTML."""
    level: str = "info"
    """info (muted) or warn."""

    def __repr__(self) -> str:
        return PREFIX + self.text

    def _repr_html_(self) -> str:
        # The stylesheet's note classes: muted text (warn: the theme's warning colour).
        body = f"<div class='sparkconnect-note sparkconnect-{self.level}'>{escape(self.text)}</div>"
        return html_output("notice", body)


def show_notice(text: str, level: str = "info") -> None:
    """Display a notice in the current cell's output (the extension's presenter)."""
    show(Notice(text, level))
