"""The progress line on a real IPython shell, fed the reports pyspark 4.3's client makes (their
shapes recorded from a real server): skipped stages are not counted, a query too quick for a bar
leaves no summary, a cancelled summary says no task runs, and in a terminal the summary comes
before `Out[n]`. Against a real server: tests/notebook/test_notebook_shell.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.notebook.magics import SparkConnect
from sparkconnect.notebook.progress import SHOW_AFTER
from tests.support.helpers import run

# An aggregation under adaptive execution, as the server reported it: the shuffle map stage ran
# in a job of its own (4); the result job lists a copy of it (5), skipped as its output exists,
# and its result stage (6), whose single task ran after the last report.
AGGREGATION = [(4, 8, 8, True), (5, 8, 0, False), (6, 1, 0, False)]


@pytest.fixture
def report(shell: InteractiveShell, home: Path) -> Iterator[None]:
    """`report(stages, running, done=False)` in the shell: a progress report of operation "op",
    stages as (id, tasks, completed, done), to the extension's own progress handler."""
    bar = next(c for c in shell.configurables if isinstance(c, SparkConnect)).progress_bar

    def report(stages: list[tuple[int, int, int, bool]], running: int, done: bool = False) -> None:
        infos: list[Any] = [
            SimpleNamespace(
                stage_id=i, num_tasks=tasks, num_completed_tasks=completed, num_bytes_read=0, done=d
            )
            for i, tasks, completed, d in stages
        ]
        bar(infos, running, "op", done)

    shell.user_ns["report"] = report
    yield
    shell.user_ns.pop("report", None)


def a_query(stages: list[tuple[int, int, int, bool]], running: int, seconds: float) -> str:
    """A cell running one query: a report after `seconds`, then the end of the operation."""
    return (
        f"import time; time.sleep({seconds})\n"
        f"report({stages}, {running})\n"
        f"report({stages}, 0, done=True)\n"
    )


def test_skipped_stages_are_not_counted(shell: InteractiveShell, report: None) -> None:
    out = run(shell, a_query(AGGREGATION, 1, SHOW_AFTER + 0.1)).stdout
    # 8 + 1 tasks in 2 stages ran, as the Spark UI says; not 3 stages and 17 tasks.
    assert re.search(r"✔ Spark: 2 stages · 9 tasks · 0 B read in \d+\.\d s\n$", out), out


def test_the_jobs_table_counts_what_the_summary_says(shell: InteractiveShell, report: None) -> None:
    # One source for both: the cell's summary and its row in `%spark jobs` (and the panel's
    # Jobs tab) count the same stages, tasks and time.
    out = run(shell, a_query(AGGREGATION, 1, SHOW_AFTER + 0.1)).stdout
    said = re.search(r"✔ Spark: (\d+) stages · (\d+) tasks · 0 B read in (\d+\.\d) s", out)
    assert said, out
    stages, tasks, seconds = said.groups()
    table = run(shell, "%spark jobs").texts[0]
    row = next(line for line in table.splitlines() if "succeeded" in line)
    assert f" {stages}/{stages} " in row and f" {tasks}/{tasks} " in row, table
    assert f" {seconds} s" in row, table


def test_a_running_bar_leaves_skipped_stages_out(shell: InteractiveShell, report: None) -> None:
    running = [(4, 8, 8, True), (5, 8, 0, False), (6, 4, 1, False)]
    out = run(shell, a_query(running, 2, SHOW_AFTER + 0.1)).stdout
    assert "stages 1/2 · tasks 9/12 · 2 running" in out, out


def test_a_quick_query_shows_nothing(shell: InteractiveShell, report: None) -> None:
    # What a 0.3 s aggregation reports, all of it at its end.
    finished = [(27, 2, 2, True), (28, 2, 0, False), (29, 1, 1, True)]
    assert run(shell, a_query(finished, 0, 0)).stdout == ""
    # Work still to do, but reported before the query ran for SHOW_AFTER: nothing either.
    assert run(shell, a_query([(30, 2, 0, False)], 2, 0)).stdout == ""


def test_a_cancelled_summary_says_nothing_runs(shell: InteractiveShell, report: None) -> None:
    cell = f"import time; time.sleep({SHOW_AFTER + 0.1})\nreport([(1, 2, 0, False)], 2)\n"
    out = run(shell, cell + "raise KeyboardInterrupt").stdout
    summary = out.rsplit("\r", 1)[-1]
    assert summary.startswith("✖ Spark job cancelled after"), out
    assert "(stages 0/1 · tasks 0/2 · 0 B read)" in summary and "running" not in summary


def test_in_a_terminal_the_summary_comes_before_out(shell: InteractiveShell, report: None) -> None:
    out = run(shell, a_query([(1, 2, 1, False)], 1, SHOW_AFTER + 0.1) + "6 * 7").stdout
    assert "✔ Spark: 1 stage · 2 tasks" in out and "Out[" in out, out
    assert out.index("✔ Spark") < out.index("Out["), out
    assert out.rstrip().endswith("42")
    assert out.count("✔") == 1


def test_an_operation_cancelled_on_the_server_reads_like_an_interrupt(
    shell: InteractiveShell, report: None
) -> None:
    # What the panel's Cancel makes the cell's query raise (pyspark 4.3, recorded): not a
    # failure of the user's code, so the same summary as Kernel > Interrupt and one short line.
    from pyspark.errors.exceptions.connect import UnknownException

    magics = next(c for c in shell.configurables if isinstance(c, SparkConnect))
    magics.tracebacks.install()  # pyspark is imported now: its errors get the short form
    shell.user_ns["UnknownException"] = UnknownException
    cell = f"import time; time.sleep({SHOW_AFTER + 0.1})\nreport([(1, 4, 1, False)], 3)\n"
    raised = (
        "raise UnknownException('(org.apache.spark.SparkSQLException) [OPERATION_CANCELED] "
        "Operation has been cancelled. SQLSTATE: HY008')"
    )
    result = run(shell, cell + raised)
    summary = result.stdout.rsplit("\r", 1)[-1]
    assert summary.startswith("✖ Spark job cancelled after"), result.stdout
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert "OPERATION_CANCELED" not in shown and "UnknownException" not in shown, shown
    assert "Cancelled\n" in shown, shown
