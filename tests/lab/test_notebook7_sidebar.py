"""The Spark sidebar in Notebook 7, which has a left side panel beside its notebook page: the
same extension, opened from Notebook's View menu, shows the server's state and starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.jupyterlab import JupyterLab, require_chromium, write_notebook

pytestmark = [pytest.mark.jvm, pytest.mark.browser]

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.support.lab_page import open_notebook, shot  # noqa: E402


@pytest.fixture
def lab(home: Path, tmp_path: Path) -> Iterator[JupyterLab]:
    root = tmp_path / "notebooks"
    root.mkdir()
    write_notebook(root / "one.ipynb", ["1 + 1"])
    server = JupyterLab(root, {"SPARKCONNECT_HOME": str(home)}, app="notebook")
    yield server
    server.stop()


def test_the_sidebar_in_notebook_7(lab: JupyterLab, page: Page, home: Path) -> None:
    open_notebook(page, f"{lab.url}/notebooks/one.ipynb?token={lab.token}", cells=1)
    page.locator(".lm-MenuBar-itemLabel", has_text="View").click()
    page.locator(".lm-Menu-itemLabel", has_text="Left Sidebar").click()
    page.locator(".lm-Menu-itemLabel", has_text="Show Spark").click()
    sidebar = page.locator("#sparkconnect-sidebar")
    pill = sidebar.locator(".spc-pill")
    expect(pill).to_have_text("stopped", timeout=30_000)

    sidebar.locator(".spc-action-start").click()
    expect(pill).to_have_text("running", timeout=120_000)
    shot(page, "notebook7-sidebar")
