"""The results as a page of the docs (docs/pyspark-releases.md) and as a table for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .compat_run import Outcome

PAGE = Path(__file__).resolve().parent.parent / "docs" / "pyspark-releases.md"

INTRO = """\
# Supported pyspark releases

sparkconnect supports pyspark 4.0, 4.1, 4.2 and 4.3, each as the client in the notebook and as
the Spark Connect server of the same installation. `make test-matrix` proves it: it installs the
newest patch release of each series from PyPI into its own environment, with this package's
wheel, and runs there the tests marked `compat` (start, attach, progress, the classic builder,
relative paths, `spark.stop()`, short errors, interrupt, panel model, jobs, session renewal, and
the private pyspark names the package relies on), each server on the Java the package chooses
for that Spark. The table below is its last run, written by it; it is not edited by hand.
"""


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def table(outcomes: Sequence[Outcome]) -> str:
    rows = [
        "| pyspark | Server's Java | Passed | Failed | Skipped | Wall time | Date |",
        "|---|---|--:|--:|--:|--:|---|",
    ]
    for o in outcomes:
        failed = str(o.failed) if o.problem is None else f"{o.failed} ({o.problem})"
        java = ", ".join(o.java) or "not logged"
        rows.append(
            f"| {o.pyspark} | {java} | {o.passed} | {failed} | {o.skipped} "
            f"| {duration(o.seconds)} | {o.day} |"
        )
    return "\n".join(rows) + "\n"


def skips(outcomes: Sequence[Outcome]) -> str:
    """What a release cannot do, as the tests that skipped there said it."""
    lines = [
        f"- pyspark {o.pyspark}: `{name}`: {reason}" for o in outcomes for name, reason in o.skips
    ]
    if not lines:
        return ""
    return "\n## Skipped tests\n\n" + "\n".join(lines) + "\n"


def render(outcomes: Sequence[Outcome]) -> str:
    """The whole page. "Wall time" is the test run's own (collection included), without the
    set-up of the environment."""
    return f"{INTRO}\n{table(outcomes)}{skips(outcomes)}"


def write(outcomes: Sequence[Outcome], path: Path = PAGE) -> None:
    path.write_text(render(outcomes))
