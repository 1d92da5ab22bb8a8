"""The REST API behind the JupyterLab face, on a real Jupyter server with a real Spark Connect
server: Jupyter's own authentication guards it, a waiting page hears of a change made anywhere
within a second, and Start / Stop / Restart, the conf editor, the log and the jobs answer as
the magics and the terminal command do."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sparkconnect import _core
from tests.support.helpers import cli
from tests.support.jupyterlab import JupyterLab
from tests.support.lab_api import call, ok
from tests.support.lab_terminal import in_lab_terminal
from tests.support.processes import lock_is_free, server

pytestmark = pytest.mark.jvm

CHANGE_SEEN_WITHIN = 1.0
"""Seconds from a change of the server's state to a waiting page's answer (the issue's bar)."""


@pytest.fixture(scope="module")
def lab(module_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLab]:
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    root.mkdir()
    server = JupyterLab(root, {"SPARKCONNECT_HOME": str(module_home)})
    yield server
    server.stop()


def state(lab: JupyterLab) -> tuple[int, dict[str, Any]]:
    answer = ok(lab, "state")
    return answer["version"], answer["state"]


class Page:
    """A page following the state as the Lab does: long-polls one after another, each answer
    kept with the time it came."""

    def __init__(self, lab: JupyterLab) -> None:
        self.lab = lab
        self.version, _ = state(lab)
        self.seen: list[tuple[float, dict[str, Any]]] = []
        self._closing = False
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()
        time.sleep(0.5)  # in flight, and the watcher running, before any change

    def _follow(self) -> None:
        while not self._closing:
            answer = ok(self.lab, f"state?since={self.version}")
            if answer["version"] != self.version:
                self.version = answer["version"]
                self.seen.append((time.monotonic(), answer["state"]))

    def first(self, wanted: str, seconds: float = 30) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for at, shown in list(self.seen):
                if shown["state"] == wanted:
                    return at, shown
            time.sleep(0.05)
        raise AssertionError(f"never {wanted}: {[s['state'] for _, s in self.seen]}")

    def close(self) -> None:
        self._closing = True  # the last long-poll ends within its wait


def seen_after(lab: JupyterLab, change: Any, wanted: str) -> tuple[dict[str, Any], float]:
    """Make `change` while a page follows the state; (the state the page got, seconds from
    the end of the change to the page seeing `wanted`: negative when it saw it before the
    change's command returned)."""
    page = Page(lab)
    try:
        change()
        done = time.monotonic()
        at, shown = page.first(wanted)
        return shown, at - done
    finally:
        page.close()


def test_the_api_refuses_requests_without_jupyters_token(
    lab: JupyterLab, module_home: Path
) -> None:
    for path, body in (("state", None), ("action", {"name": "start"}), ("conf", None)):
        status, _, _ = call(lab, path, body, token=False)
        assert status == 403, (path, status)
    assert _core.status(str(module_home)).state == "stopped", "a refused start launched anyway"

    # A browser logged in by cookie: its POSTs need Jupyter's XSRF token, and a page of another
    # origin gets nothing.
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(f"{lab.url}/lab?token={lab.token}", timeout=60).read()
    assert any(cookie.name == "_xsrf" for cookie in jar)
    status, answer, headers = call(lab, "state", token=False, opener=browser)
    assert status == 200 and answer["state"]["state"] == "stopped"
    assert headers.get("Access-Control-Allow-Origin") is None
    status, _, _ = call(lab, "action", {"name": "start"}, token=False, opener=browser)
    assert status == 403, "a POST without the XSRF token was served"
    foreign = {"Origin": "http://elsewhere.example"}
    status, _, headers = call(lab, "state", headers=foreign, token=False, opener=browser)
    assert status in (403, 404), status
    assert headers.get("Access-Control-Allow-Origin") is None
    assert _core.status(str(module_home)).state == "stopped"


def test_changes_made_anywhere_reach_a_waiting_page_within_a_second(
    lab: JupyterLab, module_home: Path
) -> None:
    said = ok(lab, "action", {"name": "start"})
    assert said["ok"] and "started" in said["text"], said["text"]
    _, shown = state(lab)
    assert shown["state"] == "running" and shown["ui_url"].endswith("/sparkui/jobs/")
    assert shown["spark_version"] and shown["started_at"]

    _, delay = seen_after(lab, lambda: cli("stop", "--force"), "stopped")
    print(f"terminal stop seen after {delay:.2f} s")
    assert delay < CHANGE_SEEN_WITHIN

    _, delay = seen_after(lab, lambda: cli("start"), "running")
    print(f"terminal start seen after {delay:.2f} s")
    assert delay < CHANGE_SEEN_WITHIN

    jvm = server(module_home).pid
    shown, delay = seen_after(lab, lambda: os.killpg(jvm, signal.SIGKILL), "stopped unexpectedly")
    print(f"killed JVM seen after {delay:.2f} s")
    assert delay < CHANGE_SEEN_WITHIN and "no longer running" in shown["problem"]

    # The watcher reads without the lock: while a page follows, the lock stays free.
    page = Page(lab)
    try:
        for _ in range(20):
            assert lock_is_free(module_home), "the watcher took the server's lock"
            time.sleep(0.05)
    finally:
        page.close()

    # Without a change, a page waits (no busy answers), then gets the same version back.
    version, _ = state(lab)
    began = time.monotonic()
    answer = ok(lab, f"state?since={version}")
    assert answer["version"] == version and time.monotonic() - began > 5


def test_stop_and_restart_keep_an_attached_notebook_unless_forced(
    lab: JupyterLab, module_home: Path, other_notebook: subprocess.Popen[str]
) -> None:
    first = server(module_home).pid
    _, shown = state(lab)
    assert [a["me"] for a in shown["attached"]] == [False]

    said = ok(lab, "action", {"name": "stop"})
    assert said["ok"] and "1 notebook still attached" in said["text"], said["text"]
    said = ok(lab, "action", {"name": "restart"})
    assert not said["ok"] and "attached" in said["text"], said["text"]
    assert server(module_home).pid == first

    said = ok(lab, "action", {"name": "restart-all"})
    assert said["ok"] and "started" in said["text"], said["text"]
    assert server(module_home).pid != first
    # The Jupyter server never stays attached: nobody but the notebook holds a lease.
    assert _core.status(str(module_home)).attached == [other_notebook.pid]

    said = ok(lab, "action", {"name": "stop-all"})
    assert said["ok"] and _core.status(str(module_home)).state == "stopped"


def test_a_start_the_conf_keeps_from_running_shows_its_card_until_one_runs(
    lab: JupyterLab, module_home: Path
) -> None:
    rows = [{"key": "spark.master", "value": "nope", "scope": "auto"}]
    saved = ok(lab, "conf", {"rows": rows})
    assert saved["ok"] and _core.load_conf(str(module_home)) == {"spark.master": "nope"}

    said = ok(lab, "action", {"name": "start"})
    assert not said["ok"] and said["start_failed"]
    assert "did not start" in said["html"] and "spark.master" in said["html"]
    _, shown = state(lab)
    assert shown["state"] == "failed to start" and shown["failure"]["cause"] == "bad-master"

    assert ok(lab, "conf", {"rows": []})["ok"]
    assert _core.load_conf(str(module_home)) == {}
    shown, _ = seen_after(lab, lambda: cli("start"), "running")
    assert shown["failure"] is None


def test_the_conf_editor_checks_saves_and_hands_session_rows_back(
    lab: JupyterLab, module_home: Path
) -> None:
    editor = ok(lab, "conf")
    assert editor["rows"] == [] and "spark.master" in editor["plan_html"]
    assert any(key == "spark.sql.shuffle.partitions" for key, _, _ in editor["known_keys"])

    rows = [
        {"key": "spark.executor.memory", "value": "2g", "scope": "auto"},
        {"key": "spark.sql.shuffle.partitions", "value": "8", "scope": "auto"},
        {"key": "executor.memory", "value": "2g", "scope": "auto"},
    ]
    checks = ok(lab, "conf/check", {"seq": 7, "rows": rows})
    assert checks["seq"] == 7
    assert [c["state"] for c in checks["checks"]] == ["ok", "ok", "invalid"]
    assert [c["applies"] for c in checks["checks"][:2]] == ["server", "session"]

    refused = ok(lab, "conf", {"rows": rows})
    assert not refused["ok"] and _core.load_conf(str(module_home)) == {}
    said = ok(lab, "conf", {"rows": rows[:2]})
    assert said["ok"] and said["session"] == {"spark.sql.shuffle.partitions": "8"}
    assert _core.load_conf(str(module_home)) == {"spark.executor.memory": "2g"}
    again = ok(lab, "conf")
    assert again["rows"] == [{"key": "spark.executor.memory", "value": "2g", "scope": "server"}]
    assert again["version"] != editor["version"]
    ok(lab, "conf", {"rows": []})


def test_the_log_and_the_jobs(
    lab: JupyterLab, module_home: Path, other_notebook: subprocess.Popen[str]
) -> None:
    log = ok(lab, "logs")
    assert log["path"] == str(module_home / "server.log") and len(log["lines"]) > 5
    warnings = ok(lab, "logs?level=WARN")["lines"]
    assert warnings and {level for level, _ in warnings} <= {"WARN", "ERROR", "FATAL"}
    found = ok(lab, "logs?grep=sparkconnectservice")["lines"]
    assert found and all("sparkconnectservice" in text.lower() for _, text in found)

    jobs = ok(lab, "jobs")
    assert jobs["rows"], jobs["notes"]
    assert {row["status"] for row in jobs["rows"]} <= {"succeeded", "running", "finished"}


def test_a_lab_terminal_prints_a_spark_ui_link_that_opens_from_there(
    lab: JupyterLab, module_home: Path
) -> None:
    """The link must not be the page-relative /sparkui/jobs/: a terminal has no page."""
    assert cli("start").returncode == 0
    absolute = re.compile(rf"Spark UI +{re.escape(lab.url)}/sparkui/jobs/\n")
    command = Path(sys.executable).parent / "sparkconnect"
    shown = in_lab_terminal(lab, f"{command} status")
    assert absolute.search(shown), shown
    magics = "ip = get_ipython(); ip.run_line_magic('load_ext', 'sparkconnect'); "
    magics += "ip.run_line_magic('spark', 'status')"
    ipython = f'{sys.executable} -m IPython --no-banner --colors=NoColor -c "{magics}"'
    shown = in_lab_terminal(lab, ipython)
    assert absolute.search(shown), shown
