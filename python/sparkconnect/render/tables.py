"""DataFrames as tables: HTML in JupyterLab, a text table in a terminal, both from one query.

A DataFrame that ends a cell would otherwise print as `DataFrame[id: bigint]`. Rendering fetches
at most `max_rows + 1` rows (the extra row tells whether there are more), once, and builds both
forms from them.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

MAX_CELL_CHARS = 100
"""Longer values are cut (with …) so one wide value does not hide the rest of the table."""


def cell_text(value: Any) -> str:
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, bytes | bytearray):
        text = "0x" + bytes(value).hex()
    else:
        text = str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Like `DataFrame.show()`: a boxed table, values right-aligned."""
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    rule = "+" + "+".join("-" * w for w in widths) + "+"
    header = "|" + "|".join(c.rjust(w) for c, w in zip(columns, widths, strict=True)) + "|"
    body = ["|" + "|".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) + "|" for r in rows]
    return "\n".join([rule, header, rule, *body, rule])


_TYPE_STYLE = "font-weight:normal;color:#57606a;font-size:11px"


def html_table(columns: Sequence[str], types: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(
        f"<th>{html.escape(c)}<div style='{_TYPE_STYLE}'>{html.escape(t)}</div></th>"
        for c, t in zip(columns, types, strict=True)
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table class='dataframe'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def limit_note(shown: int, more: bool, max_rows: int) -> str:
    if more:
        return f"only showing the first {max_rows} rows"
    return f"{shown} row{'s' if shown != 1 else ''}"


def dataframe_bundle(df: DataFrame, max_rows: int) -> dict[str, str]:
    """Both forms of `df`'s first `max_rows` rows, from one query."""
    try:
        schema = df.schema
        fetched = df.limit(max_rows + 1).collect()
    except Exception as err:  # a lazy DataFrame's mistake surfaces here; say it, briefly
        return error_bundle(err)
    columns = [f.name for f in schema.fields]
    types = [f.dataType.simpleString() for f in schema.fields]
    rows = [[cell_text(v) for v in row] for row in fetched[:max_rows]]
    note = limit_note(len(rows), len(fetched) > max_rows, max_rows)
    if not columns:
        return {"text/plain": "(no columns)", "text/html": "<div>(no columns)</div>"}
    return {
        "text/plain": f"{text_table(columns, rows)}\n{note}",
        "text/html": (
            f"<div class='sparkconnect-table'>{html_table(columns, types, rows)}"
            f"<div style='font-size:12px;color:#57606a'>{html.escape(note)}</div></div>"
        ),
    }


def error_bundle(err: Exception) -> dict[str, str]:
    lines = str(err).strip().splitlines()
    message = "\n".join(lines[:15] + (["…"] if len(lines) > 15 else []))
    text = f"The DataFrame cannot be shown: {type(err).__name__}: {message}"
    return {
        "text/plain": text,
        "text/html": (
            "<pre class='sparkconnect-table-error' style='color:#cf222e;white-space:pre-wrap'>"
            f"{html.escape(text)}</pre>"
        ),
    }
