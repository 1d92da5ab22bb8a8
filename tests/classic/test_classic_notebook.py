"""End to end: `examples/classic_pyspark.ipynb`, written for classic PySpark, runs unchanged in a
real kernel that loads the extension at start-up (as `make demo` runs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sparkconnect import _core

pytestmark = pytest.mark.jvm

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_classic_notebook_runs_unchanged(home: Path, tmp_path: Path) -> None:
    # A copy in a folder of its own: its relative reads and writes must land there.
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = folder / "classic_pyspark.ipynb"
    shutil.copy(EXAMPLES / "classic_pyspark.ipynb", notebook)
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "run_notebook.py"), "--ext", "sparkconnect", notebook],
        env={**os.environ, "SPARKCONNECT_HOME": str(home), "XDG_DATA_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "4 UTC" in out  # the builder's confs, on this notebook's session
    assert "|     Ada|  London| 36|" in out  # the relative read, through a temp view
    assert "|     Ada|      AD|       37|" in out  # a Python UDF and a pandas UDF
    assert "['by_city', 'people.csv']" in out  # the relative write, next to the notebook
    assert "4 cities" in out
    assert "Error" not in out and "Traceback" not in out
    assert sorted(p.name for p in folder.iterdir()) == ["classic_pyspark.ipynb"]
    # spark.stop() at the end ended the session, not the shared server.
    assert _core.status(str(home)).state == "running"
