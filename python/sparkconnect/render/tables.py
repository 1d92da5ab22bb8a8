"""DataFrames as tables: HTML in JupyterLab, a text table in a terminal, both from one query.

A DataFrame that ends a cell would otherwise print as `DataFrame[id: bigint]`. Rendering fetches
at most `max_rows + 1` rows (the extra row tells whether there are more), once, and builds both
forms from them.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sparkconnect.render.display import html_output
from sparkconnect.render.spark_errors import SparkErrorReport

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


def text_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], types: Sequence[str] = ()
) -> str:
    """Like `DataFrame.show()`: a boxed table, values right-aligned; the column types (when
    given) on a second header line."""
    header = [list(columns), *([list(types)] if types else [])]
    widths = [max(len(r[i]) for r in [*header, *rows]) for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        return "|" + "|".join(v.rjust(w) for v, w in zip(values, widths, strict=True)) + "|"

    rule = "+" + "+".join("-" * w for w in widths) + "+"
    return "\n".join([rule, *map(line, header), rule, *map(line, rows), rule])


NUMBER_TYPES = re.compile(r"(tinyint|smallint|int|bigint|float|double|decimal)\b")
"""Spark's simple type names of the columns aligned right, as numbers are in a table."""


def html_table(columns: Sequence[str], types: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    aligns = [" class='sparkconnect-number'" if NUMBER_TYPES.match(t) else "" for t in types]
    head = "".join(
        f"<th{a}>{html.escape(c)}<div class='sparkconnect-type'>{html.escape(t)}</div></th>"
        for c, t, a in zip(columns, types, aligns, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{a}>{html.escape(v)}</td>" for v, a in zip(row, aligns, strict=True))
        + "</tr>"
        for row in rows
    )
    # In a box that scrolls both ways under a sticky header: a wide table's horizontal
    # scrollbar stays in view instead of under the last row, and values keep to one line.
    return (
        "<div class='sparkconnect-scroll'><table class='dataframe'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


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
        return {"text/plain": "(no columns)", "text/html": html_output("table", "(no columns)")}
    return {
        "text/plain": f"{text_table(columns, rows, types)}\n{note}",
        "text/html": html_output(
            "table",
            f"{html_table(columns, types, rows)}"
            f"<div class='sparkconnect-dim' style='font-size:12px'>{html.escape(note)}</div>",
        ),
    }


def error_bundle(err: Exception) -> dict[str, str]:
    text = f"The DataFrame cannot be shown: {SparkErrorReport.of(err).paragraph()}"
    return {
        "text/plain": text,
        "text/html": html_output(
            "table-error",
            f"<pre class='sparkconnect-pre sparkconnect-error'>{html.escape(text)}</pre>",
        ),
    }
