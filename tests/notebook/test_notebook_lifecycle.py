"""What a notebook and a terminal are told about the shared server's life, against one real
server: unloading and loading the extension again, a restart with other notebooks attached, the
ports a restart keeps, the terminal's own words, a server replaced or stopped under a notebook,
and the idle stop a server gets by default. The tests share the server and run in file order."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import SparkConnectError, _core
from sparkconnect.notebook.lazy import LazySpark
from tests.support import spark_ui
from tests.support.helpers import cli, run
from tests.support.processes import server, watchdogs_of

pytestmark = pytest.mark.jvm

LAUNCHED = "launched a Spark Connect server for this notebook"


def test_a_launched_server_stops_when_unused_for_15_minutes_by_default(
    shell: InteractiveShell, module_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/analysis.ipynb")  # as Jupyter sets it
    started = run(shell, "%spark start")
    assert started.error is None, started.shown
    info = server(module_home)
    assert info.idle_timeout == 900
    assert watchdogs_of(module_home), "the idle watchdog runs"
    assert info.launched_by == "notebook analysis.ipynb"
    status = run(shell, "%spark status").texts[0]
    assert "Idle stop  after 15m 00s with no notebook attached and no job running" in status


def test_unload_removes_spark_and_loading_again_gives_a_working_one(
    shell: InteractiveShell, module_home: Path
) -> None:
    run(shell, "%spark start")
    assert run(shell, "%unload_ext sparkconnect").error is None
    assert "spark" not in shell.user_ns
    assert os.getpid() not in _core.status(str(module_home)).attached
    assert run(shell, "%load_ext sparkconnect").error is None
    assert isinstance(shell.user_ns["spark"], LazySpark)
    used = run(shell, "n = spark.range(3).count()")
    assert used.error is None, used.shown
    assert shell.user_ns["n"] == 3
    assert LAUNCHED not in used.stdout, "it attached to the running server"


def test_a_restart_that_would_end_other_sessions_needs_force(
    shell: InteractiveShell, module_home: Path, other_notebook: subprocess.Popen[str]
) -> None:
    run(shell, "%spark start")
    before = server(module_home)
    session = shell.user_ns["spark"]

    refused = run(shell, "%spark restart")
    assert isinstance(refused.error, SparkConnectError), refused.shown
    message = str(refused.error)
    assert (
        f"1 other notebook is attached to the Spark Connect server (pid {other_notebook.pid})"
        in (message)
    )
    assert "Restart with --force" in message
    assert "Traceback" not in refused.shown
    # Nothing changed: same server, same session, still working.
    assert server(module_home).pid == before.pid
    assert shell.user_ns["spark"] is session
    assert shell.ev("spark.range(2).count()") == 2

    # The terminal holds no lease: both notebooks count, and it says so the same way.
    terminal = cli("restart")
    assert terminal.returncode == 1, terminal.stderr
    assert "2 other notebooks are attached" in terminal.stderr and "--force" in terminal.stderr
    assert server(module_home).pid == before.pid


def test_a_restart_keeps_the_ports_so_earlier_links_still_work(
    shell: InteractiveShell, module_home: Path
) -> None:
    run(shell, "%spark start")
    # A link that names the port (a gateway's, say).
    run(shell, "%config SparkConnect.ui_url = 'https://gateway.example/{port}/jobs/'")
    before = server(module_home)
    link = run(shell, "%spark ui").texts[0]
    assert link == f"https://gateway.example/{before.ui_port}/jobs/"
    restarted = run(shell, "%spark restart")
    assert restarted.error is None, restarted.shown
    after = server(module_home)
    assert after.pid != before.pid
    assert (after.port, after.ui_port) == (before.port, before.ui_port)
    assert run(shell, "%spark ui").texts[0] == link
    # A restarted server has a new UI key; what signs reads it from the new record.
    assert "Spark Jobs" in spark_ui.page(after, "/jobs/", timeout=30)
    assert shell.ev("spark.range(3).count()") == 3


def test_the_terminal_speaks_in_its_own_commands(
    shell: InteractiveShell, module_home: Path
) -> None:
    run(shell, "%spark start")
    stop = cli("stop")
    assert stop.returncode == 1, stop.stderr  # not stopped: a script must be able to tell
    assert "Not stopped: 1 notebook still attached" in stop.stdout
    assert "`sparkconnect stop --force` stops it for everyone" in stop.stdout
    assert "This notebook" not in stop.stdout and "%spark" not in stop.stdout
    status = cli("status")
    assert status.returncode == 0 and "%spark" not in status.stdout


def test_a_server_replaced_from_the_terminal_is_told_once_and_truly(
    shell: InteractiveShell, module_home: Path
) -> None:
    run(shell, "%spark start")
    old = server(module_home).pid
    replaced = cli("restart", "--force")
    assert replaced.returncode == 0, replaced.stderr
    told = run(shell, "n = spark.range(5).count()")
    assert told.error is None, told.shown
    assert shell.user_ns["n"] == 5
    notice = told.stdout
    assert f"(pid {old}," in notice and "was replaced by a new one" in notice
    assert "launched by the terminal" in notice and "another notebook" not in notice
    assert "run the cell again" not in notice.lower(), "the cell ran on"
    assert LAUNCHED not in notice, "it attached to the replacement"


def test_using_spark_after_a_forced_stop_launches_and_says_so_in_one_line(
    shell: InteractiveShell, module_home: Path
) -> None:
    run(shell, "%spark start")
    assert cli("stop", "--force").returncode == 0
    used = run(shell, "n = spark.range(4).count()")
    assert used.error is None, used.shown
    assert shell.user_ns["n"] == 4
    assert "is no longer running: it was stopped or it exited" in used.stdout
    assert "run the cell again" not in used.stdout.lower()
    launched = [line for line in used.stdout.splitlines() if LAUNCHED in line]
    assert len(launched) == 1, used.stdout
    assert f"pid {server(module_home).pid}," in launched[0]


def test_a_terminal_start_with_keep_has_no_idle_stop(module_home: Path) -> None:
    assert cli("stop", "--force").returncode == 0
    started = cli("start", "--keep")
    assert started.returncode == 0, started.stderr
    info = server(module_home)
    assert info.idle_timeout is None and info.launched_by == "the terminal"
    assert not watchdogs_of(module_home)
    assert "Idle stop  never (it runs until stopped)" in cli("status").stdout
    status = json.loads(cli("status", "--json").stdout)
    assert (status["idle_timeout"], status["launched_by"]) == (None, "the terminal")
