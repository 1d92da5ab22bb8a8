"""Which notebook ran what, on a server two notebooks share: each job's description and tags
name the notebook and the cell, the Connect tab names the user, `%spark status` names the
notebook. Real kernels, a real server, read back through the Spark UI."""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel
from drive.waiting import wait_until
from tests.support.helpers import cli
from tests.support.kernels import attached_kernels
from tests.support.spark_ui import app_api, page, running, running_jobs_of

pytestmark = pytest.mark.jvm


@pytest.fixture(scope="module")
def kernels(module_home: Path) -> Iterator[tuple[Kernel, Kernel]]:
    # JupyterLab names the notebook's file in JPY_SESSION_NAME; nbclient and others do not.
    home = {"SPARKCONNECT_HOME": str(module_home)}
    with attached_kernels({**home, "JPY_SESSION_NAME": "/w/sales.ipynb"}, home) as (sales, other):
        yield sales, other


def job_of(home: Path, session_id: str) -> dict[str, object]:
    listed = app_api(running(home), "jobs")
    mine = [j for j in listed if any(session_id in t for t in j["jobTags"])]
    assert mine, "no job of this session"
    return mine[0]  # the newest


CODE = "spark.range(10).selectExpr('sum(id)').collect()"
"""The first line of run_job's cell: the end of its jobs' descriptions."""


def run_job(kernel: Kernel) -> tuple[int, str]:
    """Runs a job in a cell of its own; (the cell's number, the session id)."""
    result = kernel.run(f"{CODE}\nprint(spark.session_id)")
    assert result.status == "ok" and result.execution_count is not None, result.text
    return result.execution_count, result.text.strip().splitlines()[-1]


def test_jobs_carry_the_notebook_and_cell(
    kernels: tuple[Kernel, Kernel], module_home: Path
) -> None:
    sales, other = kernels
    cell, session = run_job(sales)
    job = job_of(module_home, session)
    assert job["description"] == f"sales.ipynb [{cell}] {CODE}"
    tags = [str(t) for t in job["jobTags"]]  # type: ignore[attr-defined]
    assert any(t.endswith("_Tag_notebook:sales.ipynb") for t in tags), tags
    assert any(t.endswith(f"_Tag_cell:{cell}") for t in tags), tags
    # A kernel not started by a Jupyter server is named by its kernel id.
    cell, session = run_job(other)
    kernel_id = Path(other.manager.connection_file).stem.removeprefix("kernel-").split("-")[0]
    assert job_of(module_home, session)["description"] == f"kernel {kernel_id} [{cell}] {CODE}"


def test_the_connect_tab_names_the_user_and_the_notebook(
    kernels: tuple[Kernel, Kernel], module_home: Path
) -> None:
    sales, _ = kernels
    run_job(sales)
    shown = page(running(module_home), "/connect/", timeout=30)
    user = getpass.getuser()
    assert f"userId={user}" in shown or f">{user}<" in shown
    assert "notebook:sales.ipynb" in shown


def test_status_names_this_notebook(kernels: tuple[Kernel, Kernel]) -> None:
    sales, _ = kernels
    shown = sales.run("%spark status").text
    # The label column is as wide as the card's longest label.
    assert re.search(r"\n  Notebook +sales\.ipynb, as its jobs are named in the Spark UI\n", shown)


def test_a_description_of_the_users_own_is_kept(
    kernels: tuple[Kernel, Kernel], module_home: Path
) -> None:
    sales, _ = kernels
    own = sales.run("spark.conf.set('spark.job.description', 'nightly load')")
    assert own.status == "ok", own.text
    _, session = run_job(sales)
    assert job_of(module_home, session)["description"] == "nightly load"
    assert sales.run("spark.conf.unset('spark.job.description')").status == "ok"
    cell, session = run_job(sales)
    assert job_of(module_home, session)["description"] == f"sales.ipynb [{cell}] {CODE}"


def task_running(home: Path, session_id: str) -> bool:
    listed = app_api(running(home), "jobs")
    return any(
        j["numActiveTasks"] > 0 and any(session_id in t for t in j["jobTags"]) for j in listed
    )


def test_the_terminal_lists_every_job_by_notebook_cell_and_code(
    kernels: tuple[Kernel, Kernel], module_home: Path
) -> None:
    # `sparkconnect jobs` knows what the Spark UI knows: a job's notebook and cell from its
    # tags, its code from its description (also for a session the notebook ended with
    # spark.stop()), and a cancelled job as cancelled, not failed.
    sales, other = kernels
    before_stop, _ = run_job(sales)
    assert sales.run("spark.stop()").status == "ok"
    after_stop, _ = run_job(sales)
    session = other.run("print(spark.session_id)").text.strip().splitlines()[-1]
    sleeping = other.submit(
        "spark.range(0, 1, 1, 1)"
        ".selectExpr(\"reflect('java.lang.Thread', 'sleep', cast(60000 as bigint))\").collect()"
    )
    # Its task running: a job cancelled before any task ran leaves no reason to tell it by.
    wait_until(lambda: task_running(module_home, session), 60, "the sleeping job's task runs")
    other.manager.interrupt_kernel()
    assert other.reply(sleeping, timeout=30)["ename"] == "KeyboardInterrupt"
    # The Spark UI learns of the job's end from the driver's event queue, a moment later.
    wait_until(lambda: not running_jobs_of(module_home, session), 30, "the job is cancelled")

    def jobs(*args: str) -> str:
        done = cli("jobs", *args, home=module_home)
        assert done.returncode == 0, done.stderr
        return done.stdout

    rows = json.loads(jobs("--json"))["jobs"]
    mine = {(r["notebook"], r["cell"], r["description"], r["status"]) for r in rows}
    for cell in (before_stop, after_stop):
        assert ("sales.ipynb", f"[{cell}]", CODE, "succeeded") in mine, rows
    cancelled = [r for r in rows if r["status"] == "cancelled"]
    assert len(cancelled) == 1, rows
    assert cancelled[0]["description"].startswith("spark.range(0, 1, 1, 1)")
    line = next(line for line in jobs().splitlines() if f"[{after_stop}]" in line)
    assert line.split()[:4] == ["sales.ipynb", "✔", "succeeded", f"[{after_stop}]"], line
