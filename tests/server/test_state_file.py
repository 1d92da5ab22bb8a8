"""A state file that is empty, truncated, not JSON, from a future schema, or a symlink: status
says why it was ignored, a stop clears it. Nothing it points to is touched (a symlink's target is
left as it was). The running-server half is tests/server/test_state_file_of_a_running_server.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import _core
from tests.support.helpers import STATE_RECORD, run


def symlink_to(target: Path) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        target.write_text(json.dumps(STATE_RECORD))
        path.symlink_to(target)

    return write


CASES: dict[str, tuple[Callable[[Path], None] | bytes, str]] = {
    "empty": (b"", "is empty"),
    "truncated": (json.dumps(STATE_RECORD).encode()[:40], "not valid JSON"),
    "not JSON": (b"\x00\xffgarbage \xfe", "not valid JSON"),
    "future schema": (json.dumps({**STATE_RECORD, "schema": 99}).encode(), "schema version 99"),
}


@pytest.mark.parametrize("case", [*CASES, "symlink"])
def test_a_bad_state_file_is_reported_and_cleared(
    shell: InteractiveShell, home: Path, tmp_path: Path, case: str
) -> None:
    _core.resolve_home(str(home))
    path = home / "server.json"
    outside = tmp_path / "elsewhere.json"
    if case == "symlink":
        symlink_to(outside)(path)
        reason = "is a symlink"
    else:
        content, reason = CASES[case]
        assert isinstance(content, bytes)
        path.write_bytes(content)

    status = run(shell, "%spark status")
    assert status.error is None, status.shown
    assert "Spark Connect server: stopped" in status.texts[0]
    assert reason in status.texts[0]

    stopped = run(shell, "%spark stop --force")
    assert stopped.error is None, stopped.shown
    assert not path.exists() and not path.is_symlink()
    if case == "symlink":
        assert json.loads(outside.read_text()) == STATE_RECORD, "the link's target was touched"
    assert _core.status(str(home)).problem is None
