"""A start that failed, as a card: what failed, the relevant log lines, what to do.

The core's StartError message is one paragraph that names the cause and the likely fix, followed
by "Last lines of <log>:" and the log lines, indented. The card shows the paragraph, the lines
with their levels coloured, and the next steps. A message of another shape is shown whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sparkconnect.render.display import colour, escape, html_output
from sparkconnect.render.logview import line_html, line_text, with_levels

LOG_MARKER = "Last lines of "
NEXT_STEPS = (
    "`%spark logs --level WARN` shows the warnings and errors of the server log.",
    "`%spark conf` shows the conf a start applies; fix an item with `%spark conf KEY=VALUE` "
    "(or `--unset KEY`).",
    "Then `%spark start` again.",
)


@dataclass
class StartFailure:
    """A StartError, shown in full in the cell's output."""

    message: str

    def parts(self) -> tuple[str, str | None, list[str]]:
        """(what failed, log path, quoted log lines)."""
        head, marker, tail = self.message.partition(LOG_MARKER)
        if not marker:
            return self.message.strip(), None, []
        path, _, lines = tail.partition(":\n")
        quoted = [line[4:] if line.startswith("    ") else line for line in lines.splitlines()]
        return head.strip(), path, quoted

    def __repr__(self) -> str:
        what, path, lines = self.parts()
        out = [colour("Spark Connect server did not start", "error"), f"  {what}"]
        if path:
            out.append(f"  Last lines of {path}:")
            out += [f"    {line_text(line)}" for line in with_levels(lines)]
        out += ["  What to do:"] + [f"  - {step}" for step in NEXT_STEPS]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        what, path, lines = self.parts()
        log = ""
        if path:
            rendered = "\n".join(line_html(line) for line in with_levels(lines))
            log = (
                f"<div class='sparkconnect-dim'>Last lines of {escape(path)}:</div>"
                f"<pre class='sparkconnect-pre' style='max-height:20em'>{rendered}</pre>"
            )
        steps = "".join(f"<li>{escape(step)}</li>" for step in NEXT_STEPS)
        body = (
            "<div class='sparkconnect-box sparkconnect-failure'>"
            "<div class='sparkconnect-title'>Spark Connect server did not start</div>"
            f"<div style='margin:4px 0'>{escape(what)}</div>{log}"
            f"<div class='sparkconnect-title'>What to do</div><ul>{steps}</ul></div>"
        )
        return html_output("start-failure", body)
