"""The control panel without a browser: its widget model's state and actions on a real IPython
shell against a real server, its cancel endpoint, its threads (none left once closed or
replaced), the text fallback in a terminal, and live updates from a real Jupyter kernel while
another cell runs (and none while the panel is hidden)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

import sparkconnect
from drive.kernels import Kernel
from drive.waiting import wait_until
from sparkconnect import _core
from sparkconnect.notebook.lazy import LazySpark
from sparkconnect.notebook.magics import SparkConnect
from sparkconnect.notebook.panel import LIVE, open_panel
from sparkconnect.notebook.panel.controller import Panel
from sparkconnect.notebook.panel.refresher import Presence, Refresher
from sparkconnect.notebook.panel.widget import PanelWidget
from sparkconnect.session.binding import KERNEL_SESSION
from tests.support.helpers import run

SLEEPING_JOB = (
    "spark.range(0, {tasks}, 1, {tasks})"
    ".selectExpr(\"reflect('java.lang.Thread', 'sleep', cast({ms} as bigint))\").collect()"
)


def panel_threads() -> set[str]:
    """The panel's threads, by name: its refresher, its cancel endpoint, and (once it asked the
    Spark UI) the UI's asker."""
    names = {t.name for t in threading.enumerate() if t.name.startswith("sparkconnect-panel")}
    return {name.split("_", 1)[0] for name in names}


def open_rich_panel(shell: InteractiveShell) -> tuple[Panel, PanelWidget]:
    """The panel as a Jupyter kernel would show it; its comm goes nowhere on a plain shell, so
    the test plays the front end by calling the message handler."""
    magics = next(c for c in shell.configurables if isinstance(c, SparkConnect))
    widget = open_panel(shell, magics.progress_bar.ledger, rich=True)
    assert isinstance(widget, PanelWidget)
    return LIVE[-1], widget


def sender(panel: Panel, widget: PanelWidget) -> Callable[..., None]:
    def send(**content: Any) -> None:
        panel._on_msg(widget, content, [])

    return send


def post(url: str, body: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_refresher_works_only_while_a_visible_view_looks() -> None:
    ticks: list[float] = []
    presence = Presence()
    refresher = Refresher(lambda: ticks.append(time.monotonic()), presence)
    refresher.start()
    try:
        time.sleep(1.2)
        assert ticks == [], "refreshed with no view"
        presence.seen("v1", visible=True)
        wait_until(lambda: len(ticks) >= 2, 5, "a visible view is refreshed")
        presence.seen("v1", visible=False)
        time.sleep(0.6)  # a tick under way may finish
        hidden = len(ticks)
        time.sleep(1.5)
        assert len(ticks) == hidden, "refreshed while the tab was hidden"
        # A running cell keeps a visible view refreshed even when its messages wait.
        presence.seen("v1", visible=True)
        presence.cell_running = True
        wait_until(lambda: len(ticks) >= hidden + 2, 5, "refreshed during a cell")
        presence.gone("v1")
        time.sleep(0.6)
        gone = len(ticks)
        time.sleep(1.2)
        assert len(ticks) == gone, "refreshed after the view went"
    finally:
        refresher.stop()
    assert not refresher.thread.is_alive()


def test_text_fallback_in_a_terminal(shell: InteractiveShell, home: Path) -> None:
    shown = run(shell, "%spark panel")
    assert shown.error is None
    text = shown.texts[0]
    assert text.startswith("Spark Connect server: stopped")
    assert "The live panel needs a Jupyter front end" in text
    assert "`%spark jobs`" in text
    assert "sparkconnect-status" in shown.htmls[0]
    # The Python API: the same card, since this shell is no Jupyter kernel.
    assert "The live panel needs a Jupyter front end" in repr(sparkconnect.panel())
    assert not panel_threads()


def test_cancel_endpoint_refuses_what_is_not_a_cancel(shell: InteractiveShell, home: Path) -> None:
    from sparkconnect.notebook.panel.cancel_endpoint import CancelEndpoint

    asked: list[str] = []
    endpoint = CancelEndpoint(lambda op: (asked.append(op) is None, "Cancelled."))
    url = f"http://127.0.0.1:{endpoint.port}"
    try:
        assert post(f"{url}/cancel", {"secret": "guess", "operation": "x"})[0] == 403
        assert post(f"{url}/other", {"secret": endpoint.secret, "operation": "x"})[0] == 404
        status, answer = post(f"{url}/cancel", {"operation": "x"})
        assert status == 400 and "secret" in answer["message"]
        assert asked == []
        assert post(f"{url}/cancel", {"secret": endpoint.secret, "operation": "op-1"}) == (
            200,
            {"ok": True, "message": "Cancelled."},
        )
        assert asked == ["op-1"]
    finally:
        endpoint.close()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", endpoint.port), 1):
        pass


@pytest.mark.compat
@pytest.mark.jvm
def test_panel_model_state_and_actions(
    shell: InteractiveShell, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A kernel started by JupyterLab: named after its notebook, and Jupyter's proxy reaches the
    # panel's cancel endpoint.
    monkeypatch.setenv("JPY_SESSION_NAME", str(home.parent / "work" / "analysis.ipynb"))
    panel, widget = open_rich_panel(shell)
    send = sender(panel, widget)
    assert widget.server["state"] == "stopped"
    assert widget.server["attached"] == []
    assert widget.cancel["url"] == f"/proxy/{panel.endpoint.port}/cancel"  # type: ignore[union-attr]
    assert panel_threads() == {"sparkconnect-panel", "sparkconnect-panel-cancel"}
    # A visible view says so every 5 s, as panel.js does.
    looking = threading.Event()
    pinger = threading.Thread(target=keep_looking, args=(send, looking))
    pinger.start()
    try:
        _use_the_panel(shell, home, panel, widget, send)
    finally:
        looking.set()
        pinger.join()


def keep_looking(send: Callable[..., None], stop: threading.Event) -> None:
    while not stop.is_set():
        send(type="presence", view="v1", visible=True)
        stop.wait(5)


def _use_the_panel(
    shell: InteractiveShell,
    home: Path,
    panel: Panel,
    widget: PanelWidget,
    send: Callable[..., None],
) -> None:

    # Conf rows are checked as they are typed, each saying where it applies.
    send(
        type="conf-draft",
        seq=7,
        rows=[
            {"key": "spark.executor.memory", "value": "2g", "scope": "auto"},
            {"key": "spark.sql.shuffle.partitions", "value": "8", "scope": "auto"},
            {"key": "spark.sql.shuffle.partitions", "value": "8", "scope": "server"},
            {"key": "spark.bad key", "value": "1", "scope": "auto"},
            {"key": "spark.executor.cores", "value": "", "scope": "auto"},
            {"key": "executor.memory", "value": "2g", "scope": "auto"},
            {"key": "spark.sql.warehouse.dir", "value": "/w", "scope": "session"},
            {"key": "", "value": "", "scope": "auto"},
        ],
    )
    assert widget.conf_checks["seq"] == 7
    checks = [(c["state"], c["applies"], c["message"]) for c in widget.conf_checks["checks"]]
    assert checks[0] == ("ok", "server", "")
    assert checks[1] == ("ok", "session", "")
    assert checks[2] == ("ok", "server", "")  # a runtime conf may be saved for the server too
    assert checks[3][0] == "invalid" and "whitespace" in checks[3][2]
    assert checks[4][0] == "invalid" and "needs a value" in checks[4][2]
    assert checks[5][0] == "invalid" and "start with `spark.`" in checks[5][2]
    assert checks[6][0] == "invalid" and "next start" in checks[6][2]
    assert checks[7][0] == "empty"
    # An invalid row is never saved.
    send(type="conf-apply", rows=[{"key": "spark.bad key", "value": "1", "scope": "auto"}])
    assert widget.message["level"] == "error" and "Nothing was saved" in widget.message["text"]
    assert _core.load_conf(str(home)) == {}

    # Start: what `%spark start` does (binds `spark`), and the state turns running.
    send(type="action", name="start")
    assert widget.busy == ""
    assert widget.message["level"] == "info", widget.message
    assert "Spark Connect server started" in widget.message["text"]
    assert "sparkconnect-start" in widget.message["html"]
    assert shell.user_ns["spark"] is KERNEL_SESSION.current is not None
    state = widget.server
    assert state["state"] == "running" and state["session"]
    assert state["attached"] == [
        {"name": "analysis.ipynb", "title": str(home.parent / "work/analysis.ipynb"), "me": True}
    ]
    rows = dict(state["rows"])
    assert rows["Spark"].startswith("4.") and rows["Master"] == "local[*]"
    assert rows["Memory"].endswith("MiB resident (server JVM)")
    assert "token=…" in rows["URL"]

    # Apply: server rows are saved for the next start, runtime rows set on the session now.
    send(
        type="conf-apply",
        rows=[
            {"key": "spark.executor.memory", "value": "2g", "scope": "auto"},
            {"key": "spark.sql.shuffle.partitions", "value": "7", "scope": "auto"},
        ],
    )
    assert widget.message["level"] == "info", widget.message
    assert _core.load_conf(str(home)) == {"spark.executor.memory": "2g"}
    assert KERNEL_SESSION.current.conf.get("spark.sql.shuffle.partitions") == "7"  # type: ignore[union-attr]
    assert widget.conf_rows["rows"] == [
        {"key": "spark.executor.memory", "value": "2g", "scope": "server"},
        {"key": "spark.sql.shuffle.partitions", "value": "7", "scope": "session"},
    ]
    assert "2g after restart" in widget.conf_plan_html
    # A session conf Spark refuses (one the value check does not know): one sentence, without
    # Spark's codes or stack, and its row stays for correction.
    refused = {"key": "spark.sql.files.maxRecordsPerFile", "value": "many", "scope": "session"}
    send(
        type="conf-apply",
        rows=[{"key": "spark.executor.memory", "value": "2g", "scope": "auto"}, refused],
    )
    assert widget.message["level"] == "error", widget.message
    # After the key, Spark's own sentence, which its releases word differently (4.3: "The value
    # 'many' in the config ... is invalid. It should be a/an 'long' value."; 4.0: "... should be
    # long, but was many").
    text = widget.message["text"]
    assert text.startswith("spark.sql.files.maxRecordsPerFile=many was not applied: "), text
    assert "'long'" in text or "should be long" in text, text
    for noise in ("\n", "[", "INVALID_CONF_VALUE", "JVM stacktrace", "SparkConnectGrpcException"):
        assert noise not in text, noise
    assert refused in widget.conf_rows["rows"]

    # Logs follow the server log live, and filter by level and text.
    marker = f"panel kernel test {uuid.uuid4().hex[:8]}"
    with open(_core.status(str(home)).log_path, "a") as log:
        log.write(f"26/12/01 10:00:00 WARN PanelTest: {marker}\n")
    wait_until(
        lambda: ["WARN", f"26/12/01 10:00:00 WARN PanelTest: {marker}"] in widget.log["lines"],
        # Refreshed every 0.5 s; the margin is for a machine busy with other JVMs (a full run
        # once took longer than 10 s here).
        30,
        "the appended line shows",
    )
    send(type="logs", level="ERROR", grep="")
    assert all(level in ("ERROR", "FATAL") for level, _ in widget.log["lines"])
    send(type="logs", level="", grep=marker.upper())
    assert [text for _, text in widget.log["lines"]] == [
        f"26/12/01 10:00:00 WARN PanelTest: {marker}"
    ]
    send(type="logs", level="", grep="")

    # Jobs: a long query shows running; the endpoint cancels exactly it.
    outcome: list[BaseException] = []

    def query() -> None:
        try:
            shell.user_ns["spark"].range(0, 60, 1, 60).selectExpr(
                "reflect('java.lang.Thread', 'sleep', cast(1000 as bigint))"
            ).collect()
        except Exception as err:
            outcome.append(err)

    worker = threading.Thread(target=query)
    worker.start()
    running = lambda: [r for r in widget.jobs.get("rows", []) if r["status"] == "running"]  # noqa: E731
    wait_until(running, 120, "the query shows as running")
    operation = running()[0]["operation_id"]
    url = f"http://127.0.0.1:{panel.endpoint.port}/cancel"  # type: ignore[union-attr]
    assert post(url, {"secret": "not the secret", "operation": operation})[0] == 403
    assert post(url, {"secret": widget.cancel["secret"], "operation": "someone-else"}) == (
        200,
        {"ok": False, "message": "Not an operation of this notebook: not cancelled."},
    )
    began = time.monotonic()
    status, answer = post(url, {"secret": widget.cancel["secret"], "operation": operation})
    assert (status, answer) == (200, {"ok": True, "message": "Cancelled."})
    worker.join(60)
    assert time.monotonic() - began < 30
    assert outcome and "OPERATION_CANCELED" in str(outcome[0])
    wait_until(
        lambda: any(
            r["operation_id"] == operation and r["status"] == "cancelled"
            for r in widget.jobs["rows"]
        ),
        10,
        "the row says cancelled",
    )
    table = run(shell, "%spark jobs").texts[0]
    assert "✖ cancelled" in table and "(no cell: code run outside a cell)" in table

    # Stop for everyone, then a start that fails opens the Logs tab with the lines that explain.
    send(type="action", name="stop-all")
    assert "Spark Connect server stopped" in widget.message["text"]
    assert widget.server["state"] == "stopped" and _core.status(str(home)).server is None
    assert isinstance(shell.user_ns["spark"], LazySpark)
    send(type="tab", tab="status")
    send(type="conf-apply", rows=[{"key": "spark.master", "value": "nope://x", "scope": "auto"}])
    send(type="action", name="start")
    assert widget.message["level"] == "error"
    assert "sparkconnect-start-failure" in widget.message["html"]
    assert "StartError: the Spark Connect server did not start" in widget.message["text"]
    assert widget.tab == "logs"
    assert any(
        "Master must either be yarn or start with spark, k8s, or local" in text
        for _, text in widget.log["lines"]
    )

    # A new panel retires this one; closing that one leaves no thread behind.
    port = panel.endpoint.port  # type: ignore[union-attr]
    second, _ = open_rich_panel(shell)
    assert [second] == LIVE
    assert panel._closed and not panel.refresher.thread.is_alive()
    assert panel_threads() <= {
        "sparkconnect-panel",
        "sparkconnect-panel-cancel",
        "sparkconnect-panel-ui",
    }
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), 1):
        pass
    second.widget.close()
    assert not panel_threads()


@pytest.mark.jvm
def test_live_updates_from_a_real_kernel_while_a_cell_runs(home: Path) -> None:
    kernel = Kernel({"SPARKCONNECT_HOME": str(home)})
    try:
        assert kernel.run("%load_ext sparkconnect\n%spark start").status == "ok"
        shown = kernel.run("%spark panel")
        mime = "application/vnd.jupyter.widget-view+json"
        view = next(o for o in shown.outputs if mime in o.data)
        assert "Spark Connect control panel (server: running)" in view.data["text/plain"]
        model = view.data[mime]["model_id"]

        def tell(content: dict[str, Any]) -> None:
            data = {"method": "custom", "content": content}
            message = kernel.client.session.msg("comm_msg", {"comm_id": model, "data": data})
            kernel.client.shell_channel.send(message)

        def updates_during(code: str) -> list[dict[str, Any]]:
            """State updates of the panel's model while `code` runs."""
            seen: list[dict[str, Any]] = []

            def collect(message: dict[str, Any]) -> None:
                content = message["content"]
                if message["msg_type"] == "comm_msg" and content.get("comm_id") == model:
                    seen.append(content["data"].get("state", {}))

            reply = kernel.client.execute_interactive(code, timeout=60, output_hook=collect)
            assert reply["content"]["status"] == "ok"
            return seen

        tell({"type": "presence", "view": "test", "visible": True})
        during = updates_during("import time; time.sleep(3.5)")
        # The cell keeps the kernel busy; the panel's thread still sends the uptime each second.
        uptimes = {dict(s["server"]["rows"])["Uptime"] for s in during if "server" in s}
        assert len(uptimes) >= 2, during
        assert any(s.get("kernel_busy") is True for s in during)

        tell({"type": "presence", "view": "test", "visible": False})
        kernel.run("time.sleep(1)")  # handled by now, and a refresh under way has ended
        quiet = updates_during("time.sleep(3)")
        assert not [s for s in quiet if "server" in s], "updates while the tab was hidden"

        # Re-running the panel closes the old one's comm and threads; unloading closes all.
        names = "import threading; print(sorted(t.name for t in threading.enumerate()))"
        kernel.run("%spark panel")
        threads = kernel.run(names).text
        assert threads.count("'sparkconnect-panel'") == 1, threads  # one refresher
        assert "sparkconnect-panel-cancel" not in threads  # no proxy here: no endpoint
        kernel.run("%unload_ext sparkconnect")
        assert "sparkconnect-panel" not in kernel.run(names).text
    finally:
        kernel.run("import sparkconnect; sparkconnect.stop(force=True)")
        kernel.shutdown()
