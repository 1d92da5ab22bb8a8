"""Session expiry on the server (INVALID_HANDLE.SESSION_CLOSED): the notebook's next command
runs in a fresh session, and the notebook is told once."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.session.labels import with_user
from tests.support.helpers import run
from tests.support.processes import server

pytestmark = pytest.mark.jvm

RENEWED = "had closed this notebook's session (INVALID_HANDLE.SESSION_CLOSED"


def close_session_on_the_server(home: Path, session_id: str) -> None:
    """What the server does to a session past spark.connect.session.manager.
    defaultSessionTimeout, done at once: another client releases it by id."""
    from pyspark.sql.connect.client import SparkConnectClient

    # A session is the server's by user and id: the same user as the notebook's.
    url = with_user(f"{server(home).connect_url()};session_id={session_id}")
    other = SparkConnectClient(url)
    try:
        other.release_session()
    finally:
        other.close()


@pytest.mark.compat
def test_next_command_gets_a_fresh_session_and_says_so_once(
    shell: InteractiveShell, home: Path
) -> None:
    assert run(shell, "%spark start").error is None
    shell.run_cell("spark.sql('SELECT 1 AS x').createOrReplaceTempView('mine')")
    assert shell.ev("spark.catalog.tableExists('mine')")
    old_id = shell.ev("spark.session_id")
    pid = server(home).pid

    close_session_on_the_server(home, old_id)

    first = run(shell, "n = spark.sql('SELECT 2').collect()[0][0]")
    assert first.error is None, first.shown
    assert shell.user_ns["n"] == 2
    assert first.shown.count(RENEWED) == 1
    assert shell.ev("spark.session_id") != old_id

    second = run(shell, "exists = spark.catalog.tableExists('mine')")
    assert second.error is None, second.shown
    assert shell.user_ns["exists"] is False, "a fresh session has none of the old temp views"
    assert RENEWED not in second.shown
    assert server(home).pid == pid, "the server was not touched"
