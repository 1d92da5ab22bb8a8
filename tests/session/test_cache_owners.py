"""End to end: what a notebook or script cached on the shared server goes when it does.

The server's cache is shared by every session, and a Connect session's release leaves it in
place: without sparkconnect's records, everything below would stay cached. Each check looks from
a live process, through the Connect API, at a DataFrame with an equal plan (the cache matches
plans by their result, so an equal plan in another session finds the same entry)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import sparkconnect
from drive.kernels import Kernel
from drive.waiting import wait_until

pytestmark = pytest.mark.jvm

IDLE = 2.0
"""The idle timeout of the first test's server: its watchdog checks every 0.4 s (a fifth)."""
RELEASE_BOUND = 30.0
"""Generous bound for a release on a busy two-core machine: a check interval, a Python start
with the pyspark import, one Connect session."""

MINE = 'spark.range(7).selectExpr("id * 3 AS x")'
THEIRS = 'spark.range(11).selectExpr("id + 100 AS y")'
SHARED = "spark.range(5)"


def ok(kernel: Kernel, code: str) -> str:
    run = kernel.run(code)
    assert run.status == "ok", run.text
    return run.text


def cached(kernel: Kernel, plan: str) -> bool:
    answer = ok(kernel, f"{plan}.is_cached").strip()
    assert answer in ("True", "False"), answer
    return answer == "True"


def records(home: Path) -> list[Path]:
    return sorted((home / "caches").glob("*.json")) if (home / "caches").exists() else []


def test_a_killed_notebooks_cache_goes_and_the_other_notebooks_stays(home: Path) -> None:
    a = Kernel({"SPARKCONNECT_HOME": str(home), "JPY_SESSION_NAME": "work/analysis.ipynb"})
    b = Kernel({"SPARKCONNECT_HOME": str(home), "JPY_SESSION_NAME": "report.ipynb"})
    try:
        ok(a, f"%load_ext sparkconnect\n%spark start --idle-timeout {IDLE}")
        ok(b, "%load_ext sparkconnect\n%spark start")
        ok(a, f"mine = {MINE}.cache(); mine.count()\nshared = {SHARED}.persist(); shared.count()")
        ok(b, f"theirs = {THEIRS}.cache(); theirs.count()\nshared = {SHARED}.cache()")
        assert cached(b, MINE) and cached(b, THEIRS) and cached(b, SHARED)
        assert len(records(home)) == 2
        assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in records(home))

        status = ok(b, "%spark status")
        assert "2 DataFrames by analysis.ipynb, 2 DataFrames by report.ipynb" in status, status
        # The panel's Status tab (and the Lab sidebar, drawn from the same state) too.
        panel = ok(
            b,
            "from sparkconnect.notebook.panel.snapshot import server_state\n"
            'print(dict(server_state()["rows"])["Cached"])',
        )
        assert "2 DataFrames by analysis.ipynb, 2 DataFrames by report.ipynb" in panel, panel

        os.kill(a.pid, signal.SIGKILL)
        wait_until(lambda: not cached(b, MINE), RELEASE_BOUND, "the killed notebook's cache goes")
        # The live notebook's own cache stays, and so does what both had cached.
        assert cached(b, THEIRS)
        assert cached(b, SHARED)
        assert "3" in ok(b, "theirs.where('y > 107').count()")
        wait_until(lambda: len(records(home)) == 1, 5, "the killed notebook's record goes")
        status = ok(b, "%spark status")
        assert "Cached" in status and "2 DataFrames by report.ipynb" in status, status
        # (The server's origin row still names the notebook that launched it.)
        (cached_row,) = [line for line in status.splitlines() if line.strip().startswith("Cached")]
        assert "analysis.ipynb" not in cached_row, cached_row

        # `%spark stop` of the last notebook stops the server: no record is left behind.
        ok(b, "%spark stop")
        assert not records(home)
    finally:
        a.shutdown()
        b.shutdown()


JOB = """
import sys
import sparkconnect

spark = sparkconnect.session()
first = spark.range(13).selectExpr("id + 1 AS y").cache()
first.count()
print("cached", flush=True)
sys.stdin.readline()
spark.stop()
print("stopped", flush=True)
# The same session object continues in a fresh session; its new cache goes at exit.
second = spark.range(17).persist()
second.count()
print("cached again", flush=True)
sys.stdin.readline()
"""


def test_a_script_releases_its_cache_at_spark_stop_and_at_exit(home: Path, tmp_path: Path) -> None:
    # No idle timeout, so no watchdog: only the script itself can release what it cached.
    spark = sparkconnect.start(idle_timeout=0)
    first, second = spark.range(13).selectExpr("id + 1 AS y"), spark.range(17)
    job = tmp_path / "job.py"
    job.write_text(JOB)
    script = subprocess.Popen(
        [sys.executable, str(job)],
        env={**os.environ, "SPARKCONNECT_HOME": str(home)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert script.stdout is not None and script.stdin is not None
        assert script.stdout.readline().strip() == "cached"
        assert first.is_cached
        assert f"1 DataFrame by job.py (pid {script.pid})" in repr(sparkconnect.status())
        terminal = subprocess.run(
            [sys.executable, "-m", "sparkconnect", "status", "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(terminal.stdout)["cached"] == f"1 DataFrame by job.py (pid {script.pid})"

        script.stdin.write("\n")
        script.stdin.flush()
        assert script.stdout.readline().strip() == "stopped"
        assert not first.is_cached
        assert not records(home)

        assert script.stdout.readline().strip() == "cached again"
        assert second.is_cached
        script.stdin.close()
        assert script.wait(timeout=60) == 0
        assert not second.is_cached
        assert not records(home)
        assert "Cached" not in repr(sparkconnect.status())
    finally:
        if script.poll() is None:
            script.kill()
            script.wait()


def test_a_notebook_releases_its_cache_when_its_kernel_restarts(home: Path) -> None:
    # No idle timeout, so no watchdog: only the kernel itself can release what it cached.
    spark = sparkconnect.start(idle_timeout=0)
    kernel = Kernel({"SPARKCONNECT_HOME": str(home)})
    try:
        ok(kernel, f"%load_ext sparkconnect\n%spark start\nmine = {MINE}.cache(); mine.count()")
        mine = spark.range(7).selectExpr("id * 3 AS x")
        assert mine.is_cached
        # A restart from Jupyter: the kernel is asked to shut down, and exits on its own.
        kernel.manager.restart_kernel(now=False)
        assert not mine.is_cached
        assert not records(home)
    finally:
        kernel.shutdown()
