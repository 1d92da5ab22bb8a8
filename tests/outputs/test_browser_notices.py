"""Notices in JupyterLab in Chromium: the builder's start-only confs, the session resumed after
`spark.stop()` and the advice beside a NoSparkContextError read as quiet outputs with code as
code, never in the red of stderr; the error itself is one line. Screenshots light and dark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.jupyterlab import JupyterLab, lab_serving, require_chromium
from tests.support.lab_page import cell, open_notebook, run_cell, set_theme, shot, wait_done

pytestmark = [pytest.mark.jvm, pytest.mark.browser]

CELLS = [
    "%load_ext sparkconnect\n%spark start",
    "from pyspark.sql import SparkSession\n"
    'spark = SparkSession.builder.config("spark.driver.memory", "3g").getOrCreate()',
    "spark.stop()\nspark.range(3).count()",
    "from pyspark import SparkContext\nSparkContext.getOrCreate()",
]
BUILDER, RESUMED, NO_CONTEXT = 1, 2, 3
STDERR = "[data-mime-type='application/vnd.jupyter.stderr']"

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture
def lab(home: Path, tmp_path: Path) -> Iterator[JupyterLab]:
    with lab_serving(tmp_path, {"notices.ipynb": CELLS}, {"SPARKCONNECT_HOME": str(home)}) as lab:
        yield lab


def test_notices_are_quiet_and_errors_are_one_line(lab: JupyterLab, page: Page) -> None:
    open_notebook(page, lab.open_url("notices.ipynb"), len(CELLS))
    for index in range(len(CELLS)):
        run_cell(page, index)
        wait_done(page, index)
    for index, code in (
        (BUILDER, "spark.driver.memory"),
        (RESUMED, "spark.stop()"),
        (NO_CONTEXT, "spark.createDataFrame(rows)"),
    ):
        outputs = cell(page, index).locator(".jp-OutputArea")
        notice = outputs.locator(".sparkconnect-notice")
        expect(notice).to_have_count(1)
        expect(notice.locator("code", has_text=code).first).to_be_visible()
        assert "`" not in notice.inner_text()
        colour = notice.locator(".sparkconnect-note").evaluate("e => getComputedStyle(e).color")
        muted = page.evaluate(
            "() => { const p = document.createElement('div');"
            " p.style.color = 'var(--jp-content-font-color2)'; document.body.appendChild(p);"
            " const c = getComputedStyle(p).color; p.remove(); return c; }"
        )
        assert colour == muted, (colour, muted)
    # Only the classic-only code is an error, and a one-line one.
    expect(cell(page, BUILDER).locator(STDERR)).to_have_count(0)
    expect(cell(page, RESUMED).locator(STDERR)).to_have_count(0)
    error = cell(page, NO_CONTEXT).locator(STDERR)
    expect(error).to_have_count(1)
    assert len(error.inner_text().strip().splitlines()) == 1, error.inner_text()
    shot(page, "notices-light")
    set_theme(page, "JupyterLab Dark")
    shot(page, "notices-dark")
