"""Names this notebook's Spark operations after it and after the cell that runs them (the
mechanics are in session/labels.py); `%spark status` shows the name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

from sparkconnect.notebook.cell_events import follow, unfollow
from sparkconnect.render.jobs_ledger import first_line
from sparkconnect.server.uilink import SESSION_ENV
from sparkconnect.session.binding import KERNEL_SESSION
from sparkconnect.session.labels import LABELS


def notebook_name() -> str:
    """The notebook's file name when a Jupyter server started this kernel (it names the file in
    $JPY_SESSION_NAME), else the kernel's id (other front ends), else the process id."""
    path = os.environ.get(SESSION_ENV)
    if path:
        return Path(path).name or path
    try:
        from ipykernel.connect import get_connection_file

        # kernel-<id>.json; the id's first block tells kernels apart, as Jupyter's own UI does.
        kernel = Path(get_connection_file()).stem.removeprefix("kernel-")
        return f"kernel {kernel.split('-')[0]}"
    except Exception:  # not a Jupyter kernel: a terminal IPython
        return f"IPython pid {os.getpid()}"


class CellLabels:
    """Keeps the labels' cell number in step with the cell being run."""

    def __init__(self, shell: InteractiveShell) -> None:
        self.shell = shell
        self.counted_ahead = 1
        """IPython 8.12 and later count the cell before `pre_run_cell`, so the counter is one
        ahead of the cell's number then; older ones count after it. Each stored cell's result
        says which (post_run_cell)."""
        self._seen: int | None = None
        """The counter at this cell's pre_run_cell (None: the cell that loaded us)."""

    def install(self) -> None:
        LABELS.notebook = notebook_name()
        follow(self.shell, pre_run_cell=self.pre_run_cell, post_run_cell=self.post_run_cell)
        KERNEL_SESSION.on_connect.append(LABELS.attach)
        if KERNEL_SESSION.current is not None:
            LABELS.attach(KERNEL_SESSION.current)

    def uninstall(self) -> None:
        unfollow(self.shell, pre_run_cell=self.pre_run_cell, post_run_cell=self.post_run_cell)
        if LABELS.attach in KERNEL_SESSION.on_connect:
            KERNEL_SESSION.on_connect.remove(LABELS.attach)
        LABELS.detach()
        LABELS.notebook = LABELS.cell = None
        LABELS.code = ""

    def pre_run_cell(self, info: Any = None) -> None:
        """The cell's number is the `[n]` of its prompt; a cell kept out of the history (run
        by a front end for itself) has none."""
        self._seen = seen = self.shell.execution_count
        stored = getattr(info, "store_history", True)
        code = first_line(getattr(info, "raw_cell", "") or "")
        LABELS.start_cell(seen - self.counted_ahead if stored else None, code)

    def post_run_cell(self, result: ExecutionResult) -> None:
        seen, self._seen = self._seen, None
        stored = getattr(result.info, "store_history", False)
        if seen is not None and stored and result.execution_count is not None:
            self.counted_ahead = seen - result.execution_count
