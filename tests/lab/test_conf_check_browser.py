"""Conf values in the panel of a real JupyterLab in Chromium: a value Spark would refuse is marked
as it is typed (readable in the dark theme too), a session conf Spark refuses on Apply gives one
short error and keeps its row, and a Restart with a saved value Spark would refuse keeps the
running server and says how to drop the value. Screenshots, light and dark, go to
tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sparkconnect import _core
from tests.support.jupyterlab import JupyterLab, lab_serving, require_chromium

pytestmark = [pytest.mark.jvm, pytest.mark.browser]

CELLS = ["%load_ext sparkconnect\n%spark start", "%spark panel"]

require_chromium()

from playwright.sync_api import Locator, Page, expect  # noqa: E402

from tests.support.lab_page import (  # noqa: E402
    add_conf_rows,
    cell,
    open_notebook,
    run_cell,
    set_theme,
    shot,
    wait_done,
)

# WCAG's contrast ratio of an element's text over its background, both as painted: each colour
# is drawn on a canvas (over the page's own background, for a translucent one) and read back, so
# any CSS colour syntax (color-mix, rgba) compares alike.
CONTRAST = """(node) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const paint = (colours) => {
    colours.forEach((c) => { ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1); });
    return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
  };
  const style = getComputedStyle(node);
  const page = getComputedStyle(document.documentElement).getPropertyValue("--jp-layout-color1");
  const back = paint([page || "#fff", style.backgroundColor]);
  const text = paint([page || "#fff", style.backgroundColor, style.color]);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(back), lum(text)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


@pytest.fixture
def lab(home: Path, tmp_path: Path) -> Iterator[JupyterLab]:
    with lab_serving(tmp_path, {"conf.ipynb": CELLS}, {"SPARKCONNECT_HOME": str(home)}) as lab:
        yield lab


def tab(panel: Locator, name: str) -> None:
    panel.locator(f".spc-tab[data-tab='{name}']").click()
    expect(panel.locator(f".spc-body-{name}")).to_be_visible()


def readable(row: Locator) -> float:
    ratio = row.locator(".spc-conf-value").evaluate(CONTRAST)
    assert ratio >= 4.5, f"contrast {ratio:.2f} of an invalid row's text"
    return float(ratio)


def test_conf_values_in_the_panel(lab: JupyterLab, page: Page, home: Path) -> None:
    open_notebook(page, lab.open_url("conf.ipynb"), len(CELLS))
    for index in (0, 1):
        run_cell(page, index)
        wait_done(page, index)
    panel = cell(page, 1).locator(".spc-panel")
    pill = panel.locator(".spc-pill")
    expect(pill).to_have_text("running", timeout=30_000)
    pid = _core.status(str(home)).server.pid  # type: ignore[union-attr]

    # Values Spark would refuse are marked as they are typed, for the server and the session.
    tab(panel, "configure")
    rows = add_conf_rows(
        panel, [("spark.executor.memory", "lots"), ("spark.sql.shuffle.partitions", "abc")]
    )
    for index, said in ((0, "is not a size"), (1, "is not a whole number")):
        expect(rows.nth(index)).to_have_attribute("data-state", "invalid")
        expect(rows.nth(index).locator(".spc-row-problem")).to_contain_text(said)
    expect(rows.nth(1).locator(".spc-badge")).to_have_text("now · this notebook")
    expect(panel.locator(".spc-conf-apply")).to_be_disabled()
    readable(rows.nth(0))
    shot(page, "conf-check-1-typed-light")
    set_theme(page, "JupyterLab Dark")
    readable(rows.nth(0))
    shot(page, "conf-check-2-typed-dark")
    set_theme(page, "JupyterLab Light")

    # A session conf our check does not know, which Spark refuses: one short error, the row kept.
    for _ in range(2):
        rows.first.locator(".spc-close").click()
    rows = add_conf_rows(panel, [("spark.sql.files.maxRecordsPerFile", "many")])
    expect(rows.first).to_have_attribute("data-state", "ok")
    panel.locator(".spc-conf-apply").click()
    message = panel.locator(".spc-message")
    expect(message).to_contain_text("spark.sql.files.maxRecordsPerFile", timeout=30_000)
    said = message.inner_text()
    assert "SQLSTATE" not in said and "stacktrace" not in said.lower(), said
    assert len(said) < 400, said
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".spc-conf-key")).to_have_value("spark.sql.files.maxRecordsPerFile")
    expect(rows.first.locator(".spc-conf-value")).to_have_value("many")

    # A value saved before the check (or by hand): Restart refuses it, the server keeps running.
    _core.save_conf(str(home), {"spark.executor.memory": "lots"})
    panel.locator(".spc-action-restart").click()
    panel.locator(".spc-confirm .spc-confirm-yes").click()
    card = panel.locator(".sparkconnect-start-failure")
    expect(card).to_contain_text("The running server was not stopped", timeout=60_000)
    expect(card).to_contain_text("%spark conf --unset spark.executor.memory")
    expect(pill).to_have_text("running")
    assert _core.status(str(home)).server.pid == pid  # type: ignore[union-attr]
    shot(page, "conf-check-3-restart-refused-light")
    set_theme(page, "JupyterLab Dark")
    shot(page, "conf-check-4-restart-refused-dark")
    set_theme(page, "JupyterLab Light")
