"""The one check of conf values (server/conf_values.py) without a JVM: what it accepts and refuses
for each kind of key, that every place which saves a conf asks it, and that a start with a value
it refuses is turned down before anything launches (the restart that keeps the running server:
tests/server/test_start_failure.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.render.start_failure import StartFailure
from sparkconnect.server import conf_keys, conf_rows, conf_values, lifecycle
from sparkconnect.web import conf as web_conf
from tests.support.helpers import cli, run

BAD = "spark.executor.memory=lots"


@pytest.mark.parametrize(
    ("key", "good", "bad", "said"),
    [
        (
            "spark.executor.memory",
            ["4g", "512m", "2048", "1G", "3gb"],
            ["lots", "4 g", "1.5g", "0"],
            "size",
        ),
        ("spark.sql.autoBroadcastJoinThreshold", ["-1", "10m", "0"], ["big", "1.5m"], "size"),
        ("spark.sql.execution.arrow.maxRecordsPerBatch", ["0", "-1", "10000"], ["all"], ""),
        ("spark.sql.shuffle.partitions", ["8", " 200 "], ["abc", "0", "1.5"], ""),
        ("spark.executor.instances", ["0", "3"], ["-1", "three"], ""),
        ("spark.memory.fraction", ["0.6", "1"], ["0", "1.5", "most"], ""),
        ("spark.sql.adaptive.enabled", ["true", "FALSE"], ["yes", "1"], "true or false"),
        ("spark.network.timeout", ["120s", "2min", "500ms", "120"], ["soon", "1.5s"], "duration"),
        ("spark.scheduler.mode", ["FAIR", "fifo"], ["fast"], "FIFO, FAIR"),
    ],
)
def test_each_kind_of_value_is_checked(
    key: str, good: list[str], bad: list[str], said: str
) -> None:
    for value in good:
        assert conf_values.problem(key, value) == "", value
    for value in bad:
        problem = conf_values.problem(key, value)
        assert problem.startswith(f"{key}={value} "), problem
        assert said in problem


def test_only_keys_the_completion_list_knows_are_checked() -> None:
    known = {key for key, _ in conf_keys.known()}
    assert set(conf_values.RULES) <= known
    assert conf_values.problem("spark.some.plugin.setting", "anything") == ""


def test_every_place_that_saves_refuses_a_bad_value(shell: InteractiveShell, home: Path) -> None:
    _core.save_conf(str(home), {"spark.executor.cores": "2"})
    # %spark conf K=V
    result = run(shell, f"%spark conf {BAD}")
    assert isinstance(result.error, UsageError)
    assert "spark.executor.memory=lots is not a size" in str(result.error)
    assert "e.g. 4g" in str(result.error)
    # sparkconnect conf K=V: a usage error, one paragraph
    done = cli("conf", BAD)
    assert done.returncode == 2, done.stderr
    assert "spark.executor.memory=lots is not a size" in done.stderr
    assert "Traceback" not in done.stderr
    # The conf editors' rows (panel and sidebar): marked as typed, and not saved.
    rows = [{"key": "spark.executor.memory", "value": "lots", "scope": "auto"}]
    check = conf_rows.check(conf_rows.parse(rows))[0]
    assert check.state == "invalid"
    assert "spark.executor.memory=lots is not a size" in check.message
    assert web_conf.save({"rows": rows, "profile": ""})["ok"] is False
    assert _core.load_conf(str(home)) == {"spark.executor.cores": "2"}


def test_a_session_conf_is_marked_as_it_is_typed() -> None:
    rows = [
        {"key": "spark.sql.shuffle.partitions", "value": "abc", "scope": "auto"},
        {"key": "spark.sql.shuffle.partitions", "value": "8", "scope": "server"},
    ]
    typed, fixed = conf_rows.check(conf_rows.parse(rows))
    assert (typed.state, typed.applies) == ("invalid", "session")
    assert "spark.sql.shuffle.partitions=abc is not a whole number" in typed.message
    assert fixed.state == "ok"


def test_a_start_with_a_saved_bad_value_is_refused_naming_the_fix(
    shell: InteractiveShell, home: Path
) -> None:
    # Saved before the check existed (or by hand): the start refuses it before launching.
    _core.save_conf(str(home), {"spark.executor.memory": "lots"})
    result = run(shell, "%spark start")
    assert isinstance(result.error, _core.StartError)
    assert result.error.cause == lifecycle.BAD_CONF
    text = result.texts[0]
    assert text.startswith("Spark Connect server did not start")
    assert "The server was not started: spark.executor.memory=lots is not a size" in text
    steps = text.split("What to do:")[1]
    assert "spark.executor.memory=lots is in the saved conf: `%spark conf --unset " in steps
    assert "spark.executor.memory`" in steps
    assert "sparkconnect-start-failure" in result.htmls[0]
    done = cli("start")
    assert done.returncode == 1, done.stderr
    assert "sparkconnect conf --unset spark.executor.memory" in done.stderr
    assert "Traceback" not in done.stderr
    # A bad value on the start's line is named as such, and never saved.
    _core.save_conf(str(home), {})
    result = run(shell, "%spark start --conf spark.sql.shuffle.partitions=abc")
    assert isinstance(result.error, _core.StartError)
    assert "spark.sql.shuffle.partitions=abc was given on this start's line" in result.texts[0]
    assert _core.load_conf(str(home)) == {}
    assert not java_servers_of(home)


def test_the_failure_card_names_a_refused_value_the_log_does_not(home: Path) -> None:
    # Spark's own words for spark.executor.memory=lots name neither the key nor the value.
    _core.save_conf(str(home), {"spark.executor.memory": "lots", "spark.executor.cores": "2"})
    failure = StartFailure(
        "The server exited.\nLast lines of /h/server.log:\n"
        "    ERROR Executor memory must be a positive number",
        "exited",
        lifecycle.plan(),
    )
    [step] = failure.steps()
    assert step.startswith("spark.executor.memory=lots is in the saved conf")
    assert "conf --unset spark.executor.memory" in step
