"""End to end: two real Jupyter kernels share one real Spark Connect server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel
from drive.procfs import java_servers_of
from sparkconnect import _core

pytestmark = pytest.mark.jvm


@pytest.fixture
def kernels(home: Path) -> Iterator[tuple[Kernel, Kernel]]:
    first = Kernel({"SPARKCONNECT_HOME": str(home)})
    second = Kernel({"SPARKCONNECT_HOME": str(home)})
    yield first, second
    first.shutdown()
    second.shutdown()


def ok(kernel: Kernel, code: str) -> str:
    run = kernel.run(code)
    assert run.status == "ok", run.text
    return run.text


def test_two_notebooks_share_one_server(kernels: tuple[Kernel, Kernel], home: Path) -> None:
    a, b = kernels
    assert "server started" in ok(a, "%load_ext sparkconnect\n%spark start")
    assert "Attached to the running" in ok(b, "%load_ext sparkconnect\n%spark start")

    assert len(java_servers_of(home)) == 1
    assert sorted(_core.status(str(home)).attached) == sorted([a.pid, b.pid])
    assert "499999500000" in ok(a, 'spark.range(10**6).selectExpr("sum(id)").collect()[0][0]')
    assert "45" in ok(b, 'spark.range(10).selectExpr("sum(id)").collect()[0][0]')

    # Each notebook has its own session: a temp view made in one is not seen in the other.
    ok(a, 'spark.range(5).createOrReplaceTempView("only_in_a")')
    assert "True" in ok(a, 'spark.catalog.tableExists("only_in_a")')
    assert "False" in ok(b, 'spark.catalog.tableExists("only_in_a")')

    # Stopping in one leaves the other working.
    assert "keeps running for 1 other notebook" in ok(a, "%spark stop")
    assert "3" in ok(b, "spark.range(3).count()")
    assert len(java_servers_of(home)) == 1

    # The last one out stops the JVM.
    pid = _core.status(str(home)).server.pid  # type: ignore[union-attr]
    assert "Spark Connect server stopped" in ok(b, "%spark stop")
    deadline = time.monotonic() + 15
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not java_servers_of(home)
    assert _core.status(str(home)).state == "stopped"


# Holds the kernel's background client import at its start for a few seconds, as a busy machine
# does, and notes every module of the client's packages another thread imports meanwhile.
WATCH_CLIENT_IMPORT = """
import importlib.abc, sys, threading, time

imported_beside = []

class WatchClientImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if threading.current_thread().name == "sparkconnect-import":
            if name == "pyspark":  # its first import
                time.sleep(3)
        elif name.split(".")[0] in ("pyspark", "grpc", "pandas", "pyarrow") and any(
            thread.name == "sparkconnect-import" for thread in threading.enumerate()
        ):
            imported_beside.append(name)
        return None

sys.meta_path.insert(0, WatchClientImport())
"""


def test_the_cell_that_loads_the_extension_imports_pyspark_alone(
    kernels: tuple[Kernel, Kernel],
) -> None:
    """A first cell that loads the extension, imports pandas and pyspark, and attaches
    (milliseconds: a server runs). The background client import must not run beside it: two
    threads importing the same cyclic packages from different ends can leave one with a partly
    initialised module (an AttributeError deep in pyspark, seen in CI)."""
    a, b = kernels
    assert "server started" in ok(a, "%load_ext sparkconnect\n%spark start")
    ok(b, WATCH_CLIENT_IMPORT)
    first = (
        "%load_ext sparkconnect\nimport pandas as pd\nfrom pyspark.sql import functions as F\n"
        "%spark start"
    )
    assert "Attached to the running" in ok(b, first)
    assert ok(b, "print(imported_beside)").strip() == "[]"
    assert "45" in ok(b, 'spark.range(10).select(F.sum("id")).collect()[0][0]')
    ok(b, "%spark stop")
    ok(a, "%spark stop")
