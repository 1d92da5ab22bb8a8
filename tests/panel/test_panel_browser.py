"""The control panel in a real JupyterLab in Chromium, used only by clicking: Start turns it
running without re-running its cell, a conf row says where it applies, the log follows a line
the test writes, another notebook's long query shows in that notebook's panel and its Cancel
stops it while that kernel is busy, and Stop for everyone asks first. Screenshots (light, dark,
narrow) go to tests/artifacts/."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sparkconnect import _core
from tests.support.jupyterlab import JupyterLab, lab_serving, require_chromium

pytestmark = [pytest.mark.jvm, pytest.mark.browser]

PANEL_CELLS = ["%load_ext sparkconnect", "%spark panel", "spark.range(3).count()"]
OTHER_CELLS = [
    "%load_ext sparkconnect\n%spark start",
    "%spark panel",
    # 240 tasks of 1 s on the machine's cores: minutes, unless cancelled. No CPU.
    "spark.range(0, 240, 1, 240)"
    ".selectExpr(\"reflect('java.lang.Thread', 'sleep', cast(1000 as bigint)) AS slept\")"
    ".collect()",
]

require_chromium()

from playwright.sync_api import Locator, Page, expect  # noqa: E402

from tests.support.lab_page import (  # noqa: E402
    ARTIFACTS,
    add_conf_rows,
    cell,
    open_notebook,
    run_cell,
    set_theme,
    shot,
    wait_done,
)


@pytest.fixture
def lab(home: Path, tmp_path: Path) -> Iterator[JupyterLab]:
    notebooks = {"panel.ipynb": PANEL_CELLS, "other.ipynb": OTHER_CELLS}
    with lab_serving(tmp_path, notebooks, {"SPARKCONNECT_HOME": str(home)}) as lab:
        yield lab


def panel_of(page: Page, index: int) -> Locator:
    return cell(page, index).locator(".spc-panel")


def tab(panel: Locator, name: str) -> None:
    panel.locator(f".spc-tab[data-tab='{name}']").click()
    expect(panel.locator(f".spc-body-{name}")).to_be_visible()


def test_panel_in_jupyterlab(lab: JupyterLab, page: Page, home: Path) -> None:
    open_notebook(page, lab.open_url("panel.ipynb"), len(PANEL_CELLS))
    for index in (0, 1):
        run_cell(page, index)
        wait_done(page, index)
    panel = panel_of(page, 1)
    pill = panel.locator(".spc-pill")
    expect(pill).to_have_text("stopped", timeout=30_000)
    # A widget, not HTML: MathJax must not typeset anything in it.
    expect(panel).to_have_class("spc-panel mathjax_ignore tex2jax_ignore")

    # Start: the state turns running by itself, the cell is not run again, `spark` is bound.
    panel.locator(".spc-action-start").click()
    expect(pill).to_have_text("running", timeout=180_000)
    expect(cell(page, 1).locator(".jp-InputPrompt")).to_have_text("[2]:")
    expect(panel.locator(".spc-message")).to_contain_text("Spark Connect server started")
    run_cell(page, 2)
    wait_done(page, 2)
    expect(cell(page, 2).locator(".jp-OutputArea-output").last).to_have_text("3")
    expect(panel.locator(".spc-body-status")).to_contain_text("panel.ipynb")
    expect(panel.locator(".spc-body-status")).to_contain_text("resident (server JVM)")
    shot(page, "panel-1-running-light")

    # Configure: a server conf is marked "next start", a runtime one "now"; a bad key is marked
    # as typed and keeps Apply disabled; the good rows are saved.
    tab(panel, "configure")
    rows = add_conf_rows(
        panel,
        [
            ("spark.executor.memory", "2g"),
            ("spark.sql.shuffle.partitions", "8"),
            ("spark.bad key", "1"),
        ],
    )
    expect(rows.nth(0).locator(".spc-badge")).to_have_text("next start · server")
    expect(rows.nth(1).locator(".spc-badge")).to_have_text("now · this notebook")
    expect(rows.nth(2)).to_have_attribute("data-state", "invalid")
    expect(rows.nth(2).locator(".spc-row-problem")).to_contain_text("whitespace")
    expect(panel.locator(".spc-conf-apply")).to_be_disabled()
    shot(page, "panel-2-configure")
    rows.nth(2).locator(".spc-close").click()
    expect(panel.locator(".spc-conf-apply")).to_be_enabled()
    panel.locator(".spc-conf-apply").click()
    expect(panel.locator(".spc-message")).to_contain_text("spark.executor.memory")
    assert _core.load_conf(str(home)) == {"spark.executor.memory": "2g"}

    # Logs: a line written to the server log shows up by itself, its level coloured.
    tab(panel, "logs")
    marker = f"written by the panel test {uuid.uuid4().hex[:8]}"
    log_path = _core.status(str(home)).log_path
    with open(log_path, "a") as log:
        log.write(f"26/12/01 10:00:00 WARN PanelTest: {marker}\n")
    line = panel.locator(".spc-log-line.spc-log-warn", has_text=marker)
    expect(line).to_be_visible(timeout=15_000)
    shot(page, "panel-3-logs")

    # Another notebook: its long query shows in its own panel, and Cancel stops just that
    # operation while its kernel is busy running it.
    other = page.context.new_page()
    open_notebook(other, lab.open_url("other.ipynb"), len(OTHER_CELLS))
    for index in (0, 1):
        run_cell(other, index)
        wait_done(other, index)
    other_panel = panel_of(other, 1)
    tab(other_panel, "jobs")
    run_cell(other, 2)
    job = other_panel.locator(".spc-job[data-status='running']")
    expect(job).to_be_visible(timeout=120_000)
    # Its cell shows [*] in JupyterLab while it runs, and so does its row.
    expect(job.locator("td").nth(1)).to_have_text("[*]")
    expect(job).to_contain_text("spark.range(0, 240, 1, 240)")
    shot(other, "panel-4-jobs-running")
    # The docs' picture of the panel (docs/panel.png is a copy): the panel alone, tasks under way.
    expect(job.locator("td").nth(4)).not_to_have_text(re.compile(r"^0/240"), timeout=60_000)
    other_panel.screenshot(path=str(ARTIFACTS / "panel-readme.png"))
    began = time.monotonic()
    job.locator(".spc-job-cancel").click()
    wait_done(other, 2, seconds=60)
    assert time.monotonic() - began < 60
    # The cell ends as an interrupted one does: the cancelled summary and one quiet line.
    outputs = cell(other, 2).locator(".jp-OutputArea")
    expect(outputs.locator(".sparkconnect-progress-cancelled")).to_contain_text(
        "✖ Spark job cancelled after"
    )
    expect(outputs.locator("[data-mime-type='application/vnd.jupyter.stderr']")).to_have_text(
        "Cancelled"
    )
    for noise in ("OPERATION_CANCELED", "UnknownException", "JVM stacktrace"):
        assert noise not in outputs.inner_text(), noise
    cancelled = other_panel.locator(".spc-job[data-status='cancelled']")
    expect(cancelled).to_be_visible(timeout=15_000)
    expect(cancelled.locator("td").nth(1)).to_have_text("[3]")
    shot(other, "panel-5-jobs-cancelled")
    set_theme(other, "JupyterLab Dark")
    shot(other, "panel-5-jobs-cancelled-dark")
    set_theme(other, "JupyterLab Light")

    # Back in the first notebook: it lists the other one by name.
    page.bring_to_front()
    tab(panel, "status")
    expect(panel.locator(".spc-notebooks")).to_contain_text("other.ipynb", timeout=15_000)

    # The Spark UI: a link through our Jupyter server extension (the address that outlives
    # restarts), and an embedded view that can be shown and hidden.
    tab(panel, "ui")
    expect(panel.locator(".spc-ui-link")).to_have_attribute("href", "/sparkui/jobs/")
    panel.locator(".spc-ui-toggle").click()
    frame = panel.frame_locator("iframe.spc-ui-frame")
    expect(frame.locator("body")).to_contain_text("Completed Jobs", timeout=30_000)
    shot(page, "panel-6-spark-ui")
    panel.locator(".spc-ui-toggle").click()
    expect(panel.locator("iframe.spc-ui-frame")).to_have_count(0)

    # Dark theme and a narrow pane.
    tab(panel, "status")
    set_theme(page, "JupyterLab Dark")
    shot(page, "panel-7-running-dark")
    tab(panel, "jobs")
    shot(page, "panel-8-jobs-dark")
    set_theme(page, "JupyterLab Light")
    # A notebook pane about 530 px wide: the left sidebar closed, a narrow window.
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    page.set_viewport_size({"width": 600, "height": 1000})
    pane = page.locator(".jp-NotebookPanel:visible").bounding_box()
    assert pane is not None and 500 <= pane["width"] <= 560, pane
    tab(panel, "configure")
    shot(page, "panel-9-narrow")
    box = panel.bounding_box()
    assert box is not None and box["width"] <= pane["width"]
    page.set_viewport_size({"width": 1280, "height": 1000})

    # Stop for everyone asks first, naming what it cuts off; confirmed, both panels say stopped.
    panel.locator(".spc-action-stop-all").click()
    confirm = panel.locator(".spc-confirm")
    expect(confirm).to_contain_text("cuts off 1 other notebook (other.ipynb)")
    shot(page, "panel-10-confirm")
    confirm.locator(".spc-confirm-yes").click()
    expect(pill).to_have_text("stopped", timeout=60_000)
    assert _core.status(str(home)).server is None
    other.bring_to_front()
    expect(other_panel.locator(".spc-pill")).to_have_text("stopped", timeout=30_000)
