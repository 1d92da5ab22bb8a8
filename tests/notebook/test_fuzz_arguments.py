"""Property tests of the `%spark` argument parser: any argv is either parsed or refused with a
UsageError that has a message; nothing else escapes, nothing hangs, and nothing runs (the
parser only parses)."""

from __future__ import annotations

import argparse

from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from sparkconnect.notebook.arguments import parse

WORDS = [
    "start",
    "stop",
    "restart",
    "status",
    "logs",
    "conf",
    "help",
    "--conf",
    "--port",
    "--timeout",
    "--idle-timeout",
    "--force",
    "--unset",
    "--reset",
    "-n",
    "-h",
    "--",
    "k=v",
    "=",
    "0",
    "-1",
    "65536",
    "1e9",
    "nan",
    "inf",
    "a b",
]
ARGV = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)), max_size=8)


@settings(max_examples=400, deadline=None)
@given(ARGV)
def test_any_argv_is_parsed_or_refused_with_a_message(argv: list[str]) -> None:
    try:
        parsed = parse(argv)
    except UsageError as error:
        assert str(error).strip()
        return
    if parsed is None:  # -h printed help
        return
    assert isinstance(parsed, argparse.Namespace)
    assert parsed.command in {"start", "stop", "restart", "status", "logs", "conf", "help"}
    if getattr(parsed, "port", None) is not None:
        assert 1 <= parsed.port <= 65535
    if getattr(parsed, "timeout", None) is not None:
        assert parsed.timeout > 0
    if getattr(parsed, "idle_timeout", None) is not None:
        assert 0 <= parsed.idle_timeout < float("inf")
    if parsed.command == "logs":
        assert parsed.n >= 1
