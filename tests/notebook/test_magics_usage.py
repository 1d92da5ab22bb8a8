"""`%spark` on a real InteractiveShell, without a server: usage errors, help, conf, load/unload.

Every usage error must reach the user as one IPython UsageError line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.notebook.lazy import LazySpark
from tests.support.helpers import run


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", "needs a subcommand"),
        ("strat", "invalid choice: 'strat'"),
        ("start --port 0", "port must be between 1 and 65535"),
        ("start --port 70000", "port must be between 1 and 65535"),
        ("start --port abc", "port must be a number"),
        ("start --port -1", "port must be between 1 and 65535"),
        ("start --idle-timeout -3", "idle timeout must be 0 (never) or a positive number"),
        ("start --idle-timeout later", "idle timeout must be a number of seconds"),
        ("start --conf 'k v=1'", "the key contains whitespace"),
        ("""start --conf '"k"=1'""", "the key contains quotes"),
        ("start --conf k=", "the value is empty"),
        ("start --timeout -1", "timeout must be positive"),
        ("start --timeout soon", "timeout must be a number of seconds"),
        ("start --conf novalue", "novalue"),
        ("start --conf =x", "=x"),
        ("start --bogus", "unrecognized arguments: --bogus"),
        ("stop --now", "unrecognized arguments: --now"),
        ("status extra", "unrecognized arguments: extra"),
        ("logs -n 0", "-n must be at least 1"),
        ("logs -n many", "-n takes a number of lines"),
        ("conf k=", "k="),
        ("conf =x", "=x"),
        ("conf 'spark x'", "'spark x' is not a conf key"),
        ("stop --forse", "Usage: %spark stop [-h] [--force]"),
        ("restart --bogus", "Usage: %spark restart"),
        ("conf 'a b=1'", "a b=1"),
        ("conf --unset never.set", "`never.set` is not in the saved conf"),
        ('conf "a=b', "cannot read the %spark line"),
    ],
)
def test_usage_errors_are_one_readable_line(
    shell: InteractiveShell, home: Path, line: str, expected: str
) -> None:
    result = run(shell, f"%spark {line}")
    assert isinstance(result.error, UsageError), result.shown
    assert expected in str(result.error)
    assert "Traceback" not in result.shown
    assert not java_servers_of(home)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%%spark\nSELECT 1", "write `%%spark sql` on the first line"),
        ("%%spark sql -o 1x\nSELECT 1", "-o takes a Python variable name"),
        ("%%spark sql -n 0\nSELECT 1", "-n must be at least 1"),
        ("%%spark sql\n  \n", "The cell has no SQL"),
    ],
)
def test_sql_cell_usage_errors(
    shell: InteractiveShell, home: Path, cell: str, expected: str
) -> None:
    result = run(shell, cell)
    assert isinstance(result.error, UsageError), result.shown
    assert expected in str(result.error)


def test_usage_errors_lose_nothing(shell: InteractiveShell, home: Path) -> None:
    run(shell, "%spark conf spark.sql.shuffle.partitions=8")
    assert isinstance(run(shell, "%spark conf spark.executor.memory=").error, UsageError)
    assert isinstance(run(shell, "%spark start --conf x=1 --conf bad").error, UsageError)
    assert _core.load_conf(str(home)) == {"spark.sql.shuffle.partitions": "8"}


@pytest.mark.parametrize(
    ("conf", "port", "expected"),
    [
        # A line magic cannot carry a newline; the Python API can.
        ({"spark.x": "a\nb"}, None, "control character"),
        ({"spark.x\t": "1"}, None, "control character"),
        ({"": "1"}, None, "the key is empty"),
        ({"spark.x": ""}, None, "the value is empty"),
        # The same words as `%spark start --port 70000`: one rule, one message.
        ({}, 70000, "port must be between 1 and 65535, not 70000"),
        ({}, -1, "port must be between 1 and 65535, not -1"),
    ],
)
def test_python_api_refuses_bad_conf_and_port(
    home: Path, conf: dict[str, str], port: int | None, expected: str
) -> None:
    import sparkconnect

    _core.save_conf(_core.resolve_home(str(home)), {"spark.sql.shuffle.partitions": "8"})
    with pytest.raises(sparkconnect.ConfError, match=expected):
        sparkconnect.start(conf=conf, port=port)
    assert _core.load_conf(str(home)) == {"spark.sql.shuffle.partitions": "8"}
    assert not java_servers_of(home)
    assert not (home / "server.json").exists()


def test_help_lists_every_subcommand(shell: InteractiveShell, home: Path) -> None:
    shown = run(shell, "%spark help").stdout
    for command in ("start", "stop", "restart", "status", "logs", "conf", "help"):
        assert f"%spark {command}" in shown
    docstring = shell.find_line_magic("spark").__doc__
    assert "%spark conf [KEY=VALUE | KEY ...]" in docstring


def test_help_names_the_config_file_in_force(
    shell: InteractiveShell, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPARKCONNECT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    shown = run(shell, "%spark help").stdout
    assert f"config file ({tmp_path}/xdg/sparkconnect/config.toml)" in shown
    assert "~/.config" not in shown
    monkeypatch.setenv("SPARKCONNECT_CONFIG", str(tmp_path / "team.toml"))
    assert f"config file ({tmp_path}/team.toml)" in run(shell, "%spark help").stdout


def test_subcommand_dash_h_shows_its_options(shell: InteractiveShell, home: Path) -> None:
    result = run(shell, "%spark start -h")
    assert result.error is None
    assert "--conf" in result.stdout and "--port" in result.stdout


def test_status_logs_and_stop_when_nothing_runs(shell: InteractiveShell, home: Path) -> None:
    assert "Spark Connect server: stopped" in run(shell, "%spark status").texts[0]
    assert "no log lines yet" in run(shell, "%spark logs").texts[0]
    assert "No Spark Connect server was running" in run(shell, "%spark stop").texts[0]


def test_conf_is_saved_unset_and_reset(shell: InteractiveShell, home: Path) -> None:
    shown = run(shell, "%spark conf spark.sql.shuffle.partitions=8 spark.executor.memory=2g")
    assert "spark.executor.memory" in shown.texts[0] and "2g" in shown.texts[0]
    assert _core.load_conf(str(home)) == {
        "spark.sql.shuffle.partitions": "8",
        "spark.executor.memory": "2g",
    }
    run(shell, "%spark conf --unset spark.executor.memory")
    assert _core.load_conf(str(home)) == {"spark.sql.shuffle.partitions": "8"}
    shown = run(shell, "%spark conf")
    assert "Spark conf for the next start" in shown.texts[0]
    assert "spark.sql.shuffle.partitions" in shown.texts[0]
    run(shell, "%spark conf --reset")
    assert _core.load_conf(str(home)) == {}


def test_conf_value_may_hold_equals_and_quotes(shell: InteractiveShell, home: Path) -> None:
    run(shell, """%spark conf "spark.driver.extraJavaOptions=-Da=b -Dc='d e'" """)
    assert _core.load_conf(str(home)) == {"spark.driver.extraJavaOptions": "-Da=b -Dc='d e'"}


def test_spark_is_lazy_until_used(shell: InteractiveShell, home: Path) -> None:
    spark = shell.user_ns["spark"]
    assert isinstance(spark, LazySpark)
    # Displaying it (repr, rich-output probes) must not launch anything.
    shown = run(shell, "spark")
    assert "connects on first use" in shown.shown
    assert not java_servers_of(home)
    assert not (home / "server.json").exists()


def test_load_twice_is_harmless_and_unload_removes_what_load_added(home: Path) -> None:
    ip = InteractiveShell.instance()
    ip.user_ns.pop("spark", None)
    ip.extension_manager.load_extension("sparkconnect")
    assert ip.extension_manager.load_extension("sparkconnect") == "already loaded"
    ip.run_line_magic("load_ext", "sparkconnect")
    assert ip.find_line_magic("spark") is not None
    assert isinstance(ip.user_ns["spark"], LazySpark)
    ip.extension_manager.unload_extension("sparkconnect")
    assert ip.find_line_magic("spark") is None
    assert "spark" not in ip.user_ns


def test_load_keeps_a_spark_variable_the_user_made(home: Path) -> None:
    ip = InteractiveShell.instance()
    ip.user_ns["spark"] = "mine"
    ip.extension_manager.load_extension("sparkconnect")
    try:
        assert ip.user_ns["spark"] == "mine"
    finally:
        ip.extension_manager.unload_extension("sparkconnect")
        assert ip.user_ns.pop("spark") == "mine"


def test_config_option_reaches_the_magics(shell: InteractiveShell, home: Path) -> None:
    run(shell, "%config SparkConnect.start_timeout = 7.5")
    magics = next(c for c in shell.configurables if type(c).__name__ == "SparkConnect")
    assert magics.start_timeout == 7.5  # type: ignore[attr-defined]


def test_a_session_as_a_cells_value_is_a_card(shell: InteractiveShell, home: Path) -> None:
    """The wiring, with no server: a session this notebook does not hold (one from before a
    restart, say) still shows as a card, without asking any server. The card of the live
    session: tests/notebook/test_notebook_shell.py."""
    from sparkconnect.session.notebook_session import NotebookSession

    # Not NotebookSession.open, which would make it pyspark's default session for later tests.
    old = NotebookSession(connection="sc://localhost:1/")
    try:
        shell.user_ns["old"] = old
        shown = run(shell, "old")
        assert shown.error is None
        assert "NotebookSession at 0x" not in shown.stdout
        assert "Spark Connect session: not this notebook's any more" in shown.stdout
        assert f"Session  {old.session_id}" in shown.stdout
        bundle, _ = shell.display_formatter.format(old)
        assert "sparkconnect-session" in bundle["text/html"]
        assert "`%spark status`" not in bundle["text/html"]  # code as code
        old.mark_ended()
        assert "Spark Connect session: ended" in run(shell, "old").stdout
    finally:
        shell.user_ns.pop("old", None)
        # Closed, or pyspark's exit hook would try to reach the server that is not there.
        old.__dict__["_sparkconnect_client"].close()
