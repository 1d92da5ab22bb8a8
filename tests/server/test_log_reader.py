"""`%spark logs` on a real shell, reading a log written where the server would write it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import _core
from tests.support.helpers import run

LOG = """\
WARNING: Using incubator modules: jdk.incubator.vector
Using Spark's default log4j profile: org/apache/spark/log4j2-defaults.properties
26/01/02 10:00:00 INFO SparkContext: Running Spark version 4.0.1
26/01/02 10:00:01 WARN NativeCodeLoader: Unable to load native-hadoop library
26/01/02 10:00:02 INFO Executor: Running task 0.0 in stage 0.0
26/01/02 10:00:03 ERROR Executor: Exception in task 0.0 in stage 0.0
java.lang.ArithmeticException: divide by zero
\tat Foo.bar(Foo.java:1)
26/01/02 10:00:04 INFO DAGScheduler: Job 0 failed <after> & "quotes"
"""


@pytest.fixture
def log(home: Path) -> Path:
    _core.resolve_home(str(home))
    path = home / "server.log"
    path.write_text(LOG)
    return path


def test_levels_are_coloured_in_html_and_plain_in_text(shell: InteractiveShell, log: Path) -> None:
    result = run(shell, "%spark logs")
    assert result.error is None, result.shown
    assert result.texts[0] == LOG.rstrip("\n")
    page = result.htmls[0]
    error_lines = page.count("sparkconnect-log-line sparkconnect-log-error")
    assert error_lines == 3  # the ERROR header and its stack trace
    assert page.count("sparkconnect-log-line sparkconnect-log-warn") == 2
    assert "<span class='sparkconnect-log-line sparkconnect-log-error'>" in page
    assert "<span class='sparkconnect-log-line sparkconnect-log-warn'>" in page
    assert "&lt;after&gt; &amp; &quot;quotes&quot;" in page  # escaped, not markup


def test_level_grep_and_n_filter(shell: InteractiveShell, log: Path) -> None:
    warn = run(shell, "%spark logs --level warn").texts[0].splitlines()
    assert [line.split()[2] if line[0].isdigit() else line[:8] for line in warn] == [
        "WARNING:",
        "WARN",
        "ERROR",
        "java.lan",
        "\tat Foo.",
    ]
    # With a level, -n counts entries: the error comes whole, with the line that says what failed.
    assert run(shell, "%spark logs --level ERROR -n 1").texts[0].splitlines() == [
        "26/01/02 10:00:03 ERROR Executor: Exception in task 0.0 in stage 0.0",
        "java.lang.ArithmeticException: divide by zero",
        "\tat Foo.bar(Foo.java:1)",
    ]
    assert len(run(shell, "%spark logs --level WARN -n 2").texts[0].splitlines()) == 4
    grep = run(shell, "%spark logs --grep 'executor'").texts[0].splitlines()
    assert len(grep) == 2 and all("Executor" in line for line in grep)
    both = run(shell, "%spark logs --grep executor --level ERROR").texts[0]
    assert both == "26/01/02 10:00:03 ERROR Executor: Exception in task 0.0 in stage 0.0"
    nothing = run(shell, "%spark logs --grep 'no such text'")
    assert "no matching lines" in nothing.texts[0]
    assert "level ERROR and above" in run(shell, "%spark logs --level ERROR").htmls[0]
    # The header counts what the log holds when it holds fewer than -n asks for.
    assert "the only entry, level ERROR" in run(shell, "%spark logs --level ERROR").htmls[0]
    assert "all 3 entries, level WARN" in run(shell, "%spark logs --level WARN").htmls[0]
    assert "last 2 entries, level WARN" in run(shell, "%spark logs --level WARN -n 2").htmls[0]
    assert "last 3 lines" in run(shell, "%spark logs -n 3").htmls[0]
    lines = len(log.read_text().splitlines())
    assert f"all {lines} lines" in run(shell, "%spark logs").htmls[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("logs --level LOUD", "--level takes one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL"),
        ("logs --follow 0", "--follow must be positive"),
        ("logs --follow soon", "--follow takes a number of seconds"),
        ("logs --grep", "expected one argument"),
    ],
)
def test_log_usage_errors(shell: InteractiveShell, log: Path, line: str, expected: str) -> None:
    result = run(shell, f"%spark {line}")
    assert isinstance(result.error, UsageError)
    assert expected in str(result.error)


def test_follow_shows_lines_as_they_are_written(shell: InteractiveShell, log: Path) -> None:
    def write_more() -> None:
        for i in range(3):
            time.sleep(0.4)
            with log.open("a") as f:
                f.write(f"26/01/02 10:00:1{i} WARN Late: line {i}\n")
                f.write(f"26/01/02 10:00:1{i} INFO Late: quiet {i}\n")

    writer = threading.Thread(target=write_more)
    writer.start()
    result = run(shell, "%spark logs -n 1 --level WARN --follow 2.5")
    writer.join()
    assert result.error is None, result.shown
    lines = result.stdout.splitlines()
    assert lines == [
        "26/01/02 10:00:03 ERROR Executor: Exception in task 0.0 in stage 0.0",
        "java.lang.ArithmeticException: divide by zero",
        "\tat Foo.bar(Foo.java:1)",
        "26/01/02 10:00:10 WARN Late: line 0",
        "26/01/02 10:00:11 WARN Late: line 1",
        "26/01/02 10:00:12 WARN Late: line 2",
        "(followed for 2.5 s)",
    ]


def test_filtered_tail_of_a_large_log_reads_only_its_end(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    line = "26/01/02 10:00:00 INFO Foo: an ordinary line of a long-running server's log\n"
    with path.open("w") as f:
        f.write(line * 400_000)  # ~32 MB
        f.write("26/01/02 10:00:00 WARN Foo: near the end\n")
        f.write(line * 100)
    size = path.stat().st_size
    excerpt = _core.read_log_tail(str(path), 1, level="WARN")
    assert [x.text for x in excerpt.lines] == ["26/01/02 10:00:00 WARN Foo: near the end"]
    assert excerpt.scanned < 64 * 1024 < size
    assert not excerpt.truncated
