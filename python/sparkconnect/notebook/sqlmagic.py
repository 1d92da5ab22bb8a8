"""`%%spark sql`: run a cell of Spark SQL on this notebook's session and show the result."""

from __future__ import annotations

import keyword
from typing import Any

from IPython.core.error import UsageError

from sparkconnect.render.tables import dataframe_bundle
from sparkconnect.session.binding import KERNEL_SESSION


def check_name(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(f"-o takes a Python variable name, such as `result`, not {name!r}.")
    return name


def run_sql(query: str, output: str | None, rows: int, namespace: dict[str, Any]) -> None:
    """Runs `query`; keeps the DataFrame as `output` if given; shows its first `rows` rows."""
    from IPython.display import display

    if output is not None:
        check_name(output)
    query = query.strip().rstrip(";").strip()
    if not query:
        raise UsageError("The cell has no SQL: write the query under `%%spark sql`.")
    df = KERNEL_SESSION.get().sql(query)
    if output is not None:
        namespace[output] = df
    if df.columns:  # a statement such as CREATE VIEW returns nothing to show
        display(dataframe_bundle(df, rows), raw=True)  # type: ignore[no-untyped-call]
