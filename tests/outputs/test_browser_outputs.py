"""What the user reads, in JupyterLab in Chromium: the Spark UI through the Jupyter server (every
page), short Spark errors and interrupts, cards without MathJax or Markdown leftovers, the dark
theme and a narrow pane. Screenshots (light, dark, narrow) go to tests/artifacts/."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sparkconnect import _core
from sparkconnect.server import profiles
from tests.support import lab_page
from tests.support.jupyterlab import JupyterLab, lab_serving, require_chromium
from tests.support.lab_page import cell, run_cell, wait_done
from tests.support.spark_ui import app_api, running

pytestmark = [pytest.mark.jvm, pytest.mark.browser]

SLEEPING = "reflect('java.lang.Thread', 'sleep', cast({ms} as bigint))"
CELLS = [
    "%load_ext sparkconnect",
    "%spark start",
    "%spark profiles",
    # The same text in plain HTML, to show that MathJax is at work in this JupyterLab.
    "from IPython.display import HTML\n"
    "HTML('<div>$AWS_SECRET_ACCESS_KEY=•••, $HADOOP_CONF_DIR=/etc/hadoop/conf</div>')",
    "import os\nos.environ['SPARKCONNECT_CONFIG'] = '/nonexistent/config.toml'\n%spark profiles",
    "%spark conf spark.sql.adaptive.coalescePartitions.minPartitionSize=1MB",
    # Cached (the Storage page) and grouped (two stages with tasks).
    f'df = spark.range(0, 8, 1, 8).selectExpr("id", "{SLEEPING.format(ms=300)} AS slept")\n'
    "df.cache().count()\n"
    'len(df.groupBy((df.id % 2).alias("k")).count().collect())',
    "%spark status",
    "%%spark sql\nSELECT * FROM missing_table",
    f'spark.range(0, 1, 1, 1).selectExpr("{SLEEPING.format(ms=120_000)}").collect()',
    "spark.range(3).selectExpr(*[f'id * {i} AS column_{i}' for i in range(24)],"
    " \"timestamp'2024-05-01 12:34:56' AS ts\")",
    "%spark logs -n 8 --level WARN",
    f'len(spark.range(0, 8, 1, 8).selectExpr("{SLEEPING.format(ms=3000)}").collect())',
    "spark",
]
(
    PROFILES,
    MATHS,
    EXAMPLE,
    CONF,
    JOBS,
    STATUS,
    ERROR,
    INTERRUPTED,
    WIDE,
    LOGS,
    PROGRESS,
    SESSION,
) = range(2, 14)
CONFIG = """
[profiles.s3]
description = "Reads `s3a://` buckets"
conf = { "spark.sql.shuffle.partitions" = 4 }
env = { AWS_SECRET_ACCESS_KEY = "do-not-show", HADOOP_CONF_DIR = "/etc/hadoop/conf" }
"""

require_chromium()

from playwright.sync_api import Locator, Page, expect  # noqa: E402


@pytest.fixture
def lab(home: Path, tmp_path: Path) -> Iterator[JupyterLab]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = {"SPARKCONNECT_HOME": str(home), profiles.CONFIG_ENV: str(config)}
    # The app in the page, to switch themes as the Settings menu does.
    app = ("--LabApp.expose_app_in_browser=True",)
    with lab_serving(tmp_path, {"spark.ipynb": CELLS}, env, app) as lab:
        yield lab


def shot(page: Page, name: str) -> None:
    lab_page.shot(page, f"outputs-{name}")


def output(page: Page, index: int) -> Locator:
    return cell(page, index).locator(".jp-OutputArea")


def height(locator: Locator) -> float:
    return size(locator)[1]


def size(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return float(box["width"]), float(box["height"])


def themed(page: Page, css: str) -> str:
    """The computed colour of a CSS value (a --jp-* variable) in the page's current theme."""
    return str(
        page.evaluate(
            """css => { const probe = document.createElement('div');
                 probe.style.color = css; document.body.appendChild(probe);
                 const colour = getComputedStyle(probe).color; probe.remove(); return colour; }""",
            css,
        )
    )


def measured(locator: Locator, script: str) -> list[float]:
    """Sizes from `script`, taken at once and retried: every progress report replaces the bar's
    elements, and one just taken out of the page measures 0."""
    deadline = time.monotonic() + 20
    while True:
        sizes = [float(v) for v in locator.evaluate(script)]
        if all(v > 0 for v in sizes) or time.monotonic() > deadline:
            return sizes
        time.sleep(0.1)


def style(locator: Locator, prop: str) -> str:
    return str(locator.evaluate(f"e => getComputedStyle(e)[{prop!r}]"))


def set_theme(page: Page, theme: str) -> None:
    page.evaluate(
        "theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    light = theme == "JupyterLab Light"
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", str(light).lower())


UI_PAGES: dict[str, tuple[str, str]] = {
    "jobs/": ("#completedJob-table tbody tr", "spark.ipynb"),
    "executors/": ("#active-executors-table tbody tr", "driver"),
    "stages/stage/?id={stage}&attempt=0": ("#active-tasks-table tbody tr", "SUCCESS"),
    "storage/": ("table tbody tr", "Memory"),
    "environment/": ("table tbody tr", "Java Home"),
    # (The SQL tab keeps the server's own description of each query: the raw plan.)
    "SQL/": ("table tbody tr", "COMPLETED"),
    "connect/": ("table tbody tr", "notebook:spark.ipynb"),
}
"""Each page of the Spark UI (with `{stage}`), a row it must show and a text in that row."""


def check_ui_pages(ui: Page, base: str, stage: int) -> None:
    """Every page of the Spark UI under `base` shows its content, filled in by its scripts."""
    for path, (rows, text) in UI_PAGES.items():
        path = path.format(stage=stage)
        row = ui.locator(rows, has_text=text).first
        ui.goto(base + path)
        expect(row, f"{base}{path}").to_be_visible(timeout=30_000)
    ui.goto(f"{base}stages/stage/?id={stage}&attempt=0")
    expect(ui.locator("#summary-metrics-table tbody tr").first).to_be_visible(timeout=30_000)


def test_outputs_in_jupyterlab(lab: JupyterLab, page: Page, home: Path) -> None:
    page.goto(lab.open_url("spark.ipynb"))
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(len(CELLS), timeout=60_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle", timeout=120_000
    )
    for index in range(0, ERROR):
        run_cell(page, index)
        wait_done(page, index)

    # `%spark profiles`: `$NAME=…, $NAME=…` is text, not maths; code spans are code.
    card = output(page, PROFILES).locator(".sparkconnect-profiles")
    expect(card).to_contain_text("$AWS_SECRET_ACCESS_KEY=•••, $HADOOP_CONF_DIR=/etc/hadoop/conf")
    expect(output(page, PROFILES).locator("mjx-container, .MathJax")).to_have_count(0)
    expect(output(page, MATHS).locator("mjx-container, .MathJax").first).to_be_attached()
    assert "`" not in card.inner_text()
    expect(card.locator("code", has_text="%spark start --profile NAME")).to_have_count(1)
    expect(card.locator("code", has_text="s3a://")).to_have_count(1)
    # The example config file: monospaced, its lines and indentation as written.
    example = output(page, EXAMPLE).locator("pre.sparkconnect-code")
    assert example.inner_text() == profiles.EXAMPLE
    assert (
        "monospace" in style(example, "fontFamily").lower()
        or "mono" in style(example, "fontFamily").lower()
    )

    # A Spark error: class and message in a few lines, the plan and JVM stack collapsed.
    run_cell(page, ERROR)
    wait_done(page, ERROR)
    error = output(page, ERROR)
    text = error.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
    expect(text).to_contain_text("AnalysisException: [TABLE_OR_VIEW_NOT_FOUND]")
    for noise in ("Traceback", "JVM stacktrace", "org.apache.spark", '"logger"', "magics.py"):
        assert noise not in error.inner_text(), noise
    details = error.locator(".sparkconnect-error-details details")
    expect(details).to_have_count(1)
    assert details.get_attribute("open") is None
    assert height(error) < 260, height(error)
    # Lines break between words ("schema"), not inside them as JupyterLab's outputs would.
    assert style(text.locator("pre"), "wordBreak") == "normal"
    shot(page, "1-error")
    details.locator("summary").click()
    expect(details.locator("pre")).to_contain_text("org.apache.spark.sql.catalyst")

    # Ctrl-C in a Spark call: the cancelled line and one KeyboardInterrupt line.
    run_cell(page, INTERRUPTED)
    interrupted = output(page, INTERRUPTED)
    expect(interrupted.locator(".sparkconnect-progress[data-state='running']")).to_be_visible(
        timeout=60_000
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:interrupt-kernel')")
    wait_done(page, INTERRUPTED)
    expect(interrupted.locator(".sparkconnect-progress-cancelled")).to_contain_text(
        "✖ Spark job cancelled"
    )
    stderr = interrupted.locator("[data-mime-type='application/vnd.jupyter.stderr']")
    expect(stderr).to_have_text("KeyboardInterrupt")
    assert height(interrupted) < 120, height(interrupted)

    # A wide table scrolls sideways in a box whose scrollbar is in view, values on one line.
    run_cell(page, WIDE)
    wait_done(page, WIDE)
    box = output(page, WIDE).locator(".sparkconnect-scroll")
    sizes = box.evaluate("e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().height]")
    assert sizes[0] > sizes[1] and sizes[2] < 400, sizes
    row = box.locator("tbody tr").first
    assert height(row.locator("td").last) == height(row.locator("td").first)  # the timestamp
    # A header aligns as its column's values: numbers right, the timestamp left.
    heads = box.locator("thead th")
    assert style(heads.first, "textAlign") == style(row.locator("td").first, "textAlign")
    assert style(heads.first, "textAlign") == "right"
    assert style(heads.last, "textAlign") == style(row.locator("td").last, "textAlign") == "left"
    run_cell(page, LOGS)
    wait_done(page, LOGS)
    page.set_viewport_size({"width": 1280, "height": 3200})
    cell(page, 0).scroll_into_view_if_needed()
    shot(page, "2-light")

    # The Spark UI: the status card's link goes through the Jupyter server, and every page
    # renders there and directly.
    link = output(page, STATUS).locator(".sparkconnect-status a")
    assert link.get_attribute("href") == "/sparkui/jobs/"
    stage = next(
        s["stageId"] for s in app_api(running(home), "stages", 60) if s["numCompleteTasks"]
    )
    ui_port = _core.status(str(home)).server.ui_port  # type: ignore[union-attr]
    with page.context.expect_page() as opened:
        link.click()
    ui = opened.value
    # Which notebook ran what: the job descriptions name it and the cell.
    expect(ui.locator("#completedJob-table")).to_contain_text(f"spark.ipynb [{JOBS + 1}]")
    check_ui_pages(ui, f"{lab.url}/sparkui/", stage)
    ui.goto(f"{lab.url}/sparkui/executors/")
    lab_page.shot(ui, "outputs-3-spark-ui-executors")
    # Its REST API answers there too.
    reply = ui.request.get(f"{lab.url}/sparkui/api/v1/applications")
    assert reply.status == 200 and reply.json()[0]["name"] == "sparkconnect"
    # Directly, the browser (like any other local user) is refused: no page, no API.
    for path in [*UI_PAGES, "api/v1/applications"]:
        direct = f"http://127.0.0.1:{ui_port}/{path.format(stage=stage)}"
        answer = ui.goto(direct)
        assert answer is not None and answer.status == 403, direct
    ui.close()

    # Dark theme: every colour comes from the theme.
    page.set_viewport_size({"width": 1280, "height": 1000})
    set_theme(page, "JupyterLab Dark")
    note = output(page, PROFILES).locator(".sparkconnect-note").first
    assert style(note, "color") == themed(page, "var(--jp-content-font-color2)")
    warn = output(page, LOGS).locator(".sparkconnect-log-warn").first
    assert style(warn, "color") == themed(page, "var(--jp-warn-color0)")
    run_cell(page, PROGRESS)
    track = output(page, PROGRESS).locator(".sparkconnect-progress-track")
    expect(track).to_be_visible(timeout=60_000)
    background = themed(page, "var(--jp-layout-color3)")
    assert background != "rgb(230, 232, 235)"  # the light grey it had before
    expect(track).to_have_css("background-color", background)
    wait_done(page, PROGRESS)
    done = output(page, PROGRESS).locator(".sparkconnect-success")
    assert style(done, "color") == themed(page, "var(--jp-success-color1)")

    # `spark` ending a cell: a short card, not `<NotebookSession at 0x…>`; dark, then light.
    run_cell(page, SESSION)
    wait_done(page, SESSION)
    card = output(page, SESSION).locator(".sparkconnect-session")
    expect(card).to_contain_text("Spark Connect session")
    assert "NotebookSession at 0x" not in output(page, SESSION).inner_text()
    labels = card.locator(".sparkconnect-rows th").all_inner_texts()
    assert labels == ["Server", "Spark", "Master", "Session", "Spark UI"], labels
    assert card.locator("a").get_attribute("href") == "/sparkui/jobs/"
    assert "`" not in card.inner_text()  # code as code
    card.scroll_into_view_if_needed()
    shot(page, "7-session-dark")
    set_theme(page, "JupyterLab Light")
    card.scroll_into_view_if_needed()
    shot(page, "7-session-light")
    set_theme(page, "JupyterLab Dark")
    page.set_viewport_size({"width": 1280, "height": 3200})
    cell(page, 0).scroll_into_view_if_needed()
    shot(page, "4-dark")

    # A narrow pane: the conf card puts each value under its long key; the bar stays one line.
    set_theme(page, "JupyterLab Light")
    page.set_viewport_size({"width": 1280, "height": 1400})
    wide = size(page.locator(".jp-Notebook"))[0]
    narrow = round(1280 - (wide - 530))
    page.set_viewport_size({"width": narrow, "height": 1400})
    expect(page.locator(".jp-Notebook")).to_have_js_property("offsetWidth", 530)
    key = output(page, CONF).locator(".sparkconnect-rows th").first
    assert style(key, "display") == "block"
    # Short labels keep their column.
    assert style(output(page, STATUS).locator(".sparkconnect-rows th").first, "display") == (
        "table-cell"
    )
    run_cell(page, PROGRESS)
    bar = output(page, PROGRESS).locator(".sparkconnect-progress-row")
    expect(bar).to_be_visible(timeout=60_000)
    cell(page, PROGRESS).scroll_into_view_if_needed()
    shot(page, "5-narrow")
    row, line = measured(
        bar,
        "e => [e.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(e.lastElementChild).lineHeight)]",
    )
    assert row < 1.6 * line, (row, line)
    wait_done(page, PROGRESS, count=len(CELLS) + 1)
    page.set_viewport_size({"width": narrow, "height": 4000})
    cell(page, 0).scroll_into_view_if_needed()
    shot(page, "6-narrow-all")

    # With no server running, the Spark UI address says how to start one.
    _core.stop(str(home), lease_pid=os.getpid(), force=True)
    time.sleep(0.5)
    page.goto(f"{lab.url}/sparkui/jobs/")
    expect(page.locator("body")).to_contain_text("No Spark Connect server is running")
