"""How the package words what it says, wherever it says it: a count with its noun, and the name
that begins a line it says in its own voice (a notice on stderr or in a cell, a line it adds to a
log), so that such a line can be told from the output of Spark, pyspark or the user's code.

At the bottom of the layers, like errors.py, so that every layer words things alike."""

from __future__ import annotations

PREFIX = "sparkconnect: "
"""What begins a line the package says in its own name."""


def plural(count: int, word: str, words: str | None = None) -> str:
    """`count` with its noun: "1 task", "3 tasks"; `words` for a plural not made with "s"
    ("query", "queries")."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
