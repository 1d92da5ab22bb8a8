"""The server's log tells what happened: with our default log settings a real server's last
lines after a few queries are not per-request or per-task chatter, and a user who asks for more
(`spark.log.level`) gets Spark's own settings back."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import _core
from tests.support.helpers import run

pytestmark = pytest.mark.jvm

CHATTER = ("SessionHolder:", "ExecuteHolder", "TaskSetManager:", "Executor:", "DAGScheduler:")
QUERIES = (
    "for n in range(4):\n    spark.range(100, numPartitions=4).groupBy('id').count().collect()"
)


def server_log(home: Path) -> str:
    return (home / "server.log").read_text(errors="replace")


def test_the_last_lines_are_not_per_request_chatter(shell: InteractiveShell, home: Path) -> None:
    assert run(shell, "%spark start --no-warm-up").error is None
    assert run(shell, QUERIES).error is None
    shown = run(shell, "%spark logs -n 20").texts[0]
    for chatter in CHATTER:
        assert chatter not in shown, shown
    for chatter in CHATTER:
        assert chatter not in server_log(home)
    server = _core.status(str(home)).server
    assert server is not None
    with open(f"/proc/{server.pid}/cmdline", "rb") as cmdline:
        assert f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}".encode() in cmdline.read()

    # Asking for more: Spark's own settings, the chatter included.
    restarted = run(shell, "%spark restart --no-warm-up --conf spark.log.level=INFO\n" + QUERIES)
    assert restarted.error is None, restarted.stderr
    assert "SessionHolder:" in server_log(home)
