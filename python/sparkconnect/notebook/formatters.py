"""Registers the DataFrame table rendering with IPython's display machinery, and removes it.

Registered by name, so loading the extension does not import pyspark (half a second) and a
notebook that never touches Spark never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.render.tables import dataframe_bundle

DATAFRAME_MODULE = "pyspark.sql.connect.dataframe"
DATAFRAME_CLASS = "DataFrame"


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

    def uninstall(self, shell: InteractiveShell) -> None:
        assert shell.display_formatter is not None, "a shell always has a display formatter"
        formatter = shell.display_formatter.mimebundle_formatter
        formatter.pop(f"{DATAFRAME_MODULE}.{DATAFRAME_CLASS}", None)
        if self.previous is not None:
            formatter.for_type_by_name(DATAFRAME_MODULE, DATAFRAME_CLASS, self.previous)
