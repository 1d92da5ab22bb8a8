"""The panel's widget model: the traits the front end (panel.js, panel.css; shipped in the
package, nothing loads from the network) renders.

Traits flow one way, kernel to browser; the browser speaks in custom messages (`model.send`),
which the controller handles. So the kernel's threads are the only writers of the model, and a
refresh can never race with a half-typed value coming the other way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
from traitlets import Bool, Dict, List, Unicode

HERE = Path(__file__).parent


class PanelWidget(anywidget.AnyWidget):
    _esm = HERE / "panel.js"
    _css = HERE / "panel.css"

    server = Dict().tag(sync=True)
    """State, Spark version, master, uptime, memory, attached notebooks (see snapshot.py)."""
    busy = Unicode("").tag(sync=True)
    """The action under way ("start", "stop", ...), or ""."""
    kernel_busy = Bool(False).tag(sync=True)
    """A cell is running: messages from the panel wait for it."""
    message = Dict().tag(sync=True)
    """The last action's outcome: {level, html, text, id}."""
    tab = Unicode("status").tag(sync=True)
    profiles: List[dict[str, str]] = List().tag(sync=True)
    """[{name, description}] from the config file."""
    profile = Unicode("").tag(sync=True)
    profiles_error = Unicode("").tag(sync=True)
    known_keys: List[list[str]] = List().tag(sync=True)
    """[[key, what it does, applies]] for completion."""
    conf_rows = Dict().tag(sync=True)
    """{rows: [{key, value, scope}], version}: what the editor starts from."""
    conf_checks = Dict().tag(sync=True)
    """{seq, checks: [...]}: the checks of the draft the front end sent as `seq`."""
    conf_plan_html = Unicode("").tag(sync=True)
    log = Dict().tag(sync=True)
    jobs = Dict().tag(sync=True)
    """{rows, notes, running}"""
    cancel = Dict().tag(sync=True)
    """{url, secret} of the cancel endpoint, or {} when the browser cannot reach it."""

    def __init__(self, on_close: Callable[[], None], **kwargs: Any) -> None:
        self._on_close = on_close
        super().__init__(**kwargs)

    def __repr__(self) -> str:
        # The text/plain of the widget's output: what a front end without widgets (nbconvert,
        # a text console on the same kernel) shows instead of the panel.
        state = self.server.get("label", "unknown")
        return f"Spark Connect control panel (server: {state}); it is live in JupyterLab."

    def close(self) -> None:
        on_close, self._on_close = self._on_close, lambda: None
        on_close()  # stop the threads first, so none writes to a closed comm
        super().close()
