"""The README's "First use" cell runs as printed, in a real kernel against a real server.

It is the first code a newcomer copies: a line the magics refuse (a trailing comment after a
magic is an argument to it) or a step that no longer does what the README says would greet them
with a usage error. The cell is read from the README itself, so the test follows its edits.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drive.kernels import Kernel

pytestmark = pytest.mark.jvm

README = Path(__file__).resolve().parents[2] / "README.md"


def first_use_cell() -> str:
    section = README.read_text().split("## First use", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "README.md's First use section has no python block"
    return found.group(1)


def test_the_readme_first_use_cell_runs_as_printed(home: Path) -> None:
    kernel = Kernel({"SPARKCONNECT_HOME": str(home)})
    try:
        run = kernel.run(first_use_cell())
    finally:
        kernel.shutdown()
    assert run.status == "ok", run.text
    out = run.text
    # The aggregate's rows: seven keys of 10**6 ids.
    assert re.search(r"\|\s+0\|142858\|", out), out
    assert "Spark Connect server: running" in out, out
    # The conf is saved for the next start, and the restart brings the server back with it.
    assert "spark.sql.shuffle.partitions" in out, out
    assert out.count("`spark` is ready") == 2, out
    assert out.rstrip().endswith("Spark Connect server stopped"), out
