"""Fixtures: isolated homes, a real IPython shell, and servers that are always cleaned up."""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

import sparkconnect
from drive.procfs import java_servers_of, kill_processes_naming
from sparkconnect import _core
from sparkconnect.session.binding import KERNEL_SESSION
from tests.support.processes import python


def _kill_leftovers(home: Path) -> None:
    """Stop whatever server a test left in `home`, then make sure no JVM of it survives."""
    KERNEL_SESSION.close()
    _core.stop(str(home), lease_pid=os.getpid(), force=True, grace=5.0)
    for pid in java_servers_of(home):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while java_servers_of(home) and time.monotonic() < deadline:
        time.sleep(0.1)


CHECKOUT = Path(__file__).resolve().parent.parent
SPARK_LEFTOVERS = ("spark-warehouse", "metastore_db", "derby.log")
"""What a Spark driver writes into its working directory (the warehouse of its default database,
Hive's Derby metastore and its log)."""


@pytest.fixture(scope="session", autouse=True)
def outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Runs the tests from a scratch directory: every server, kernel and process they start
    inherits it as its working directory, where the server JVM creates `spark-warehouse/`.
    Fails the run if the checkout gained any of SPARK_LEFTOVERS all the same."""
    existed = {name for name in SPARK_LEFTOVERS if (CHECKOUT / name).exists()}
    previous = Path.cwd()
    scratch = tmp_path_factory.mktemp("cwd")
    os.chdir(scratch)
    yield scratch
    os.chdir(previous)
    gained = [n for n in SPARK_LEFTOVERS if (CHECKOUT / n).exists() and n not in existed]
    assert not gained, f"the tests wrote {', '.join(gained)} into the checkout {CHECKOUT}"


@contextlib.contextmanager
def _for_the_run(name: str, value: str | Path) -> Iterator[None]:
    """`name` set to `value` in this process (and every process it starts), then put back."""
    previous = os.environ.get(name)
    os.environ[name] = str(value)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


@pytest.fixture(scope="session", autouse=True)
def no_site_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty site configuration for the whole run (and every process it starts), so a file
    the machine's administrators put in /etc/sparkconnect cannot change what tests see. Tests
    of the site configuration point SPARKCONNECT_SITE_CONFIG at their own file."""
    path = tmp_path_factory.mktemp("site") / "config.toml"
    path.write_text("")
    with _for_the_run("SPARKCONNECT_SITE_CONFIG", path):
        yield path


@pytest.fixture(scope="session", autouse=True)
def no_user_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No user config file for the whole run (and every process it starts): a developer's own
    `~/.config/sparkconnect/config.toml` must not change what tests see (its profiles, or
    `prestart = true`, which would make every kernel launch a server). Tests of the config file
    point SPARKCONNECT_CONFIG (or XDG_CONFIG_HOME, unsetting it) at their own."""
    path = tmp_path_factory.mktemp("user-config") / "config.toml"
    with _for_the_run("SPARKCONNECT_CONFIG", path):
        yield path


@pytest.fixture(scope="session", autouse=True)
def archive_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One start-up archive cache for the whole run, not the user's own: the first server records
    its classes, a builder makes the archive, later servers start from it, as on a user's
    machine. Builders still running at the end are stopped."""
    cache = tmp_path_factory.mktemp("cache")
    with _for_the_run("XDG_CACHE_HOME", cache):
        yield cache
        kill_processes_naming(str(cache))


CHEAP_TEST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
"""The suite starts over a hundred short-lived JVMs on two cores and is bound by their CPU.
Without the optimising JIT compiler (C2, which pays off only in long runs) a server start and
first query took half the CPU time (12 s -> 6.5 s, measured) and a third less wall time; the
serial collector spares G1's threads. What the tests check (the lifecycle, sessions, outputs)
does not depend on either; the benchmarks run the JVM as users get it."""


@pytest.fixture(scope="session", autouse=True)
def cheap_test_jvms() -> Iterator[None]:
    """Every Spark JVM of the run (our servers through spark-submit, classic pyspark's drivers)
    gets CHEAP_TEST_JVM through SPARK_SUBMIT_OPTS, which Spark's launcher adds to the driver's
    options; a developer's own setting wins."""
    if "SPARK_SUBMIT_OPTS" in os.environ:
        yield
        return
    with _for_the_run("SPARK_SUBMIT_OPTS", CHEAP_TEST_JVM):
        yield


@pytest.fixture
def home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """A fresh per-test $SPARKCONNECT_HOME (and data directory: the server's working directory
    and warehouse); any server started in it is stopped afterwards. A test not marked `jvm`
    that started one fails: `make check` selects by that marker."""
    path = tmp_path / "home"
    monkeypatch.setenv("SPARKCONNECT_HOME", str(path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    yield path
    if not path.exists():
        return
    started = java_servers_of(path)
    _kill_leftovers(path)
    if request.node.get_closest_marker("jvm") is None:
        assert not started, "a test that starts a Spark server must be marked `jvm`"


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One home for a module whose tests share a running server (a launch costs seconds)."""
    path = tmp_path_factory.mktemp("shared") / "home"
    settings = {"SPARKCONNECT_HOME": str(path), "XDG_DATA_HOME": str(path.parent / "data")}
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield path
    _kill_leftovers(path)
    for name, value in previous.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    """The real IPython shell with the extension loaded; unloaded again afterwards."""
    ip = InteractiveShell.instance()
    # `%config SparkConnect.x = ...` also lands in the shell's own config, which the next load
    # reads: put it back, so one test's options do not leak into the next.
    options = copy.deepcopy(ip.config.SparkConnect)
    ip.extension_manager.load_extension("sparkconnect")
    yield ip
    ip.extension_manager.unload_extension("sparkconnect")
    ip.user_ns.pop("spark", None)
    ip.config.SparkConnect = options


__all__ = ["sparkconnect"]


@pytest.fixture
def other_notebook(module_home: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process attached to the same server, like a second notebook."""
    code = """
        import sys, sparkconnect
        spark = sparkconnect.start()
        assert spark.range(3).count() == 3
        print("attached", flush=True)
        sys.stdin.read()
        """
    proc = python(code, module_home, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "attached"
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def page(lab: Any) -> Iterator[Any]:
    """A Chromium page, for browser tests whose module defines the `lab` (JupyterLab) fixture.
    Playwright is imported here, not at collection, so test runs without a browser stay light."""
    from tests.support.lab_page import chromium_page

    with chromium_page() as opened:
        yield opened
