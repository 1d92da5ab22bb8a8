"""Where the session layer's notices go: a session renewed after `spark.stop()`, builder confs
only a server start applies.

The layer below the outputs cannot draw them, so whoever shows outputs says how (`present`): the
IPython extension as a quiet cell output (render/notice.py). A Python program of its own gets
the plain line on stderr, where a script's diagnostics belong.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from sparkconnect.wording import PREFIX

Presenter = Callable[[str, str], None]
"""(text, level): one paragraph, Markdown `code` spans allowed; level info or warn."""


def _to_stderr(text: str, level: str) -> None:
    print(PREFIX + text, file=sys.stderr, flush=True)


_presenter: Presenter = _to_stderr


def present(presenter: Presenter | None) -> None:
    """Set how notices are shown; None: back to stderr (the extension unloaded)."""
    global _presenter
    _presenter = presenter or _to_stderr


def tell(text: str, level: str = "info") -> None:
    _presenter(text, level)
