"""Property tests of the state-file reader: whatever bytes `server.json` holds, `status` returns
(no panic, no hang, no exception), reports a stopped server and says why the file was ignored.
Structured cases mutate a well-formed state, so the reader's field checks are reached too."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkconnect import _core
from tests.support.helpers import STATE_RECORD

WELL_FORMED: dict[str, Any] = {**STATE_RECORD, "pid": 2}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


def status_of(content: bytes) -> _core.Status:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        home.chmod(0o700)
        (home / "server.json").write_bytes(content)
        return _core.status(str(home))


def assert_ignored_with_a_reason(status: _core.Status) -> None:
    assert status.state == "stopped"
    assert status.server is None
    assert status.problem and "server.json" in status.problem


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(content: bytes) -> None:
    assert_ignored_with_a_reason(status_of(content))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(WELL_FORMED)), JSON)
def test_a_well_formed_state_with_one_field_changed(field: str, value: Any) -> None:
    state = {**WELL_FORMED, field: value}
    status = status_of(json.dumps(state).encode())
    # pid 2 (kthreadd) never has start time 1, so even a state that still reads as valid
    # describes a server that is not running; only the reason differs.
    assert_ignored_with_a_reason(status)
