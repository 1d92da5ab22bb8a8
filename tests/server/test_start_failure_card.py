"""The start-failure card, from the StartError message alone (the card of a real failed start:
tests/server/test_start_failure.py)."""

from __future__ import annotations

from sparkconnect.render.start_failure import StartFailure


def test_a_message_of_another_shape_is_shown_whole() -> None:
    failure = StartFailure("Java was not found: install Java 17.")
    assert "Java was not found: install Java 17." in repr(failure)
    assert "Last lines" not in repr(failure)
    assert "What to do" in failure._repr_html_()
