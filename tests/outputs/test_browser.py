"""The notebook experience in a real browser: JupyterLab in Chromium runs a notebook that loads the
extension, starts the server, runs a job of several seconds, and shows status and logs; the test
asserts what the page shows. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.jupyterlab import JupyterLab, lab_serving, require_chromium

pytestmark = [pytest.mark.jvm, pytest.mark.browser]

CELLS = [
    "%load_ext sparkconnect",
    "%spark start",
    # Eight tasks of 1.5 s on the machine's cores: several seconds, no CPU. (collect(), not
    # count(): count would prune the sleeping column away.)
    "len(spark.range(0, 8, 1, 8)"
    ".selectExpr(\"reflect('java.lang.Thread', 'sleep', cast(1500 as bigint)) AS slept\")"
    ".collect())",
    "%spark status",
    "%spark logs -n 5",
    "%spark logs -n 10 --level WARN",
    "spark.range(5).selectExpr('id', 'id * id AS square')",
]
JOB_CELL, STATUS_CELL, LOGS_CELL, WARN_CELL, TABLE_CELL = 2, 3, 4, 5, 6

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.support import lab_page  # noqa: E402
from tests.support.lab_page import cell, open_notebook, run_cell, wait_done  # noqa: E402


@pytest.fixture
def lab(home: Path, tmp_path: Path) -> Iterator[JupyterLab]:
    with lab_serving(tmp_path, {"spark.ipynb": CELLS}, {"SPARKCONNECT_HOME": str(home)}) as lab:
        yield lab


def shot(page: Page, name: str) -> None:
    lab_page.shot(page, f"browser-{name}")


def test_notebook_in_jupyterlab(lab: JupyterLab, page: Page, home: Path) -> None:
    open_notebook(page, lab.open_url("spark.ipynb"), len(CELLS))
    for index in (0, 1):
        run_cell(page, index)
        wait_done(page, index)
    assert "Spark Connect server started" in cell(page, 1).inner_text()

    # The job: a progress bar appears under the cell while it runs...
    run_cell(page, JOB_CELL)
    output = cell(page, JOB_CELL).locator(".jp-OutputArea")
    running = output.locator(".sparkconnect-progress[data-state='running']")
    expect(running).to_be_visible(timeout=60_000)
    first = running.inner_text()
    # ...and moves: tasks complete while the same output is updated in place...
    deadline = time.monotonic() + 60
    moved = False
    while not moved and time.monotonic() < deadline:
        text = running.inner_text(timeout=5_000) if running.count() else ""
        moved = "tasks 0/" not in text and "tasks" in text and text != first
        time.sleep(0.2)
    assert moved, f"the progress bar did not move from {first!r}"
    shot(page, "1-progress-running")
    wait_done(page, JOB_CELL)
    # ...and ends as one summary line, in the same single output.
    done = output.locator(".sparkconnect-progress[data-state='done']")
    expect(done).to_have_count(1)
    assert "Spark: 1 stage · 8 tasks" in done.inner_text()
    expect(output.locator(".sparkconnect-progress")).to_have_count(1)
    assert output.locator(".jp-OutputArea-output").last.inner_text() == "8"

    # The status card, with a Spark UI link that works through the Jupyter server's proxy.
    run_cell(page, STATUS_CELL)
    wait_done(page, STATUS_CELL)
    card = cell(page, STATUS_CELL).locator(".sparkconnect-status")
    expect(card).to_be_visible()
    assert "Spark Connect server: running" in card.inner_text()
    link = card.locator("a[href='/sparkui/jobs/']")
    expect(link).to_be_visible()

    # The log, its levels styled: INFO plain, WARN (and only WARN and above with --level) amber.
    for index in (LOGS_CELL, WARN_CELL):
        run_cell(page, index)
        wait_done(page, index)
    log = cell(page, LOGS_CELL).locator(".sparkconnect-log")
    expect(log.locator(".sparkconnect-log-line")).to_have_count(5)
    info = log.locator(".sparkconnect-log-info").first
    plain = info.evaluate("e => getComputedStyle(e).color")
    warnings = cell(page, WARN_CELL).locator(".sparkconnect-log")
    warn = warnings.locator(".sparkconnect-log-warn").first
    expect(warn).to_be_visible()
    warn_colour = page.evaluate(
        "() => { const e = document.createElement('div');"
        " e.style.color = 'var(--jp-warn-color0)'; document.body.appendChild(e);"
        " const c = getComputedStyle(e).color; e.remove(); return c; }"
    )
    assert warn.evaluate("e => getComputedStyle(e).color") == warn_colour != plain
    expect(warnings.locator(".sparkconnect-log-info")).to_have_count(0)

    # A DataFrame ending a cell is a table.
    run_cell(page, TABLE_CELL)
    wait_done(page, TABLE_CELL)
    table = cell(page, TABLE_CELL).locator("table.dataframe")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(5)
    # Tall enough to show the whole notebook in one picture.
    page.set_viewport_size({"width": 1280, "height": 2400})
    cell(page, 0).scroll_into_view_if_needed()
    shot(page, "2-notebook")

    # Following the link opens the Spark UI's jobs page, with the job that ran.
    with page.context.expect_page() as opened:
        link.click()
    ui = opened.value
    expect(ui.locator("body")).to_contain_text("Completed Jobs", timeout=30_000)
    shot(ui, "3-spark-ui")
