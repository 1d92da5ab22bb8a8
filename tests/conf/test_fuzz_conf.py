"""Property tests of the conf parser (`_core.parse_conf`, in Rust): any list of items is either
accepted, giving exactly the key/value split at the first '=' with the last item winning, or
refused with a ConfError that quotes the offending item and the expected form."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkconnect import _core

ITEM = st.one_of(
    st.text(max_size=30),
    st.builds(lambda k, v: f"{k}={v}", st.text(max_size=12), st.text(max_size=12)),
)


def refused_alone(item: str) -> str | None:
    try:
        _core.parse_conf([item])
    except _core.ConfError as error:
        return str(error)
    return None


@settings(max_examples=500, deadline=None)
@given(st.lists(ITEM, max_size=6))
def test_items_are_accepted_exactly_or_refused_with_the_item_named(items: list[str]) -> None:
    try:
        conf = _core.parse_conf(items)
    except _core.ConfError as error:
        message = str(error)
        assert "is not a valid conf item" in message and "key=value" in message
        # The refusal is that of the first item refused on its own, and quotes it (printable
        # items verbatim; others escaped, as are combining marks: Rust's Debug escapes every
        # grapheme extender, and Python calls some of them printable).
        first_bad = next(item for item in items if refused_alone(item))
        assert message == refused_alone(first_bad)
        marks = any(unicodedata.category(c).startswith("M") for c in first_bad)
        if first_bad.isprintable() and not marks and not any(c in first_bad for c in '"\\'):
            assert f'"{first_bad}"' in message
        return
    expected: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        assert sep and key and value
        assert not any(c.isspace() for c in key) and not any(c in "\"'" for c in key)
        expected[key] = value
    assert conf == expected
