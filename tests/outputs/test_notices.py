"""Notices are not errors: in a real Jupyter kernel, what the session layer tells the user comes
as a quiet output with its code as code, and classic-only code gets a one-line error with what to
write instead beside it. No server needed; the notices a server causes (the builder's, after
`spark.stop()`) are checked in tests/classic/test_classic_builder.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel

CODE = "<code class='sparkconnect-inline'>"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    started = Kernel({"SPARKCONNECT_HOME": str(tmp_path_factory.mktemp("home"))})
    try:
        assert started.run("%load_ext sparkconnect").status == "ok"
        yield started
    finally:
        started.shutdown()


def test_a_notice_is_a_quiet_output_with_code_as_code(kernel: Kernel) -> None:
    run = kernel.run(
        "from sparkconnect.session.notices import tell\n"
        "tell('continuing in a fresh one after `spark.stop()`')"
    )
    assert run.status == "ok"
    # One display output (no stderr stream, which JupyterLab draws as an error).
    assert run.texts == ["sparkconnect: continuing in a fresh one after `spark.stop()`"]
    page = run.htmls[0]
    assert "sparkconnect-notice" in page and "sparkconnect-note sparkconnect-info" in page
    assert f"{CODE}spark.stop()</code>" in page and "`" not in page.split("</style>")[1]
    assert "error" not in page.split("</style>")[1]


def test_classic_only_code_is_one_error_line_and_advice(kernel: Kernel) -> None:
    run = kernel.run("from pyspark import SparkContext\nSparkContext.getOrCreate()")
    assert run.status == "error"
    assert run.error is not None and run.error.startswith("NoSparkContextError")
    assert re.sub(r"\x1b\[[0-9;]*m", "", run.texts[-1]) == (
        "NoSparkContextError: `SparkContext(...)` / `SparkContext.getOrCreate()`: "
        "Spark Connect has no SparkContext."
    )
    advice = [h for h in run.htmls if "sparkconnect-notice" in h]
    assert len(advice) == 1
    assert f"{CODE}spark.createDataFrame(rows)</code>" in advice[0]
    assert "Traceback" not in run.text


def test_after_unloading_notices_go_to_stderr(tmp_path: Path) -> None:
    kernel = Kernel({"SPARKCONNECT_HOME": str(tmp_path)})
    try:
        code = "%load_ext sparkconnect\n%unload_ext sparkconnect\n"
        run = kernel.run(code + "from sparkconnect.session.notices import tell\ntell('plain')")
        assert run.status == "ok"
        assert run.htmls == [] and run.texts == ["sparkconnect: plain\n"]
    finally:
        kernel.shutdown()
