"""The panel's buttons run the `%spark` magic itself, so they do exactly what typing it does
(bind `spark`, save the conf, show the same cards and the same errors).

Outputs of a widget's message handler reach no cell, so they are captured and shown in the
panel's message area instead: the cards as HTML, an error as the one paragraph IPython would
print for it.
"""

from __future__ import annotations

import html
import shlex
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from sparkconnect._core import StartError

ERROR_LINES = 3
"""Lines of a foreign error (pyspark's, with a JVM stack trace) worth showing in the panel."""


@dataclass
class Outcome:
    ok: bool
    html: str
    text: str
    start_failed: bool = False

    def message(self) -> dict[str, Any]:
        return {"level": "info" if self.ok else "error", "html": self.html, "text": self.text}


def error_text(error: BaseException) -> str:
    """What IPython shows for this error in a cell: our errors' one paragraph, a UsageError's
    line, and the first lines of anything else."""
    if isinstance(error, KeyboardInterrupt):
        return "Interrupted."
    render = getattr(error, "_render_traceback_", None)
    if callable(render):
        return "\n".join(render())
    if isinstance(error, UsageError):
        return f"UsageError: {error}"
    lines = str(error).strip().splitlines()[:ERROR_LINES]
    return f"{type(error).__name__}: {' '.join(line.strip() for line in lines)}"


def command_line(*words: str) -> str:
    return " ".join(shlex.quote(word) for word in words)


def run_magic(shell: InteractiveShell, line: str) -> Outcome:
    """Run `%spark <line>` and collect what it showed."""
    error: BaseException | None = None
    with capture_output() as captured:
        try:
            shell.run_line_magic("spark", line)
        except (Exception, KeyboardInterrupt) as err:
            error = err
    parts = []
    texts = []
    for output in captured.outputs:
        data = output.data
        texts.append(data.get("text/plain", ""))
        plain = f"<pre>{html.escape(data.get('text/plain', ''))}</pre>"
        parts.append(data.get("text/html") or plain)
    if captured.stdout.strip():
        texts.append(captured.stdout.strip())
        parts.append(f"<pre>{html.escape(captured.stdout.strip())}</pre>")
    if error is not None:
        said = error_text(error)
        texts.append(said)
        parts.append(f"<div class='spc-error-text'>{html.escape(said)}</div>")
    return Outcome(
        ok=error is None,
        html="".join(parts),
        text="\n".join(t for t in texts if t),
        start_failed=isinstance(error, StartError),
    )
