"""`%spark` on a real InteractiveShell against a real Spark Connect server.

The tests share one server home (a launch costs seconds) and run in file order."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

import sparkconnect
from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.notebook.lazy import LazySpark
from tests.support.helpers import run
from tests.support.processes import server

pytestmark = pytest.mark.jvm


@pytest.mark.compat
def test_start_launches_and_binds_spark(shell: InteractiveShell, module_home: Path) -> None:
    result = run(shell, "%spark start")
    assert result.error is None, result.shown
    assert "Spark Connect server started" in result.texts[0]
    assert len(java_servers_of(module_home)) == 1
    total = shell.ev('spark.range(10**6).selectExpr("sum(id)").collect()[0][0]')
    assert total == 499999500000


@pytest.mark.compat
def test_second_start_attaches(shell: InteractiveShell, module_home: Path) -> None:
    pid = server(module_home).pid
    result = run(shell, "%spark start")
    assert "Attached to the running Spark Connect server" in result.texts[0]
    assert server(module_home).pid == pid


def test_status_card(shell: InteractiveShell, module_home: Path) -> None:
    run(shell, "%spark start")
    info = _core.status(str(module_home)).server
    assert info is not None
    result = run(shell, "%spark status")
    text, page = result.texts[0], result.htmls[0]
    assert "Spark Connect server: running" in text
    for expected in (
        f"sc://localhost:{info.port}",
        str(info.pid),
        "Uptime",
        info.spark_version,
        "local[*]",
        "1 notebook (this one)",
        "`sparkconnect ui` in a terminal opens it",
        info.log_path,
    ):
        assert expected in text
    # No link to the UI's own port, which would only answer 403.
    assert f":{info.ui_port}" not in text and f":{info.ui_port}" not in page
    assert info.token not in text and info.token not in page


def test_logs_show_the_server_log(shell: InteractiveShell, module_home: Path) -> None:
    result = run(shell, "%spark logs -n 5")
    lines = result.texts[0].splitlines()
    assert len(lines) == 5
    everything = run(shell, "%spark logs -n 100000").texts[0]
    assert "Spark Connect server started at: 127.0.0.1" in everything


@pytest.mark.compat
def test_python_and_pandas_udfs(shell: InteractiveShell, module_home: Path) -> None:
    run(shell, "%spark start")
    cell = textwrap.dedent(
        """
        import pandas as pd
        from pyspark.sql.functions import pandas_udf, udf

        @udf("long")
        def plus_one(x):
            return x + 1

        @pandas_udf("long")
        def doubled(s: pd.Series) -> pd.Series:
            return s * 2

        rows = spark.range(3).select(plus_one("id"), doubled("id")).collect()
        udf_rows = [tuple(row) for row in rows]
        """
    )
    result = run(shell, cell)
    assert result.error is None, result.shown
    assert shell.user_ns["udf_rows"] == [(1, 0), (2, 2), (3, 4)]


def test_conf_change_never_restarts_silently(shell: InteractiveShell, module_home: Path) -> None:
    run(shell, "%spark start")
    pid = server(module_home).pid
    result = run(shell, "%spark conf spark.sql.shuffle.partitions=7 spark.executor.memory=1g")
    card = result.texts[0]
    assert "`%spark restart` applies it to the server and every notebook" in card
    assert "(unset) now → 7 after restart  (saved)" in card
    # A session conf can apply to this notebook at once; a server conf cannot.
    assert (
        'spark.conf.set("spark.sql.shuffle.partitions", "7")` applies it to this notebook' in card
    )
    assert 'spark.conf.set("spark.executor.memory"' not in card
    assert server(module_home).pid == pid
    # A plain start asked for nothing: no warning about the saved conf.
    attach = run(shell, "%spark start")
    assert attach.error is None and len(attach.texts) == 1, attach.shown
    assert "started without" not in attach.texts[0]
    # A start that asks for an item the server lacks says which, and what it has instead.
    asked = run(shell, "%spark start --conf spark.sql.shuffle.partitions=7")
    assert (
        "started without what this start asks (spark.sql.shuffle.partitions: (unset) there, "
        "7 asked); `%spark restart` applies it."
    ) in asked.texts[0]
    assert server(module_home).pid == pid


def test_restart_applies_the_conf(shell: InteractiveShell, module_home: Path) -> None:
    run(shell, "%spark start")
    old = server(module_home).pid
    result = run(shell, "%spark restart")
    assert result.error is None, result.shown
    assert server(module_home).pid != old
    assert shell.ev('spark.conf.get("spark.sql.shuffle.partitions")') == "7"
    assert "`%spark restart`" not in run(shell, "%spark conf").texts[0]
    assert len(java_servers_of(module_home)) == 1


@pytest.mark.compat
def test_stop_keeps_the_server_for_other_notebooks(
    shell: InteractiveShell, module_home: Path, other_notebook: subprocess.Popen[str]
) -> None:
    run(shell, "%spark start")
    pid = server(module_home).pid
    result = run(shell, "%spark stop")
    assert "keeps running for 1 other notebook" in result.texts[0]
    assert server(module_home).pid == pid
    assert isinstance(shell.user_ns["spark"], LazySpark)
    forced = run(shell, "%spark stop --force")
    assert "Spark Connect server stopped" in forced.texts[0]
    assert not java_servers_of(module_home)
    assert _core.status(str(module_home)).state == "stopped"


def test_using_spark_starts_the_server_lazily(shell: InteractiveShell, module_home: Path) -> None:
    assert isinstance(shell.user_ns["spark"], LazySpark)
    assert shell.ev("spark.range(4).count()") == 4
    assert not isinstance(shell.user_ns["spark"], LazySpark)
    assert len(java_servers_of(module_home)) == 1


def test_last_stop_stops_the_server(shell: InteractiveShell, module_home: Path) -> None:
    run(shell, "%spark start")
    pid = server(module_home).pid
    result = run(shell, "%spark stop")
    assert "Spark Connect server stopped" in result.texts[0]
    assert not java_servers_of(module_home)
    assert not Path(f"/proc/{pid}").exists()
    assert _core.status(str(module_home)).server is None


@pytest.mark.compat
def test_python_api(module_home: Path) -> None:
    spark = sparkconnect.start(conf={"spark.sql.shuffle.partitions": "5"})
    assert spark.range(5).count() == 5
    assert sparkconnect.session() is spark
    assert "Spark Connect server: running" in repr(sparkconnect.status())
    assert sparkconnect.logs(n=3).lines and len(sparkconnect.logs(n=3).lines) == 3
    result = sparkconnect.stop()
    assert result.stopped and result.was_running
    assert "stopped" in repr(sparkconnect.status())
    assert os.getpid() not in _core.status(str(module_home)).attached
    assert not java_servers_of(module_home)
