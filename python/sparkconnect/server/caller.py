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
    named: str = ""
    """Recorded as the launcher instead of what `kind` gives: a pre-start helper launches on
    behalf of the notebook that asked for it (see `prestarted`)."""

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
        if self.named:
            return self.named
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


def use(kind: str, named: str = "") -> None:
    """Called once by a front end: the extension when it loads, the terminal command at start,
    the Jupyter server extension when the Jupyter server loads it (and a pre-start helper, with
    the label it records)."""
    global _current
    _current = Caller(kind, named)


PRESTARTED = " (pre-started)"
"""Ends the recorded launcher of a server that a notebook's start-up launched in the background
(`sparkconnect enable --prestart`): status then says "pre-started by notebook X"."""


def prestarted(label: str) -> str:
    """The launcher a pre-start helper records for the notebook labelled `label`."""
    return label + PRESTARTED


def origin(launched_by: str | None) -> str:
    """How a status says who launched the server: "launched by notebook a.ipynb", "pre-started
    by notebook a.ipynb"; "" when the server did not record it (one from an older version)."""
    if not launched_by:
        return ""
    if launched_by.endswith(PRESTARTED):
        return f"pre-started by {launched_by.removesuffix(PRESTARTED)}"
    return f"launched by {launched_by}"


def current() -> Caller:
    return _current
