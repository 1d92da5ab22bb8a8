"""`%spark panel` and `sparkconnect.panel()`: a live control panel in the cell's output.

In a Jupyter front end it is a widget (anywidget, on the Jupyter widget protocol): the server's
state, Start/Stop/Restart, the conf, the log, this notebook's jobs with a Cancel each, and the
Spark UI. Elsewhere (a terminal IPython, a script) it is the text status card with a note.
Nothing here is imported by `%load_ext`: the widget libraries load when a panel is first shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sparkconnect import api
from sparkconnect.render.display import Card

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from sparkconnect.render.jobs_ledger import OperationLedger

LIVE: list[Any] = []
"""The live panel of this kernel, if any (at most one: a new panel retires the previous)."""


def text_fallback(reason: str) -> Card:
    card = api.status()
    return card.note(
        f"{reason} Here, `%spark status`, `%spark jobs` and `%spark logs --follow 30` show the "
        "same things, and `%spark start`, `%spark stop`, `%spark restart` and `%spark conf` "
        "do what its buttons do."
    )


def open_panel(shell: InteractiveShell, ledger: OperationLedger, rich: bool) -> Any:
    """A new live panel (retiring the previous one), or the text card where widgets cannot
    show."""
    if not rich:
        return text_fallback(
            "The live panel needs a Jupyter front end (JupyterLab, Notebook, VS Code)."
        )
    try:
        from sparkconnect.notebook.panel.controller import Panel
    except ImportError as err:
        return text_fallback(
            f"The live panel needs the widget library anywidget ({err}); `pip install "
            "anywidget` in the kernel's environment, then restart the kernel."
        )
    close_all()
    panel = Panel(shell, ledger)
    LIVE.append(panel)
    return panel.widget


def close_all() -> None:
    """Stop every live panel's updates and threads (a new panel, `%unload_ext`)."""
    while LIVE:
        LIVE.pop().close()
