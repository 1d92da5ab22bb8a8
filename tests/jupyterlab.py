"""A real JupyterLab server for browser tests: isolated config, data and runtime directories,
no news or update checks, stopped (with its kernels) afterwards."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, driven by Playwright (its own browser download cannot be used here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_notebook(path: Path, cells: list[str]) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    # Without a kernelspec JupyterLab stops at a "Select Kernel" dialog.
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(notebook, path)


class JupyterLab:
    def __init__(self, root: Path, env: dict[str, str], args: tuple[str, ...] = ()) -> None:
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        state = root.parent / "jupyter-state"
        settings = state / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        # No toasts about news or updates over the notebook (and no requests to the internet).
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        self.log = (state / "jupyterlab.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                "--allow-root",  # CI runs as root
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                f"--ServerApp.root_dir={root}",
                f"--IdentityProvider.token={self.token}",
                f"--LabApp.user_settings_dir={state / 'settings'}",
                f"--LabApp.workspaces_dir={state / 'workspaces'}",
                *args,
            ],
            env={
                **os.environ,
                **env,
                "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
                "JUPYTER_CONFIG_DIR": str(state / "config"),
                "IPYTHONDIR": str(state / "ipython"),
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(120)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return json.loads(body) if body else None

    def _wait_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited; see {self.log.name}")
            try:
                self._api("/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"JupyterLab did not answer within {seconds} s; see {self.log.name}")

    def open_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}"

    def stop(self) -> None:
        """Shut down through the API (it stops the kernels too), then make sure."""
        try:
            self._api("/api/shutdown", method="POST")
            self.process.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.log.close()


# Driving a notebook as a user would ---------------------------------------------------------------
def cell(page: Page, index: int) -> Locator:
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def run_cell(page: Page, index: int) -> None:
    """Select the cell and press Shift+Enter, as a user would; returns once it started."""
    from playwright.sync_api import expect

    target = cell(page, index)
    prompt = target.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    for attempt in range(3):
        prompt.click()
        # On a busy machine the click can land before the notebook is ready to select the cell.
        expect(target).to_have_class(re.compile(r"\bjp-mod-selected\b"), timeout=30_000)
        page.keyboard.press("Shift+Enter")
        try:
            # JupyterLab shows [*] as soon as it sends the cell: a prompt left as it was means
            # the key press went elsewhere (the page still settling), and the cell did not run.
            expect(prompt).not_to_have_text(before, timeout=10_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def wait_done(page: Page, index: int, seconds: float = 180, count: int | None = None) -> None:
    """Until the cell's prompt shows its execution count (`count`, by default the cell's
    position when the cells run in order) instead of [*]."""
    from playwright.sync_api import expect

    number = index + 1 if count is None else count
    expect(cell(page, index).locator(".jp-InputPrompt")).to_have_text(
        f"[{number}]:", timeout=seconds * 1000
    )
