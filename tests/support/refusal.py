"""What every refusal must look like in a notebook: the cell fails, with one paragraph that
names the cause, and no traceback through sparkconnect's code."""

from __future__ import annotations

from .helpers import CellRun


def assert_refused(result: CellRun, error_type: type[BaseException], *phrases: str) -> str:
    """Checks the refusal and returns its message."""
    assert isinstance(result.error, error_type), result.shown
    message = str(result.error)
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in: {message}"
    assert "Traceback" not in result.shown
    assert "sparkconnect/" not in result.shown, "a frame of our own code was shown"
    # One paragraph: any further lines are the quoted server log, indented under it.
    lead, *quoted = message.split("\n")
    assert lead.strip()
    assert all(line.startswith("    ") for line in quoted), message
    return message
