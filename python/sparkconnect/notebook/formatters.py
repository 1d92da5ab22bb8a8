"""Registers the DataFrame table and the session card with IPython's display machinery, and
removes them.

Registered by name, so loading the extension does not import pyspark (half a second) and a
notebook that never touches Spark never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.render.session_card import session_card
from sparkconnect.render.tables import dataframe_bundle
from sparkconnect.render.ui_link_option import UI_LINK
from sparkconnect.session.binding import KERNEL_SESSION

DATAFRAME_MODULE = "pyspark.sql.connect.dataframe"
DATAFRAME_CLASS = "DataFrame"
SESSION_MODULE = "sparkconnect.session.notebook_session"
SESSION_CLASS = "NotebookSession"


def session_bundle(session: Any) -> dict[str, str]:
    """`spark` ending a cell: its card, in a terminal IPython too (text/plain)."""
    server, remote = KERNEL_SESSION.location(session)
    card = session_card(session, server, remote, UI_LINK.template)
    return {"text/plain": repr(card), "text/html": card._repr_html_()}


class DataFrameFormatter:
    """The mime-bundle printer IPython calls for a Connect DataFrame that ends a cell."""

    def __init__(self, max_rows: Callable[[], int]) -> None:
        self.max_rows = max_rows
        self.previous: Any = None

    def __call__(self, df: Any) -> dict[str, str]:
        return dataframe_bundle(df, self.max_rows())

    def install(self, shell: InteractiveShell) -> None:
        assert shell.display_formatter is not None, "a shell always has a display formatter"
        formatter = shell.display_formatter.mimebundle_formatter
        self.previous = formatter.for_type_by_name(DATAFRAME_MODULE, DATAFRAME_CLASS, self)
        # The session is ours: nothing was registered for it before.
        formatter.for_type_by_name(SESSION_MODULE, SESSION_CLASS, session_bundle)

    def uninstall(self, shell: InteractiveShell) -> None:
        assert shell.display_formatter is not None, "a shell always has a display formatter"
        formatter = shell.display_formatter.mimebundle_formatter
        formatter.pop(f"{DATAFRAME_MODULE}.{DATAFRAME_CLASS}", None)
        formatter.pop(f"{SESSION_MODULE}.{SESSION_CLASS}", None)
        if self.previous is not None:
            formatter.for_type_by_name(DATAFRAME_MODULE, DATAFRAME_CLASS, self.previous)
