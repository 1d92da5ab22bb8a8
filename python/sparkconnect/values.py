"""What users type on a command line, `%spark` and `sparkconnect` alike: one rule, and one
message, for each value, and the options both front ends share, defined once.

argparse calls the values as `type=`; a refusal is an ArgumentTypeError, which each front end
reports its own way (an IPython UsageError in a notebook, exit status 2 in a terminal). Layer-
neutral: it imports nothing of IPython or pyspark, so both front ends may use it; the core
supplies the rules it shares with its own checks (ports, conf items).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sparkconnect import _core

PORTS = _core.PORTS
"""The ports `--port` accepts, both ends included (0 would mean "any": leave the option out).
The core's rule, so that a port refused by the Python API reads as one refused here."""
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


def conf_item(text: str) -> tuple[str, str]:
    """`--conf KEY=VALUE`: the core's rule for conf items (it checks them again at a start)."""
    try:
        [(key, value)] = _core.parse_conf([text]).items()
    except _core.ConfError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return key, value


def log_level(text: str) -> str:
    """`--level`: one of LOG_LEVELS in any case; WARNING (the JVM's own word) means WARN."""
    level = text.upper()
    level = "WARN" if level == "WARNING" else level
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(
            f"--level takes one of {', '.join(LOG_LEVELS)}, not {text!r}"
        )
    return level


# Options both front ends share ---------------------------------------------------------------
# Defined once, so that `%spark start --port 0` and `sparkconnect start --port 0` are refused
# alike, and an option never exists in one front end only.


def add_start_options(parser: argparse.ArgumentParser, restart: bool) -> None:
    """`start` and `restart`: profile, conf, master, ports, timeouts; `restart --force`."""
    parser.add_argument("--profile", metavar="NAME", help="profile from the config file")
    parser.add_argument("--conf", type=conf_item, action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--master", help="spark.master: local[N], spark://HOST:7077, yarn, k8s://URL"
    )
    parser.add_argument("--port", type=PORT, help="gRPC port (default: the last one, if free)")
    parser.add_argument("--timeout", type=START_TIMEOUT, help="seconds to wait for start-up")
    idle = parser.add_mutually_exclusive_group()
    idle.add_argument(
        "--idle-timeout",
        type=IDLE_TIMEOUT,
        metavar="SECONDS",
        help="stop a server launched now after this long unused (default 900; 0: never)",
    )
    idle.add_argument(
        "--keep",
        dest="idle_timeout",
        action="store_const",
        const=0.0,
        help="never stop a server launched now when unused (--idle-timeout 0)",
    )
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="do not warm a launched server up in the background",
    )
    if restart:
        parser.add_argument(
            "--force", action="store_true", help="restart even if other notebooks are attached"
        )


def add_stop_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="stop it even if others are attached")


def add_conf_options(parser: argparse.ArgumentParser) -> None:
    """`conf`: KEY=VALUE items to save and KEY words to show (told apart by the caller)."""
    parser.add_argument("items", nargs="*", metavar="KEY=VALUE")
    parser.add_argument("--unset", action="append", default=[], metavar="KEY")
    parser.add_argument("--reset", action="store_true", help="forget every saved item")
    parser.add_argument("--profile", metavar="NAME", help="profile from the config file")


def add_logs_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=LINES, default=50, metavar="LINES", help="lines to show")
    parser.add_argument("--level", type=log_level, help="this level and above")
    parser.add_argument("--grep", metavar="TEXT", help="lines containing TEXT (any case)")
    parser.add_argument(
        "--follow",
        "-f",
        type=FOLLOW_SECONDS,
        nargs="?",
        const=math.inf,
        metavar="SECONDS",
        help="stay live (that long; without SECONDS until interrupted)",
    )


class CommandParser(argparse.ArgumentParser):
    """A parser of subcommands whose unknown arguments are reported with the usage of the
    subcommand they were given to (`stop --forse` shows how to use `stop`), not the top-level
    usage argparse would show."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args)
        if extras:
            self._chosen(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _chosen(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(str(getattr(parsed, action.dest, "")))
                if chosen is not None:
                    return chosen  # type: ignore[no-any-return]
        return self
