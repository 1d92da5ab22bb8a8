"""A conf that makes the real JVM fail at start (an unknown master URL): the start fails fast
with the log lines that explain it, nothing is left running, and the conf saved before is kept
(the failing items are not saved)."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import StartError, _core
from tests.support.helpers import run
from tests.support.processes import watchdogs_of
from tests.support.refusal import assert_refused

pytestmark = pytest.mark.jvm


def test_unknown_master_fails_fast_and_leaves_nothing(shell: InteractiveShell, home: Path) -> None:
    assert run(shell, "%spark conf spark.sql.shuffle.partitions=8").error is None

    result = run(shell, "%spark start --conf spark.master=nope://x --idle-timeout 60")

    message = assert_refused(
        result, StartError, "exited during start-up", "spark.master=nope://x is not a master URL"
    )
    # The explaining line from Spark itself, quoted from the server log.
    assert "Master must either be yarn or start with spark, k8s, or local" in message
    assert not java_servers_of(home)
    assert not watchdogs_of(home)
    assert _core.status(str(home)).state == "stopped"
    assert not (home / "server.json").exists()
    assert not (home / "server.properties").exists()
    assert _core.load_conf(str(home)) == {"spark.sql.shuffle.partitions": "8"}
