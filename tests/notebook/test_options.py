"""Options (traitlets), help, the UI link rules, and what each renders to, without a server."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.notebook.progress import CellRun, final_bundle, running_bundle
from sparkconnect.render.display import human_bytes
from sparkconnect.render.jobs_ledger import OperationLedger
from sparkconnect.server import uilink
from tests.support.helpers import run

SUBCOMMANDS = ("start", "stop", "restart", "status", "ui", "logs", "conf", "profiles", "progress")


def magics_of(shell: InteractiveShell) -> object:
    return next(c for c in shell.configurables if type(c).__name__ == "SparkConnect")


def test_help_explains_every_subcommand_with_examples(shell: InteractiveShell, home: Path) -> None:
    shown = run(shell, "%spark help").stdout
    for command in (*SUBCOMMANDS, "help"):
        assert f"%spark {command}" in shown
    assert "%%spark sql [-o NAME] [-n ROWS]" in shown
    assert shown.count("Example:") >= 7
    for option in ("default_profile", "autostart", "progress", "max_rows", "idle_timeout"):
        assert option in shown
    docstring = shell.find_cell_magic("spark").__doc__
    assert docstring == shell.find_line_magic("spark").__doc__
    logs = "%spark logs [-n LINES] [--level LEVEL] [--grep TEXT] [-f|--follow [SECONDS]]"
    assert logs in docstring


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("max_rows = 0", "max_rows must be at least 1"),
        ("idle_timeout = -1", "idle_timeout must be a positive number"),
        ("start_timeout = 0", "start_timeout must be a positive number"),
        ("ui_url = 'http://x/'", "must contain {port}"),
        ("ui_url = 'http://x/{host}'", "is not a valid template"),
    ],
)
def test_bad_option_values_are_refused(
    shell: InteractiveShell,
    home: Path,
    assignment: str,
    expected: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    magics = magics_of(shell)
    before = {n: getattr(magics, n) for n in ("max_rows", "idle_timeout", "ui_url")}
    run(shell, f"%config SparkConnect.{assignment}")  # IPython logs the error
    assert expected in caplog.text
    assert {n: getattr(magics, n) for n in before} == before
    # The shell keeps the bad value for the next load, which must still work.
    shell.extension_manager.unload_extension("sparkconnect")
    try:
        shown = run(shell, "%load_ext sparkconnect")
    finally:
        shell.config.SparkConnect.pop(assignment.split()[0], None)
    assert shown.error is None, shown.shown
    assert "ignoring the SparkConnect options" in shown.stdout and expected in shown.stdout
    assert shell.find_line_magic("spark") is not None


def test_options_reach_the_magics(shell: InteractiveShell, home: Path) -> None:
    magics = magics_of(shell)
    try:
        run(shell, "%config SparkConnect.progress = False")
        assert magics.progress_bar.enabled is False  # type: ignore[attr-defined]
        assert "on" in run(shell, "%spark progress on").stdout
        assert magics.progress is True  # type: ignore[attr-defined]
        assert "are on" in run(shell, "%spark progress").stdout
        run(shell, "%config SparkConnect.progress_summary = False")
        assert magics.progress_bar.keep_summary is False  # type: ignore[attr-defined]
        run(shell, "%config SparkConnect.idle_timeout = 600")
        assert magics.idle_timeout == 600  # type: ignore[attr-defined]
    finally:
        for name in ("progress", "progress_summary", "idle_timeout"):
            shell.config.SparkConnect.pop(name, None)


def test_unload_removes_the_hooks(home: Path) -> None:
    ip = InteractiveShell.instance()
    ip.user_ns.pop("spark", None)
    callbacks = {e: list(ip.events.callbacks[e]) for e in ("pre_run_cell", "post_run_cell")}
    exceptions = ip.custom_exceptions  # type: ignore[attr-defined]
    mimebundle = ip.display_formatter.mimebundle_formatter  # type: ignore[union-attr]
    ip.extension_manager.load_extension("sparkconnect")
    assert ip.find_cell_magic("spark") is not None
    assert ("pyspark.sql.connect.dataframe", "DataFrame") in mimebundle.deferred_printers
    ip.extension_manager.unload_extension("sparkconnect")
    assert ip.find_cell_magic("spark") is None and ip.find_line_magic("spark") is None
    assert ("pyspark.sql.connect.dataframe", "DataFrame") not in mimebundle.deferred_printers
    assert {e: list(ip.events.callbacks[e]) for e in callbacks} == callbacks
    assert ip.custom_exceptions == exceptions  # type: ignore[attr-defined]


def test_ui_url_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(uilink.HUB_PREFIX_ENV, raising=False)
    monkeypatch.delenv(uilink.SESSION_ENV, raising=False)
    monkeypatch.delenv(uilink.UI_PROXY_ENV, raising=False)
    monkeypatch.delenv(uilink.UI_ADDRESS_ENV, raising=False)
    template = ""  # SparkConnect.ui_url unset
    monkeypatch.setattr(uilink, "server_proxy_installed", lambda: True)
    # The UI refuses unsigned requests: neither its port nor jupyter-server-proxy's port route
    # (which passes requests on unsigned) is a link worth giving.
    assert uilink.spark_ui_url(4040, template) == ""
    monkeypatch.setenv(uilink.SESSION_ENV, "work/analysis.ipynb")
    monkeypatch.setenv(uilink.HUB_PREFIX_ENV, "/user/bob/")
    assert uilink.spark_ui_url(4040, template) == ""
    assert "sparkconnect ui" in uilink.HOW_TO_OPEN
    # Our Jupyter server extension's address: it signs.
    monkeypatch.setenv(uilink.UI_PROXY_ENV, "/user/bob/sparkui/")
    assert uilink.spark_ui_url(4040, template) == "/user/bob/sparkui/jobs/"
    # Text in a terminal has no page to be relative to: the Jupyter server's own address.
    assert uilink.spark_ui_url(4040, template, absolute=True) == "/user/bob/sparkui/jobs/"
    monkeypatch.setenv(uilink.UI_ADDRESS_ENV, "http://127.0.0.1:8888/sparkui/")
    assert (
        uilink.spark_ui_url(4040, template, absolute=True) == "http://127.0.0.1:8888/sparkui/jobs/"
    )
    assert uilink.spark_ui_url(4040, template) == "/user/bob/sparkui/jobs/"
    template = "https://x.example/{port}/jobs/"
    assert uilink.spark_ui_url(4040, template) == "https://x.example/4040/jobs/"


class Stage:
    def __init__(self, stage_id: int, tasks: int, completed: int, done: bool) -> None:
        self.stage_id, self.num_tasks, self.num_completed_tasks = stage_id, tasks, completed
        self.num_bytes_read, self.done = 3 * 2**20, done


def test_progress_rendering() -> None:
    # The handler's inputs normally come from the server; here they are fixed to check the
    # wording exactly.
    ledger = OperationLedger()
    ledger.cell_started("")
    run_ = CellRun(thread=0)

    def report(operation: str, stages: list[Stage], running: int) -> None:
        reported = ledger.report(operation, stages, running, done=False)
        assert reported is not None
        run_.update(reported)

    report("op1", [Stage(0, 8, 8, True), Stage(1, 4, 1, False)], running=2)
    bundle = running_bundle(run_)
    assert (
        "[##################------]  75% · stages 1/2 · tasks 9/12 · 2 running · 6.0 MiB read"
        in (bundle["text/plain"])
    )
    assert "width:75.0%" in bundle["text/html"]
    cancelled = final_bundle(run_, "cancelled")["text/plain"]
    assert cancelled.startswith("✖ Spark job cancelled after") and "tasks 9/12" in cancelled
    report("op2", [Stage(2, 2, 0, False)], running=0)
    for operation in ledger.complete(run_.operations):
        run_.update(operation)
    done = final_bundle(run_, "done")
    assert done["text/plain"].startswith("✔ Spark: 2 queries · 3 stages · 14 tasks · 9.0 MiB read")
    assert "data-state='done'" in done["text/html"]
    assert [human_bytes(n) for n in (0, 1023, 1536, 5 * 2**30)] == [
        "0 B",
        "1023 B",
        "1.5 KiB",
        "5.0 GiB",
    ]
