"""The notebook features on a real InteractiveShell (the terminal forms) against one real server:
profiles at launch, the progress line, DataFrame tables, %%spark sql, status, UI link, logs,
autostart. The tests share the server and run in file order."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import _core
from sparkconnect.notebook.lazy import LazySpark
from sparkconnect.server import profiles
from tests.support.helpers import run
from tests.support.processes import server

pytestmark = pytest.mark.jvm

SLEEPING_JOB = (
    "rows = spark.range(0, 2, 1, 2)"
    ".selectExpr(\"reflect('java.lang.Thread', 'sleep', cast(1500 as bigint))\").collect()"
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        textwrap.dedent(
            """
            [profiles.small.conf]
            "spark.sql.shuffle.partitions" = 3
            "spark.hadoop.fs.s3a.secret.key" = "s3cr3t"
            [profiles.small.env]
            SPARKCONNECT_TEST_MARKER = "from-the-profile"
            """
        )
    )
    monkeypatch.setenv(profiles.CONFIG_ENV, str(path))
    return path


@pytest.mark.compat
def test_start_with_a_profile_applies_its_conf_and_env(
    shell: InteractiveShell, module_home: Path, config: Path
) -> None:
    result = run(shell, "%spark start --profile small")
    assert result.error is None, result.shown
    assert "Profile   small" in result.texts[0]
    info = server(module_home)
    assert info.conf["spark.sql.shuffle.partitions"] == "3"
    environ = Path(f"/proc/{info.pid}/environ").read_bytes().split(b"\0")
    assert b"SPARKCONNECT_TEST_MARKER=from-the-profile" in environ
    assert shell.ev('spark.conf.get("spark.sql.shuffle.partitions")') == "3"
    # The profile is not saved: it applies to this notebook's starts only.
    assert _core.load_conf(str(module_home)) == {}


def test_status_card(shell: InteractiveShell, module_home: Path) -> None:
    result = run(shell, "%spark status")
    text, page = result.texts[0], result.htmls[0]
    assert re.search(
        r"Conf +spark.hadoop.fs.s3a.secret.key=•••, spark.sql.shuffle.partitions=3", text
    )
    assert "s3cr3t" not in text and "s3cr3t" not in page
    assert "sparkconnect-status" in page
    assert f":{server(module_home).ui_port}" not in page  # a direct link would get 403
    assert "`sparkconnect ui` in a terminal opens it" in text


def test_ui_link_follows_the_proxy_signs(
    shell: InteractiveShell, module_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = server(module_home).ui_port
    assert "`sparkconnect ui` in a terminal opens it" in run(shell, "%spark ui").shown
    # jupyter-server-proxy's port route passes requests on unsigned: no link there either.
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    assert "`sparkconnect ui` in a terminal opens it" in run(shell, "%spark ui").shown
    monkeypatch.setenv("SPARKCONNECT_UI_PROXY", "/user/alice/sparkui/")
    assert run(shell, "%spark ui").texts[0] == "/user/alice/sparkui/jobs/"
    run(shell, "%config SparkConnect.ui_url = 'https://gateway.example/spark/{port}/'")
    shown = run(shell, "%spark ui")
    assert shown.texts[0] == f"https://gateway.example/spark/{port}/"
    assert f"href='https://gateway.example/spark/{port}/'" in shown.htmls[0]
    assert f"https://gateway.example/spark/{port}/" in run(shell, "%spark status").texts[0]


def test_spark_ending_a_cell_is_a_card(
    shell: InteractiveShell, module_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARKCONNECT_UI_PROXY", "/user/alice/sparkui/")
    info = server(module_home)
    assert run(shell, "spark.range(1).count()").error is None  # `spark` is lazy until used
    shown = run(shell, "spark")
    assert shown.error is None, shown.shown
    text = shown.stdout
    assert "NotebookSession at 0x" not in text
    assert "Spark Connect session" in text
    assert f"Server    sc://localhost:{info.port}/;token=… (pid {info.pid})" in text
    assert f"Spark     {info.spark_version}" in text and f"Master    {info.master}" in text
    assert f"Session   {shell.ev('spark.session_id')}" in text
    assert "Spark UI  /user/alice/sparkui/jobs/" in text
    assert info.token not in text
    bundle, _ = shell.display_formatter.format(shell.user_ns["spark"])
    page = bundle["text/html"]
    assert "sparkconnect-session" in page and "href='/user/alice/sparkui/jobs/'" in page
    assert info.token not in page


@pytest.mark.compat
def test_progress_is_one_line_in_a_terminal(shell: InteractiveShell, module_home: Path) -> None:
    result = run(shell, SLEEPING_JOB)
    assert result.error is None, result.shown
    out = result.stdout
    assert "\r[" in out and "tasks 0/2" in out
    # The bar rewrites one line (no line breaks) and ends in a summary line.
    assert out.count("\n") == 1
    assert re.search(r"\r +\r✔ Spark: 1 stage · 2 tasks · 0 B read in \d+\.\d s\n$", out), out


def test_a_summary_counts_the_stages_that_ran_not_the_skipped(
    shell: InteractiveShell, module_home: Path
) -> None:
    # Under adaptive execution the aggregation's result job lists its shuffle map stage again,
    # skipped (its output exists): 4 tasks that slept, then 1 that slept too (so that a report
    # comes while it runs); 2 stages, not 3.
    sleep = "reflect('java.lang.Thread', 'sleep', cast(700 as bigint))"
    cell = (
        f"rows = spark.range(0, 4, 1, 4).selectExpr('id % 2 AS k', \"{sleep}\")"
        f".groupBy('k').count().selectExpr('k', \"{sleep}\").collect()"
    )
    result = run(shell, cell)
    assert result.error is None, result.shown
    assert re.search(r"✔ Spark: 2 stages · 5 tasks · [^\n]* in \d+\.\d s\n$", result.stdout), (
        result.stdout
    )


def test_progress_summary_off_and_progress_off(shell: InteractiveShell, module_home: Path) -> None:
    run(shell, "%config SparkConnect.progress_summary = False")
    out = run(shell, SLEEPING_JOB).stdout
    assert "\r[" in out and "✔" not in out and out.endswith("\r")
    run(shell, "%spark progress off")
    assert run(shell, SLEEPING_JOB).stdout == ""


def test_dataframe_ending_a_cell_is_a_table(shell: InteractiveShell, module_home: Path) -> None:
    # A terminal shell prints a cell's value (text/plain) as `Out[n]:`; the HTML form is
    # checked through IPython's formatter, as a Jupyter kernel would compute it.
    cell = (
        "df = spark.range(3).selectExpr('id', \"CASE WHEN id = 1 THEN NULL ELSE 'a<b' END AS s\")"
    )
    run(shell, cell)
    shown = run(shell, "df")
    assert shown.error is None, shown.shown
    assert (
        textwrap.dedent(
            """\
        +------+------+
        |    id|     s|
        |bigint|string|
        +------+------+
        |     0|   a<b|
        |     1|  null|
        |     2|   a<b|
        +------+------+
        3 rows"""
        )
        in shown.stdout
    )
    bundle, _ = shell.display_formatter.format(shell.user_ns["df"])
    assert "<td>a&lt;b</td>" in bundle["text/html"]
    assert "<div class='sparkconnect-type'>string</div>" in bundle["text/html"]
    run(shell, "%config SparkConnect.max_rows = 2")
    assert "only showing the first 2 rows" in run(shell, "spark.range(10)").stdout


def test_a_dataframe_that_cannot_run_says_why_briefly(
    shell: InteractiveShell, module_home: Path
) -> None:
    shown = run(shell, "spark.range(3).selectExpr('no_such_column')")
    assert shown.error is None, shown.shown
    assert "The DataFrame cannot be shown: AnalysisException: [UNRESOLVED_COLUMN" in shown.stdout
    assert "no_such_column" in shown.stdout and "JVM stacktrace" not in shown.stdout
    assert "Traceback" not in shown.shown


def test_sql_cell(shell: InteractiveShell, module_home: Path) -> None:
    cell = "%%spark sql -o top -n 2\nSELECT id, id * id AS square FROM range(10) ORDER BY id DESC;"
    shown = run(shell, cell)
    assert shown.error is None, shown.shown
    assert "|     9|    81|" in shown.texts[-1] and "|     7|" not in shown.texts[-1]
    assert "only showing the first 2 rows" in shown.texts[-1]
    assert shell.ev("top.count()") == 10
    assert run(shell, "%%spark sql\nCREATE OR REPLACE TEMP VIEW v AS SELECT 42 AS x").texts == []
    assert "|  x|\n|int|\n+---+\n| 42|" in run(shell, "%%spark sql\nSELECT x FROM v").texts[-1]


def test_logs_of_the_real_server(shell: InteractiveShell, module_home: Path) -> None:
    shown = run(shell, "%spark logs --grep 'Spark Connect server started' -n 1")
    assert "Spark Connect server started at: 127.0.0.1" in shown.texts[0]
    assert "sparkconnect-log-info" in shown.htmls[0]


def test_autostart_on_load(shell: InteractiveShell, module_home: Path) -> None:
    shell.extension_manager.unload_extension("sparkconnect")
    assert "spark" not in shell.user_ns
    shell.config.SparkConnect.autostart = True
    try:
        shown = run(shell, "%load_ext sparkconnect")
    finally:
        shell.config.SparkConnect.pop("autostart", None)
    assert shown.error is None, shown.shown
    assert "Attached to the running Spark Connect server" in shown.texts[0]
    assert not isinstance(shell.user_ns["spark"], LazySpark)
    assert shell.ev("spark.range(2).count()") == 2
