"""The user's server as the driver of a real Spark standalone cluster on loopback."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import all_pids, cmdline
from sparkconnect import _core
from tests.support.helpers import run
from tests.support.spark_ui import app_api
from tests.support.standalone import StandaloneCluster

pytestmark = pytest.mark.jvm


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[StandaloneCluster]:
    cluster = StandaloneCluster(tmp_path / "cluster")
    yield cluster
    cluster.stop()


def cluster_processes(workdir: Path) -> list[int]:
    return [pid for pid in all_pids() if any(str(workdir) in arg for arg in cmdline(pid))]


def test_jobs_run_on_the_workers_executors(
    shell: InteractiveShell, home: Path, cluster: StandaloneCluster
) -> None:
    started = run(
        shell,
        f"%spark start --master {cluster.url} --conf spark.driver.host=127.0.0.1 "
        "--conf spark.executor.memory=512m --conf spark.executor.cores=1",
    )
    assert started.error is None, started.shown
    assert cluster.url in started.texts[0]
    info = _core.status(str(home)).server
    assert info is not None and info.master == cluster.url

    cell = textwrap.dedent(
        """
        from pyspark.sql.functions import udf

        @udf("int")
        def worker_pid(_):
            import os
            return os.getpid()

        pids = {r[0] for r in spark.range(0, 400, 1, 8).select(worker_pid("id")).collect()}
        """
    )
    result = run(shell, cell)
    assert result.error is None, result.shown
    assert shell.user_ns["pids"]

    executors = [e for e in app_api(info, "executors") if e["id"] != "driver"]
    assert executors, "no executors registered with the driver"
    assert sum(e["totalTasks"] for e in executors) >= 8
    assert all(e["hostPort"].startswith("127.0.0.1:") for e in executors)

    run(shell, "%spark stop")
    cluster.stop()
    workdir = cluster.workdir
    assert not cluster_processes(workdir), "cluster processes left running"
    assert os.getpid() not in _core.status(str(home)).attached
