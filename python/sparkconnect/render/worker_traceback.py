"""A failing UDF or pandas function, as a user reads it: the exception that ended the Python
worker first, then the frames of the user's own code, with the worker's internals set apart.

When Python code fails inside Spark (a UDF, `applyInPandas`, `mapInPandas`), the error's message
carries the worker's whole Python traceback: often sixty lines of pyspark's worker, its
serializers and pyarrow, sometimes two or three chained exceptions, and the one line that says
what went wrong at its very end. Parsed from the text only: no pyspark import.
"""

from __future__ import annotations

import linecache
import re
from dataclasses import dataclass

WORKER_MARKER = "An exception was thrown from the Python worker"
TRACEBACK_START = "Traceback (most recent call last):"
_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in .+$')
_INTERNAL = ("pyspark.zip", "/pyspark/", "pyarrow/", "/pandas/", "/numpy/", "/site-packages/")
"""Paths of frames that are Spark's worker or its libraries rather than the user's code
(pyarrow's compiled frames are named like `pyarrow/array.pxi`)."""
_QUALIFIED = re.compile(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*:)")
"""The module path before an exception's name (`pyspark.errors.exceptions.base.`)."""


@dataclass
class WorkerFailure:
    root_cause: str
    """The last exception the worker raised and its message: `ValueError: bad value`."""
    user_frames: list[str]
    """The user's own frames (`File ..., line N, in f` with its source line), outermost first."""
    traceback: str
    """The worker's whole traceback, as Spark sent it."""


def parse(message: str) -> WorkerFailure | None:
    """The worker failure in a Spark error's message, or None when it carries none."""
    if WORKER_MARKER not in message or TRACEBACK_START not in message:
        return None
    traceback = message[message.index(TRACEBACK_START) :].strip()
    last_block = traceback.rsplit(TRACEBACK_START, 1)[1].splitlines()
    # The frames end where a line is neither a frame nor indented under one (its source line
    # and carets): what follows is the exception and its message.
    end, in_frame = 0, False
    for number, line in enumerate(last_block):
        in_frame = bool(_FRAME.match(line)) or (in_frame and line.startswith("    "))
        if in_frame:
            end = number + 1
    said = [line.rstrip() for line in last_block[end:] if line.strip()]
    if not said:
        return None
    # Spark appends the SQLSTATE on a line of its own: it belongs to the message.
    if len(said) > 1 and said[-1].strip().startswith("SQLSTATE:"):
        said[-2:] = [f"{said[-2]} {said[-1].strip()}"]
    root_cause = _QUALIFIED.sub("", "\n".join(said).strip())
    return WorkerFailure(root_cause, _user_frames(traceback), traceback)


def _user_frames(traceback: str) -> list[str]:
    """Each frame outside pyspark and its libraries, with its source line; a frame seen in two
    chained tracebacks is kept once. The worker cannot show the source of a function defined
    in a notebook cell (its file is the kernel's name for the cell): this process, the kernel
    that ran the cell, still has it in `linecache`."""
    lines = traceback.splitlines()
    frames: list[str] = []
    for number, line in enumerate(lines):
        found = _FRAME.match(line)
        if found is None or any(part in found["file"] for part in _INTERNAL):
            continue
        frame = line
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if following.startswith("    ") and not following.strip().startswith("^"):
            frame += "\n" + following
        elif source := linecache.getline(found["file"], int(found["line"])).strip():
            frame += f"\n    {source}"
        if frame not in frames:
            frames.append(frame)
    return frames
