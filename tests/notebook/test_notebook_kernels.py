"""The notebook experience in real Jupyter kernels on one real server: progress bars updated in
place, DataFrames as HTML tables, and interrupts that cancel this notebook's jobs (only)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel
from tests.support.kernels import attached_kernels
from tests.support.spark_ui import running_jobs_of

pytestmark = pytest.mark.jvm

# One task per partition, each sleeping: a long job that holds no CPU.
SLEEPING_JOB = (
    "spark.range(0, {tasks}, 1, {tasks})"
    ".selectExpr(\"reflect('java.lang.Thread', 'sleep', cast({ms} as bigint))\").collect()"
)


@pytest.fixture(scope="module")
def kernels(module_home: Path) -> Iterator[tuple[Kernel, Kernel]]:
    home = {"SPARKCONNECT_HOME": str(module_home)}
    with attached_kernels(home, home) as (first, second):
        yield first, second


def session_id(kernel: Kernel) -> str:
    run = kernel.run("print(spark.session_id)")
    assert run.status == "ok", run.text
    return run.text.strip()


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_progress_bar_is_one_output_updated_in_place(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    run = a.run(SLEEPING_JOB.format(tasks=4, ms=1500))
    assert run.status == "ok", run.text
    progress = [o for o in run.outputs if "sparkconnect-progress" in o.data.get("text/html", "")]
    created = [o for o in progress if o.kind == "display_data"]
    updates = [o for o in progress if o.kind == "update_display_data"]
    assert len(created) == 1, run.outputs
    assert created[0].display_id and {o.display_id for o in updates} == {created[0].display_id}
    # It moved while the job ran, and ended as a summary line.
    running = [o for o in [*created, *updates] if "data-state='running'" in o.data["text/html"]]
    assert len(running) >= 2
    assert "tasks" in running[0].data["text/html"]
    final = updates[-1].data
    assert "data-state='done'" in final["text/html"]
    assert "Spark: 1 stage · 4 tasks" in final["text/plain"]


def test_progress_can_be_switched_off(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    assert "off" in a.run("%spark progress off").text
    try:
        run = a.run(SLEEPING_JOB.format(tasks=2, ms=1200))
        assert run.status == "ok", run.text
        assert not any("sparkconnect-progress" in o.data.get("text/html", "") for o in run.outputs)
    finally:
        assert "on" in a.run("%spark progress on").text


def test_dataframe_ending_a_cell_is_an_html_table(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    run = a.run("spark.range(30).selectExpr('id', 'id * id AS square')")
    assert run.status == "ok", run.text
    result = next(o for o in run.outputs if o.kind == "execute_result")
    page = result.data["text/html"]
    assert "<div class='sparkconnect-scroll'><table class='dataframe'>" in page
    number = "class='sparkconnect-number'"
    assert f"<th {number}>square<div class='sparkconnect-type'>bigint</div></th>" in page
    assert page.count("<tr>") == 21  # the header and max_rows (20) rows
    assert f"<td {number}>361</td>" in page and ">400</td>" not in page
    assert "only showing the first 20 rows" in page
    assert "|square|" in result.data["text/plain"]


def test_interrupt_cancels_this_notebooks_job_and_no_other(
    kernels: tuple[Kernel, Kernel], module_home: Path
) -> None:
    a, b = kernels
    mine, other = session_id(a), session_id(b)
    b_cell = b.submit(SLEEPING_JOB.format(tasks=1, ms=60_000))
    a_cell = a.submit(SLEEPING_JOB.format(tasks=1, ms=60_000))
    assert wait_for(
        lambda: bool(running_jobs_of(module_home, mine) and running_jobs_of(module_home, other)),
        60,
    ), "both jobs should be running"

    a.manager.interrupt_kernel()
    reply = a.reply(a_cell, timeout=30)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    assert wait_for(lambda: not running_jobs_of(module_home, mine), 10), "job still running"
    assert running_jobs_of(module_home, other), "the other notebook's job was touched"
    # The notebook works on after the interrupt.
    assert a.run("spark.range(3).count()").status == "ok"

    b.manager.interrupt_kernel()
    assert b.reply(b_cell, timeout=30)["ename"] == "KeyboardInterrupt"
    assert wait_for(lambda: not running_jobs_of(module_home, other), 10)


def test_interrupt_cancels_jobs_the_cell_started_in_other_threads(
    kernels: tuple[Kernel, Kernel], module_home: Path
) -> None:
    # The interrupt lands in Python (time.sleep), not in a Spark call: pyspark alone would leave
    # the job running on the server.
    a, _ = kernels
    mine = session_id(a)
    cell = a.submit(
        "import threading, time\n"
        f"threading.Thread(target=lambda: {SLEEPING_JOB.format(tasks=1, ms=60_000)},"
        " daemon=True).start()\n"
        "time.sleep(120)",
    )
    assert wait_for(lambda: bool(running_jobs_of(module_home, mine)), 60)
    a.manager.interrupt_kernel()
    assert a.reply(cell, timeout=30)["ename"] == "KeyboardInterrupt"
    assert wait_for(lambda: not running_jobs_of(module_home, mine), 10), "job still running"


def test_logs_follow_is_one_output_updated_in_place(kernels: tuple[Kernel, Kernel]) -> None:
    a, _ = kernels
    run = a.run("%spark logs -n 5 --follow 1.5")
    assert run.status == "ok", run.text
    logs = [o for o in run.outputs if "sparkconnect-log" in o.data.get("text/html", "")]
    assert logs[0].kind == "display_data"
    assert {o.display_id for o in logs} == {logs[0].display_id}
    assert "(following for 1.5 s)" in logs[0].data["text/plain"]
    assert logs[-1].kind == "update_display_data"
    assert "(followed for 1.5 s)" in logs[-1].data["text/plain"]
