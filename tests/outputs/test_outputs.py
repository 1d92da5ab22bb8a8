"""How outputs are written, without a server: HTML that follows the theme and escapes MathJax,
code spans, terminal colours only on a terminal, tables with types, Spark errors in short."""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path

import pytest

from sparkconnect.render import display
from sparkconnect.render.display import Card, Row, colour, escape, html_output
from sparkconnect.render.logview import LogFilter, LogView, QuotedLine
from sparkconnect.render.profile_cards import profiles_card
from sparkconnect.render.server_cards import notebooks
from sparkconnect.render.spark_errors import SparkErrorReport
from sparkconnect.render.tables import html_table, text_table
from sparkconnect.server import profiles
from sparkconnect.session.labels import JobLabels, tag_text, with_user


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_every_colour_of_the_stylesheet_comes_from_the_theme() -> None:
    # A colour written as a value (#e6e8eb, say) would not follow the dark theme.
    declarations = re.findall(
        r"(?:^|[;{])\s*((?:background|color|border)[\w-]*):([^;}]+)", (display.STYLESHEET)
    )
    coloured = [(p, v) for p, v in declarations if re.search(r"#|rgb|Canvas|var\(", v)]
    assert len(coloured) > 15
    for prop, value in coloured:
        assert value.strip().startswith("var(--jp-") or " var(--jp-" in value, (prop, value)


def test_html_outputs_are_skipped_by_mathjax_and_styled_by_one_stylesheet() -> None:
    page = html_output("x", "$A=1$")
    assert page.startswith(f"<style>{display.STYLESHEET}</style>")
    assert "class='sparkconnect sparkconnect-x mathjax_ignore tex2jax_ignore'" in page


def test_escape_renders_code_spans_and_escapes_the_rest() -> None:
    assert escape("`%spark start` <b> & `a<b>`") == (
        "<code class='sparkconnect-inline'>%spark start</code> &lt;b&gt; &amp; "
        "<code class='sparkconnect-inline'>a&lt;b&gt;</code>"
    )
    card = Card("`spark` is ready", [Row("Conf", "x (`%spark conf`)")]).note("see `%spark ui`")
    page = card._repr_html_()
    assert "`" not in re.sub(r"<style>.*?</style>", "", page)
    assert "<code class='sparkconnect-inline'>spark</code> is ready" in page
    assert "`spark` is ready" in repr(card)  # the terminal form keeps the quotes


def test_profiles_example_is_a_preformatted_block(tmp_path: Path) -> None:
    card = profiles_card(tmp_path / "missing.toml", None)
    example = html.escape(profiles.EXAMPLE)
    assert f"<pre class='sparkconnect-pre sparkconnect-code'>{example}</pre>" in card._repr_html_()
    assert "\n      [profiles.bigmem]\n      description = " in repr(card)


def test_terminal_colours_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    view = LogView(
        "/x/server.log",
        [QuotedLine("a WARN b", "WARN"), QuotedLine("an ERROR", "ERROR"), QuotedLine("i", "INFO")],
        LogFilter(),
    )
    monkeypatch.setattr("sys.stdout", Terminal())
    assert repr(view).splitlines() == ["\x1b[33ma WARN b\x1b[0m", "\x1b[31man ERROR\x1b[0m", "i"]
    warned = Card("t").note("careful", "warn")
    assert "\x1b[33m  ! careful\x1b[0m" in repr(warned)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in repr(view)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("sys.stdout", io.StringIO())  # a pipe, a file, a Jupyter output
    assert "\x1b" not in repr(view) and "\x1b" not in repr(warned)
    assert colour("x", "error", enabled=True) == "\x1b[31mx\x1b[0m"


def test_text_tables_show_column_types() -> None:
    table = text_table(["id", "name"], [["1", "a"], ["22", "bb"]], ["bigint", "string"])
    assert table.splitlines() == [
        "+------+------+",
        "|    id|  name|",
        "|bigint|string|",
        "+------+------+",
        "|     1|     a|",
        "|    22|    bb|",
        "+------+------+",
    ]


class FakeSparkError(Exception):
    def __init__(self, text: str, stack: str | None) -> None:
        super().__init__(text)
        self.stack = stack

    def getStackTrace(self) -> str | None:
        return self.stack


def test_a_spark_error_in_short() -> None:
    text = (
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found.\n"
        "Verify the spelling. SQLSTATE: 42P01; line 1 pos 14;\n"
        "'Project [*]\n+- 'UnresolvedRelation [t], [], false\n\n\n"
        "JVM stacktrace:\norg.apache.spark.sql.AnalysisException\n\tat a.b(C.scala:1)"
    )
    report = SparkErrorReport.of(FakeSparkError(text, None), where="cell line 2: df.count()")
    assert report.lines() == [
        "FakeSparkError: [TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found.\n"
        "Verify the spelling. SQLSTATE: 42P01; line 1 pos 14",
        "cell line 2: df.count()",
    ]
    assert report.plan == "'Project [*]\n+- 'UnresolvedRelation [t], [], false"
    assert report.stack == "org.apache.spark.sql.AnalysisException\n\tat a.b(C.scala:1)"
    assert report.details_title() == "Query plan and JVM stack trace (7 lines)"
    details = report.details_bundle()["text/html"]
    assert "<details><summary>Query plan and JVM stack trace (7 lines)</summary>" in details
    assert "<details open>" in report.details_bundle(expanded=True)["text/html"]
    # A query context points at the mistake: it stays with the message.
    divide = SparkErrorReport.of(
        FakeSparkError(
            "[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012\n"
            "== SQL (line 1, position 8) ==\nSELECT 1/0\n       ^^^\n",
            "org.apache.spark.SparkArithmeticException",
        )
    )
    assert divide.lines(hint="(hint)") == [
        "FakeSparkError: [DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012",
        "== SQL (line 1, position 8) ==\nSELECT 1/0\n       ^^^",
        "(hint)",
    ]
    assert divide.details_title() == "JVM stack trace (2 lines)"


def test_labels() -> None:
    labels = JobLabels()
    assert labels.description() is None and labels.tags() == set()
    labels.notebook = "sales, 2024.ipynb"
    labels.start_cell(12)
    assert labels.description() == "sales, 2024.ipynb [12]"
    assert labels.tags() == {"notebook:sales; 2024.ipynb", "cell:12"}
    assert tag_text(",") == ";"
    assert with_user("sc://localhost:1/;token=t;user_id=x") == "sc://localhost:1/;token=t;user_id=x"
    assert re.fullmatch(
        r"sc://localhost:1/;token=t;user_id=[^;=]+", with_user("sc://localhost:1/;token=t")
    )


def test_attached_notebooks_in_words() -> None:
    me = os.getpid()
    assert notebooks([]) == "0 notebooks"
    assert notebooks([me]) == "1 notebook (this one)"
    assert notebooks([me, 1]) == "2 notebooks (this one and 1 other)"
    assert notebooks([1, me, 2]) == "3 notebooks (this one and 2 others)"
    assert notebooks([1]) == "1 notebook"


def test_a_columns_header_aligns_as_its_values() -> None:
    """Numbers right, the rest left, header and values alike (JupyterLab's own rules would put
    every header right, over left-aligned text)."""
    page = html_table(
        ["id", "name", "price"], ["bigint", "string", "decimal(10,2)"], [["1", "a", "2.50"]]
    )
    number = "class='sparkconnect-number'"
    assert f"<th {number}>id" in page and f"<td {number}>1</td>" in page
    assert "<th>name" in page and "<td>a</td>" in page
    assert f"<th {number}>price" in page and f"<td {number}>2.50</td>" in page
    rules = display.STYLESHEET
    assert (
        ".sparkconnect-scroll td,div.sparkconnect .sparkconnect-scroll th{text-align:left}" in rules
    )
    assert ".sparkconnect-scroll .sparkconnect-number{text-align:right}" in rules


class Context:
    def __init__(self, summary: str) -> None:
        self._summary = summary

    def summary(self) -> str:
        return self._summary


class ErrorWithContext(FakeSparkError):
    def getQueryContext(self) -> list[Context]:
        return [Context("== SQL (line 1, position 15) ==\nSELECT * FROM t\n              ^\n")]


def test_an_analysis_error_points_at_the_spot_with_the_context_it_was_sent() -> None:
    """The message of an analysis error has only `line 1 pos 14`; the caret comes with the
    query context the server sent beside it."""
    text = (
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found. "
        "SQLSTATE: 42P01; line 1 pos 14;\n'Project [*]"
    )
    report = SparkErrorReport.of(ErrorWithContext(text, None))
    assert report.lines() == [
        "ErrorWithContext: [TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found. "
        "SQLSTATE: 42P01; line 1 pos 14",
        "== SQL (line 1, position 15) ==\nSELECT * FROM t\n              ^",
    ]
