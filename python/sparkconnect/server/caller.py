"""Who uses sparkconnect in this process: a notebook, a terminal, JupyterLab, or a Python program.

Messages name commands, and a command that works in a notebook (`%spark stop --force`) does not
in a terminal (`sparkconnect stop --force`); "this notebook detached" is wrong when a terminal
spoke. Each front end says once who it is (`use`), and everything that talks to the user asks
`current()`. The server records the launcher's `label`, so a notebook whose server was replaced
can say by whom.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePath

NOTEBOOK, TERMINAL, LAB, PYTHON = "notebook", "terminal", "lab", "python"


@dataclass(frozen=True)
class Caller:
    kind: str
    """NOTEBOOK (the IPython extension), TERMINAL (the `sparkconnect` command), LAB (the Spark
    sidebar, served by the Jupyter server extension) or PYTHON (the Python API in a program of
    its own)."""

    def command(self, words: str) -> str:
        """A subcommand as it is typed here, in backquotes: `%spark stop --force` in a notebook,
        `sparkconnect stop --force` elsewhere (a Python program can run the terminal command, and
        a Lab user has a terminal beside the sidebar)."""
        prefix = "%spark" if self.kind == NOTEBOOK else "sparkconnect"
        return f"`{prefix} {words}`"

    @property
    def me(self) -> str:
        """What a message calls the caller: "this notebook", "this terminal", "this process"."""
        return {NOTEBOOK: "this notebook", TERMINAL: "this terminal", LAB: "JupyterLab"}.get(
            self.kind, "this process"
        )

    @property
    def label(self) -> str:
        """Who launched a server, as others are told: "notebook analysis.ipynb", "the
        terminal", "Python process 1234"."""
        if self.kind == NOTEBOOK:
            # Jupyter names the notebook's file in the kernel's environment.
            name = os.environ.get("JPY_SESSION_NAME", "")
            return f"notebook {PurePath(name).name}" if name else "a notebook"
        if self.kind == TERMINAL:
            return "the terminal"
        if self.kind == LAB:
            return "the JupyterLab sidebar"
        return f"Python process {os.getpid()}"


_current = Caller(PYTHON)


def use(kind: str) -> None:
    """Called once by a front end: the extension when it loads, the terminal command at start,
    the Jupyter server extension when the Jupyter server loads it."""
    global _current
    _current = Caller(kind)


def current() -> Caller:
    return _current
