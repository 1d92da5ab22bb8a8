"""A real JupyterLab server for browser tests: isolated config, data and runtime directories,
no news or update checks, stopped (with its kernels) afterwards."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import pytest

from .helpers import free_port

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


def require_chromium() -> None:
    """At the top of a browser test module, before importing Playwright. `make test` installs the
    browser (`make browser`); run by hand without it the module is skipped, and on CI a missing
    browser fails the run instead of skipping it."""
    if Path(CHROMIUM).exists():
        return
    missing = f"{CHROMIUM} is missing: `make browser` installs it"
    if os.environ.get("CI"):
        raise RuntimeError(missing)
    pytest.skip(missing, allow_module_level=True)


@contextmanager
def lab_serving(
    tmp_path: Path,
    notebooks: dict[str, list[str]],
    env: dict[str, str],
    args: tuple[str, ...] = (),
) -> Iterator[JupyterLab]:
    """A JupyterLab serving `notebooks` (file name -> cells) from a fresh folder, stopped after."""
    root = tmp_path / "notebooks"
    root.mkdir()
    for name, cells in notebooks.items():
        write_notebook(root / name, cells)
    server = JupyterLab(root, env, args)
    try:
        yield server
    finally:
        server.stop()


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
    def __init__(
        self, root: Path, env: dict[str, str], args: tuple[str, ...] = (), app: str = "lab"
    ) -> None:
        """`app`: the Jupyter application, `lab` or `notebook` (Notebook 7)."""
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
                app,
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
