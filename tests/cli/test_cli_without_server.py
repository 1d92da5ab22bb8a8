"""The `sparkconnect` terminal command, run as a real subprocess, where no server is needed:
exit codes, usage errors, a refused conf, the terminal's own commands in what it says, the
saved conf, following the log for a while. Against a real server: tests/cli/test_cli.py and
tests/notebook/test_notebook_lifecycle.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drive.procfs import java_servers_of
from sparkconnect import _core
from tests.support.helpers import cli


def test_status_when_stopped_exits_3(home: Path) -> None:
    done = cli("status", "--json")
    assert done.returncode == 3
    assert json.loads(done.stdout)["state"] == "stopped"
    text = cli("status")
    assert "Spark Connect server: stopped" in text.stdout
    assert "`sparkconnect start` launches it." in text.stdout and "%spark" not in text.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("strat",), "invalid choice: 'strat'"),
        (("start", "--port", "0"), "port must be between 1 and 65535"),
        (("logs", "-n", "x"), "-n takes a number of lines"),
        ((), "required: COMMAND"),
        (("start", "--conf", "spark.x"), "there is no '='"),
        (("start", "--idle-timeout", "-1"), "idle timeout must be 0 (never)"),
        (("start", "--keep", "--idle-timeout", "5"), "not allowed with argument --keep"),
        (("stop", "--forse"), "usage: sparkconnect stop [-h] [--json] [--force]"),
        (("start", "--profile", "nope"), "There is no profile 'nope'"),
        (("conf", "--unset", "never.saved"), "`never.saved` is not in the saved conf"),
    ],
)
def test_usage_errors_exit_2(home: Path, args: tuple[str, ...], expected: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_conf_is_a_usage_error(home: Path) -> None:
    done = cli("start", "--conf", "spark.executor.memory=")
    assert done.returncode == 2, done.stderr
    assert "spark.executor.memory=" in done.stderr and "the value is empty" in done.stderr
    assert "Traceback" not in done.stderr
    assert not java_servers_of(home)


def test_a_busy_port_says_what_to_do_in_terminal_commands(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = cli("start", "--port", str(port))
    assert done.returncode == 1
    assert f"Port {port} is already in use by another process." in done.stderr
    assert "What to do:" in done.stderr
    assert f"Port {port} is taken: leave out --port to get a free one" in done.stderr
    assert "`sparkconnect start --port N`" in done.stderr and "%spark" not in done.stderr
    assert not java_servers_of(home)


def test_conf_sets_shows_and_unsets_the_saved_conf(home: Path) -> None:
    saved = cli("conf", "spark.sql.shuffle.partitions=8")
    assert saved.returncode == 0, saved.stderr
    assert "8  (saved)" in saved.stdout
    assert _core.load_conf(str(home)) == {"spark.sql.shuffle.partitions": "8"}
    one = cli("conf", "spark.sql.shuffle.partitions")
    assert one.stdout.splitlines()[1:] == ["  spark.sql.shuffle.partitions  8  (saved)"]
    assert cli("conf", "--unset", "spark.sql.shuffle.partitions").returncode == 0
    assert _core.load_conf(str(home)) == {}


def test_follow_takes_seconds_as_in_a_notebook(home: Path) -> None:
    _core.resolve_home(str(home))
    (home / "server.log").write_text("26/01/02 10:00:00 WARN Foo: a line\n")
    began = time.monotonic()
    done = cli("logs", "--follow", "0.5")
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - began < 30
    assert done.stdout.splitlines() == [
        "26/01/02 10:00:00 WARN Foo: a line",
        "(followed for 0.5 s)",
    ]


@pytest.mark.parametrize(
    "args",
    [("status",), ("status", "--json"), ("jobs",), ("logs", "-n", "3", "--level", "WARN")],
)
def test_a_reader_that_went_away_ends_the_command_quietly(
    home: Path, args: tuple[str, ...]
) -> None:
    """`sparkconnect status | head -1`: the reader is gone before the output is written. Made
    certain here by closing the pipe's reading end before the command starts."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "sparkconnect"), *args],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(writing)
    assert done.stderr == ""
    assert done.returncode == 141  # what a shell reports for a tool that SIGPIPE ended


def test_version_and_the_help_of_restart(home: Path) -> None:
    version = cli("--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"sparkconnect {_core.__version__}"
    described = " ".join(cli("--help").stdout.split())
    assert "restart stop the server and launch it again with the saved conf" in described
    assert "unless --force" in described
