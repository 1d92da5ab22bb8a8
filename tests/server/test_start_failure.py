"""A start that fails shows a card: what failed, the log lines, what to do; then one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import _core
from tests.support.helpers import run

pytestmark = pytest.mark.jvm


def test_failed_start_is_a_card_then_one_line(shell: InteractiveShell, home: Path) -> None:
    result = run(shell, "%spark start --conf spark.master=nonsense://x")
    assert isinstance(result.error, _core.StartError)
    text, page = result.texts[0], result.htmls[0]
    assert text.startswith("Spark Connect server did not start")
    assert "exited during start-up" in text
    assert "spark.master=nonsense://x is not a master URL" in text
    assert "Last lines of" in text and "What to do:" in text
    # What to do names the key, and fixes it where it came from: this line, never saved.
    steps = text.split("What to do:")[1]
    assert "spark.master=nonsense://x was given on this start's line and was not saved" in steps
    assert "--unset" not in steps and "%spark logs" not in steps
    assert 'Exception in thread "main"' in text
    assert "sparkconnect-start-failure" in page
    # The quoted log lines keep their levels' colours: the uncaught exception and its trace.
    assert "<span class='sparkconnect-log-line sparkconnect-log-error'>" in page
    assert "<li>spark.master=nonsense://x was given on this start" in page
    # The traceback part is one line pointing at the card.
    assert result.error._render_traceback_() == [  # type: ignore[attr-defined]
        "StartError: the Spark Connect server did not start (details above)"
    ]
    assert not java_servers_of(home)


def test_a_restart_with_a_value_spark_would_refuse_keeps_the_running_server(
    shell: InteractiveShell, home: Path
) -> None:
    assert run(shell, "%spark start").error is None
    pid = _core.status(str(home)).server.pid  # type: ignore[union-attr]
    # Saved before the value check existed, or by hand: `%spark conf` itself refuses it now.
    _core.save_conf(str(home), {"spark.executor.memory": "lots"})
    result = run(shell, "%spark restart")
    assert isinstance(result.error, _core.StartError)
    text = result.texts[0]
    assert "The server was not restarted: spark.executor.memory=lots is not a size" in text
    assert "The running server was not stopped." in text
    assert text.startswith("Spark Connect server did not restart")
    assert result.error._render_traceback_() == [  # type: ignore[attr-defined]
        "StartError: the Spark Connect server did not restart (details above)"
    ]
    steps = text.split("What to do:")[1]
    assert "`%spark conf --unset spark.executor.memory`" in steps
    # Fixed, the same command again: a restart (the server runs on).
    assert "then `%spark restart` again" in steps and "%spark start" not in steps
    assert _core.status(str(home)).server.pid == pid  # type: ignore[union-attr]
    assert len(java_servers_of(home)) == 1
    assert run(shell, "spark.range(3).count()").error is None
