"""A failed Python worker's traceback, read from the error's text alone: the last exception
first, the user's frames after it, the worker's internals in the details."""

from __future__ import annotations

import linecache

from sparkconnect.render.spark_errors import SparkErrorReport
from sparkconnect.render.worker_traceback import parse

SITE = "/opt/venv/lib/python3.11/site-packages"
ZIP = f"{SITE}/pyspark/python/lib/pyspark.zip/pyspark"
CELL = "/tmp/ipykernel_1/2.py"
# The shape Spark 4.3 sends for `applyInPandas` whose result does not fit the schema (chained
# exceptions, pyarrow's compiled frames), with a frame of the user's function added.
WORKER = "An exception was thrown from the Python worker"
MESSAGE = f"""{WORKER}. Please see the stack trace below.
[PYTHON_EXCEPTION] {WORKER}: Traceback (most recent call last):
  File "{ZIP}/sql/conversion.py", line 474, in convert_column
    return pa.Array.from_pandas(
           ^^^^^^^^^^^^^^^^^^^^^
  File "pyarrow/array.pxi", line 1341, in pyarrow.lib.Array.from_pandas
  File "pyarrow/error.pxi", line 92, in pyarrow.lib.check_status
pyarrow.lib.ArrowInvalid: Float value -0.500000 was truncated converting to int64

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "{ZIP}/worker.py", line 4327, in invoke_udf
    run_process()
  File "{CELL}", line 3, in subtract_mean
  File "{ZIP}/sql/conversion.py", line 504, in convert_column
    raise PySparkValueError(error_msg) from e
pyspark.errors.exceptions.base.PySparkValueError: Failed to convert the value of the column 'v'.
 SQLSTATE: 38000"""


class PythonException(Exception):
    """Named as pyspark's, which the report shows."""


def test_the_last_exception_comes_first_without_its_module_path() -> None:
    failure = parse(MESSAGE)
    assert failure is not None
    assert failure.root_cause == (
        "PySparkValueError: Failed to convert the value of the column 'v'. SQLSTATE: 38000"
    )
    assert failure.traceback.startswith("Traceback (most recent call last):")
    assert "ArrowInvalid" in failure.traceback


def test_only_the_users_frames_are_kept_with_the_source_the_kernel_still_has() -> None:
    linecache.cache[CELL] = (
        0,
        None,
        ["def subtract_mean(pdf):\n", "    v = pdf.v\n", "    return pdf.assign(v=v - v.mean())\n"],
        CELL,
    )
    try:
        failure = parse(MESSAGE)
    finally:
        del linecache.cache[CELL]
    assert failure is not None
    assert failure.user_frames == [
        f'  File "{CELL}", line 3, in subtract_mean\n    return pdf.assign(v=v - v.mean())'
    ]


def test_the_report_is_short_and_the_worker_traceback_is_in_the_details() -> None:
    report = SparkErrorReport.of(PythonException(MESSAGE), where="cell line 6: df.show()")
    lines = "\n".join(report.lines(hint="(details: %tb)")).splitlines()
    assert lines[0].startswith("PythonException: PySparkValueError: Failed to convert")
    assert f'File "{CELL}", line 3, in subtract_mean' in lines[1]
    assert not any("worker.py" in line or "pyarrow" in line for line in lines)
    assert len(lines) <= 25
    assert report.details_title().startswith("Python worker traceback (")
    assert report.details.startswith("Python worker traceback:\nTraceback (most recent")


def test_other_errors_are_left_as_they_are() -> None:
    assert parse("[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012") is None
    assert parse("An exception was thrown from the Python worker, with no traceback") is None
