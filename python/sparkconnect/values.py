"""The values users type on a command line, `%spark` and `sparkconnect` alike: one rule, and one
message, for each.

argparse calls these as `type=`; a refusal is an ArgumentTypeError, which each front end reports
its own way (an IPython UsageError in a notebook, exit status 2 in a terminal). Layer-neutral: it
imports nothing of IPython, pyspark or the core, so both front ends may use it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

PORTS = (1, 65535)
"""The ports `--port` accepts, both ends included (0 would mean "any": leave the option out)."""
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
"""The server log's levels, lowest first: `--level WARN` keeps WARN and what follows it."""

N = TypeVar("N", int, float)


@dataclass(frozen=True)
class Number(Generic[N]):
    """An argparse `type=`: a number between `low` and `high`, or a refusal naming the option.

    The messages read "<name> <expects>, not '<text>'" for what is no number and
    "<name> must be <bounds>, not <value>" for a number out of bounds."""

    name: str
    parse: Callable[[str], N]
    expects: str
    """What the option takes, e.g. "must be a number of seconds"."""
    bounds: str
    """The bounds in words, e.g. "positive"."""
    low: float
    high: float = math.inf
    low_open: bool = False
    """`low` itself is refused (a timeout of 0 seconds)."""
    high_open: bool = False
    """`high` itself is refused (an infinite idle timeout)."""

    def __call__(self, text: str) -> N:
        try:
            value = self.parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{self.name} {self.expects}, not {text!r}") from None
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        if not (above and below):  # NaN compares false both ways, so it is refused too
            # An integer is shown as read (`-n 00` says 0); seconds as typed (`1e400`, not inf).
            shown = value if isinstance(value, int) else text
            raise argparse.ArgumentTypeError(f"{self.name} must be {self.bounds}, not {shown}")
        return value


PORT = Number("port", int, "must be a number", "between {} and {}".format(*PORTS), *PORTS)
START_TIMEOUT = Number(
    "timeout", float, "must be a number of seconds", "positive", 0, low_open=True
)
IDLE_TIMEOUT = Number(
    "idle timeout",
    float,
    "must be a number of seconds",
    "0 (never) or a positive number of seconds",
    0,
    high_open=True,
)
LINES = Number("-n", int, "takes a number of lines", "at least 1", 1)
FOLLOW_SECONDS = Number(
    "--follow", float, "takes a number of seconds", "positive", 0, low_open=True
)


def log_level(text: str) -> str:
    """`--level`: one of LOG_LEVELS in any case; WARNING (the JVM's own word) means WARN."""
    level = text.upper()
    level = "WARN" if level == "WARNING" else level
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(
            f"--level takes one of {', '.join(LOG_LEVELS)}, not {text!r}"
        )
    return level
