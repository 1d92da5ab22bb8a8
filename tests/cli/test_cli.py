"""The `sparkconnect` terminal command, run as a real subprocess against a real server. (Exit
codes and usage errors without a server: tests/cli/test_cli_without_server.py.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import sparkconnect
from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.server import workdir
from tests.support.helpers import cli

pytestmark = pytest.mark.jvm


def test_profile_master_and_log_filters(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[profiles.two]\nconf = { "spark.master" = "local[2]", '
        '"spark.sql.shuffle.partitions" = 3 }\n'
    )
    monkeypatch.setenv("SPARKCONNECT_CONFIG", str(config))
    started = cli("start", "--json", "--profile", "two")
    assert started.returncode == 0, started.stderr
    data = json.loads(started.stdout)
    assert data["master"] == "local[2]"
    assert data["conf"]["spark.sql.shuffle.partitions"] == "3"
    # A profile is applied, not saved: the saved conf stays empty.
    assert _core.load_conf(str(home)) == {}

    warnings = cli("logs", "-n", "5", "--level", "WARN", "--json")
    lines = json.loads(warnings.stdout)["lines"]
    # Continuation lines (no level of their own) belong to the entry above them.
    levels = [level for line in lines if (level := _core.line_level(line))]
    assert levels and set(levels) <= {"WARN", "ERROR", "FATAL"}
    grep = json.loads(cli("logs", "-n", "3", "--grep", "sparkconnectserver", "--json").stdout)
    assert grep["lines"] and all("sparkconnectserver" in ln.lower() for ln in grep["lines"])

    unknown = cli("start", "--profile", "nope")
    assert unknown.returncode == 2 and "nope" in unknown.stderr
    assert cli("stop", "--force").returncode == 0


def test_terminal_and_notebook_share_one_server(home: Path) -> None:
    started = cli("start", "--json", "--conf", "spark.sql.shuffle.partitions=4")
    assert started.returncode == 0, started.stderr
    data = json.loads(started.stdout)
    assert data["launched"] is True and data["state"] == "running"
    assert data["conf"] == {"spark.sql.shuffle.partitions": "4", **workdir.defaults()}
    assert "token=…" in data["url"]

    # A notebook (this process) attaches to the server the terminal started.
    spark = sparkconnect.start()
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"
    assert len(java_servers_of(home)) == 1
    status = json.loads(cli("status", "--json").stdout)
    assert status["pid"] == data["pid"] and os.getpid() in status["attached"]

    assert len(cli("logs", "-n", "3").stdout.splitlines()) == 3
    assert json.loads(cli("logs", "-n", "2", "--json").stdout)["lines"]

    refused = cli("stop", "--json")
    assert refused.returncode == 1, "a stop that kept the server running must say so to scripts"
    kept = json.loads(refused.stdout)
    assert kept == {"stopped": False, "was_running": True, "remaining": [os.getpid()]}
    assert spark.range(3).count() == 3

    stopped = cli("stop", "--force")
    assert stopped.returncode == 0 and "Spark Connect server stopped" in stopped.stdout
    assert not java_servers_of(home)
    assert _core.status(str(home)).state == "stopped"
    sparkconnect.stop()
