"""End to end: classic session code (the builder, `spark.stop()`, SparkContext, scripts, pandas
API on Spark) in two real kernels on one real server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel, KernelRun
from sparkconnect import _core

pytestmark = pytest.mark.jvm

CLASSIC_BUILDER = """\
from pyspark.sql import SparkSession
spark = (
    SparkSession.builder.appName("classic")
    .master("local[*]")
    .config("spark.sql.shuffle.partitions", "11")
    .config("spark.driver.memory", "3g")
    .enableHiveSupport()
    .getOrCreate()
)
"""


def notice_in(run: KernelRun, words: str) -> str:
    """The HTML of the one notice of `run` that says `words`; it is not also on a stream."""
    found = [h for h in run.htmls if "sparkconnect-notice" in h and words in h]
    assert len(found) == 1, run.htmls
    body = found[0].split("</style>", 1)[1]
    assert "`" not in body, body  # code spans became <code>
    assert "sparkconnect-error" not in body
    assert sum(words in text for text in run.texts) == 1, run.texts  # the display's own text
    return found[0]


def ok(kernel: Kernel, code: str) -> str:
    run = kernel.run(code)
    assert run.status == "ok", run.text
    return run.text


@pytest.fixture(scope="module")
def env(module_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "SPARKCONNECT_HOME": str(module_home),
        "XDG_DATA_HOME": str(tmp_path_factory.mktemp("data")),
    }


@pytest.fixture(scope="module")
def kernels(env: dict[str, str]) -> Iterator[list[Kernel]]:
    started = [Kernel(env), Kernel(env)]
    yield started
    for kernel in started:
        kernel.shutdown()


@pytest.mark.compat
def test_builder_returns_the_notebook_session_with_its_confs(
    kernels: list[Kernel], tmp_path: Path
) -> None:
    a, b = kernels
    # The extension loaded as a site would load it (ipython_config), the classic code unchanged.
    shown = ok(a, "%load_ext sparkconnect\n" + CLASSIC_BUILDER)
    # Confs only a server start applies get one line naming them and the way to apply them;
    # the app name and a master equal to the server's are nothing to report.
    # The builder launched the server (no server ran yet): one line says so,
    # as when `spark` launches it.
    # (An older pyspark adds one line per private name it lacks: not this test's subject.)
    lines = [
        line
        for line in shown.splitlines()
        if line.startswith("sparkconnect:") and "Everything else works." not in line
    ]
    assert len([line for line in lines if "launched a Spark Connect server" in line]) == 1, shown
    notes = [line for line in lines if "launched a Spark Connect server" not in line]
    assert len(notes) == 1, shown
    assert "`spark.driver.memory`, `spark.sql.catalogImplementation` only take effect" in notes[0]
    assert "`%spark restart`" in notes[0] and "--force" in notes[0]
    assert "spark.master" not in notes[0] and "spark.app.name" not in notes[0]
    # A notice, not an error: a quiet output with its code as code, nothing on stderr.
    again = a.run(CLASSIC_BUILDER)
    assert "<code class='sparkconnect-inline'>%spark restart</code>" in notice_in(
        again, "only take effect"
    )
    assert "11" in ok(a, 'spark.conf.get("spark.sql.shuffle.partitions")')

    # The other notebook's session is not touched.
    ok(b, "%load_ext sparkconnect")
    assert "11" not in ok(b, 'spark.conf.get("spark.sql.shuffle.partitions")')

    # Everywhere code asks for "the" session, it gets this notebook's.
    (tmp_path / "helper.py").write_text(
        "from pyspark.sql import SparkSession\n"
        "def session():\n"
        "    return SparkSession.getActiveSession()\n"
    )
    (tmp_path / "script.py").write_text(
        "from pyspark.sql import SparkSession\n"
        "from_script = SparkSession.builder.appName('script').getOrCreate()\n"
    )
    checks = ok(
        a,
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "import helper\n"
        f"%run -i {tmp_path / 'script.py'}\n"
        "print(helper.session() is spark, SparkSession.active() is spark,\n"
        "      from_script is spark, SparkSession.builder.getOrCreate() is spark)",
    )
    assert "True True True True" in checks


@pytest.mark.compat
def test_stop_ends_the_session_not_the_server(kernels: list[Kernel], module_home: Path) -> None:
    a, b = kernels
    ok(a, "%load_ext sparkconnect\nheld = spark\nspark.range(1).count()")
    ok(b, "%load_ext sparkconnect\nspark.range(1).count()")
    server = _core.status(str(module_home)).server
    assert server is not None
    assert sorted(_core.status(str(module_home)).attached) == sorted([a.pid, b.pid])

    ok(a, "old_id = spark.client._session_id\nspark.stop()")
    # The lease went with the session; the server runs on for the other notebook.
    assert _core.status(str(module_home)).attached == [b.pid]
    assert "5" in ok(b, "spark.range(5).count()")

    resumed = a.run("spark.range(3).count()")
    assert resumed.status == "ok", resumed.text
    again = resumed.text
    assert "3" in again
    assert again.count("continuing in a fresh one") == 1
    assert "<code class='sparkconnect-inline'>spark.stop()</code>" in notice_in(
        resumed, "continuing in a fresh one"
    )
    assert "True" in ok(a, "print(spark.client._session_id != old_id, held is spark)")
    assert "2" in ok(a, "held.range(2).count()")
    assert sorted(_core.status(str(module_home)).attached) == sorted([a.pid, b.pid])
    assert _core.status(str(module_home)).server.pid == server.pid  # type: ignore[union-attr]

    # The builder after a stop: the same object again, in a fresh session.
    ok(a, "spark.stop()")
    assert "True" in ok(a, "print(SparkSession.builder.getOrCreate() is held)")


def test_no_spark_context_is_one_paragraph(kernels: list[Kernel]) -> None:
    a, _ = kernels
    ok(a, "%load_ext sparkconnect")
    for code in (
        "spark.sparkContext",
        "spark.range(3).rdd",
        "from pyspark import SparkContext\nSparkContext.getOrCreate()",
    ):
        run = a.run(code)
        assert run.status == "error"
        assert run.error is not None and run.error.startswith("NoSparkContextError")
        # The error in one line, what to write instead in a quiet paragraph with code as code;
        # not a traceback through sparkconnect or pyspark.
        error = run.texts[-1]
        assert "Spark Connect has no SparkContext." in error and len(error.splitlines()) == 1
        advice = notice_in(run, "spark.createDataFrame")
        assert "<code class='sparkconnect-inline'>sc.parallelize(rows)</code>" in advice
        assert "Traceback" not in run.text and "site-packages" not in run.text


def test_scripts_attach_with_their_own_session_and_no_token(
    kernels: list[Kernel], module_home: Path, tmp_path: Path
) -> None:
    a, _ = kernels
    ok(a, "%load_ext sparkconnect\nspark.range(1).count()")
    job = tmp_path / "job.py"
    job.write_text(
        "import os\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "print('job rows', spark.range(4).count(), spark.client._session_id)\n"
        "print('job remote', os.environ['SPARK_REMOTE'])\n"
        "spark.stop()\n"
    )
    run = a.run(f"print('notebook', spark.client._session_id)\n!{sys.executable} {job}")
    server = _core.status(str(module_home)).server
    assert server is not None
    # As written: the script's lines may come in several stream messages.
    shown = "".join(run.texts)
    assert server.token not in shown
    assert run.status == "ok", shown
    notebook_id = shown.split("notebook ")[1].split()[0]
    job_rows, job_id = shown.split("job rows ")[1].split()[:2]
    assert job_rows == "4"
    assert job_id != notebook_id
    assert f"job remote sc://localhost:{server.port}/" in shown
    # The job's stop ended its own session only.
    assert "2" in ok(a, "spark.range(2).count()")


def test_pandas_api_on_spark(kernels: list[Kernel]) -> None:
    a, _ = kernels
    shown = ok(
        a,
        "%load_ext sparkconnect\n"
        "import pyspark.pandas as ps\n"
        "frame = ps.DataFrame({'x': [1, 2, 3, 4]})\n"
        "print('sum', frame.x.sum(), frame._internal.spark_frame.sparkSession is spark)",
    )
    assert "sum 10 True" in shown


@pytest.mark.compat
def test_python_api_builder_and_stop(env: dict[str, str]) -> None:
    """Without IPython: after `sparkconnect.session()` the builder returns it, and `stop()`
    followed by a use continues in a fresh session."""
    code = (
        "import sparkconnect\n"
        "from pyspark.sql import SparkSession\n"
        "s = sparkconnect.session()\n"
        "print(SparkSession.builder.getOrCreate() is s)\n"
        "s.stop()\n"
        "print(s.range(3).count(), SparkSession.builder.getOrCreate() is s)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "3", "True"]
    assert "continuing in a fresh one" in done.stderr
