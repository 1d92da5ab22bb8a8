"""Driving a notebook in JupyterLab through Playwright, as a user would: select a cell, press
Shift+Enter, wait for its execution count. Imported by browser tests after their check that
Chromium is there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .jupyterlab import CHROMIUM, CHROMIUM_ARGS


def cell(page: Page, index: int) -> Locator:
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def open_notebook(page: Page, url: str, cells: int) -> None:
    """Open the notebook and wait until its kernel is idle (cells must not run before)."""
    page.goto(url)
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(cells, timeout=60_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle", timeout=120_000
    )


def run_cell(page: Page, index: int) -> None:
    """Select the cell and press Shift+Enter, as a user would; returns once it started."""
    target = cell(page, index)
    prompt = target.locator(".jp-InputPrompt")
    for attempt in range(3):
        click_in_notebook(page, prompt)
        # On a busy machine the click can land before the notebook is ready to select the cell.
        expect(target).to_have_class(re.compile(r"\bjp-mod-selected\b"), timeout=30_000)
        page.keyboard.press("Shift+Enter")
        # JupyterLab shows [*] as soon as it sends a cell to the kernel. Shortly after the page
        # loads, Shift+Enter can move the selection without sending the cell: still [ ] after
        # a while means it was not sent, so pressing again cannot run it twice.
        try:
            expect(prompt).not_to_have_text("[ ]:", timeout=10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def click_in_notebook(page: Page, target: Locator) -> None:
    """Click as a user would. Behind JupyterLab's "Select Kernel" dialog a user accepts its
    choice, and so does this; behind any other dialog it fails with what the dialog says (a
    click would wait out its timeout without saying why)."""
    try:
        target.click(timeout=30_000)
        return
    except PlaywrightTimeout:
        if not accept_kernel_choice(page):
            dialogs = page.locator(".jp-Dialog")
            said = " | ".join(" ".join(text.split()) for text in dialogs.all_inner_texts())
            raise AssertionError(f"a JupyterLab dialog covers the notebook: {said}") from None
    target.click(timeout=30_000)


def accept_kernel_choice(page: Page) -> bool:
    """On a busy machine JupyterLab can ask which kernel to start although the notebook names
    its kernel (seen twice in CI, behind a start-up storm on the other test worker); the
    dialog's choice is then that kernel. Accept it and wait for the kernel; False if no such
    dialog is there."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if not dialog.count():
        return False
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(dialog).to_have_count(0, timeout=10_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle", timeout=120_000
    )
    return True


def wait_done(page: Page, index: int, seconds: float = 180, count: int | None = None) -> None:
    """Until the cell's prompt shows its execution count (`count`, by default the cell's
    position when the cells run in order) instead of [*]."""
    number = index + 1 if count is None else count
    expect(cell(page, index).locator(".jp-InputPrompt")).to_have_text(
        f"[{number}]:", timeout=seconds * 1000
    )


def add_conf_rows(panel: Locator, rows: list[tuple[str, str]]) -> Locator:
    """Type `rows` (key, value) into new rows of the conf editor, as a user would; returns the
    editor's rows."""
    found = panel.locator(".spc-conf-row")
    for key, value in rows:
        panel.locator(".spc-conf-add").click()
        found.last.locator(".spc-conf-key").fill(key)
        found.last.locator(".spc-conf-value").fill(value)
    return found


def set_theme(page: Page, theme: str) -> None:
    """Through the Settings menu, as a user would; returns once JupyterLab's splash, which
    covers the page while the theme changes, is gone (a screenshot would show it)."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(theme)}$")).click()
    expect(page.locator("body")).to_have_attribute(
        "data-jp-theme-light", "false" if "Dark" in theme else "true", timeout=30_000
    )
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=30_000)


ARTIFACTS = Path(__file__).parent.parent / "artifacts"
"""Screenshots of browser tests, kept for people to look at (not in git)."""


@contextmanager
def chromium_page(width: int = 1280, height: int = 1000) -> Iterator[Page]:
    """A page in the system's Chromium (Playwright's own browser download cannot be used)."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            yield context.new_page()
        finally:
            browser.close()


def shot(page: Page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
