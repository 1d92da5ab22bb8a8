"""The `sparkconnect` terminal command, run as a real subprocess, where no server is needed:
exit codes, usage errors, a refused conf. Against a real server: tests/test_cli.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..support.helpers import cli, java_servers_of


def test_status_when_stopped_exits_3(home: Path) -> None:
    done = cli("status", "--json")
    assert done.returncode == 3
    assert json.loads(done.stdout)["state"] == "stopped"
    text = cli("status")
    assert "Spark Connect server: stopped" in text.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("strat",), "invalid choice: 'strat'"),
        (("start", "--port", "0"), "port must be between 1 and 65535"),
        (("logs", "-n", "x"), "-n takes a number of lines"),
        ((), "required: COMMAND"),
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
