"""A start that fails shows a card: what failed, the log lines, what to do; then one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import _core

from .support.helpers import java_servers_of, run

pytestmark = pytest.mark.spark


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


def test_a_saved_item_the_server_rejects_is_named_with_how_to_remove_it(
    shell: InteractiveShell, home: Path
) -> None:
    run(shell, "%spark conf spark.driver.memory=lots")
    result = run(shell, "%spark start")
    assert isinstance(result.error, _core.StartError)
    assert result.error.cause == "exited"
    steps = result.texts[0].split("What to do:")[1]
    assert "spark.driver.memory=lots is in the saved conf: `%spark conf --unset " in steps
    assert "spark.master" not in steps
    assert not java_servers_of(home)
