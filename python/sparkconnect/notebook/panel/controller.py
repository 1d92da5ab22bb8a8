"""One live panel: its widget, the thread that keeps it current, its cancel endpoint, and what
its buttons and fields do."""

from __future__ import annotations

import html
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

from sparkconnect import api
from sparkconnect.errors import ConfError, ProfileError
from sparkconnect.notebook import jobs
from sparkconnect.notebook.panel import actions, snapshot
from sparkconnect.notebook.panel.cancel_endpoint import CancelEndpoint
from sparkconnect.notebook.panel.refresher import Presence, Refresher
from sparkconnect.notebook.panel.widget import PanelWidget
from sparkconnect.render import conf_editor
from sparkconnect.render.jobs_ledger import OperationLedger
from sparkconnect.render.log_feed import LogFeed
from sparkconnect.server import conf_rows, lifecycle, uilink
from sparkconnect.server.spark_rest import UiJob
from sparkconnect.session.binding import KERNEL_SESSION
from sparkconnect.session.start_defaults import START_DEFAULTS
from sparkconnect.values import LOG_LEVELS

STATE_EVERY = 1.0
"""Seconds between two reads of the server's state (uptime moves by the second)."""
UI_EVERY = 1.0
"""Seconds between two questions to the Spark UI while the Jobs tab is open."""
TABS = ("status", "configure", "logs", "jobs", "ui")
ACTIONS = {
    # button -> the %spark line it runs (a profile is added to start and restart)
    "start": ("start",),
    "stop": ("stop",),
    "stop-all": ("stop", "--force"),
    "restart": ("restart",),
}

log = logging.getLogger(__name__)


class Panel:
    def __init__(self, shell: InteractiveShell, ledger: OperationLedger) -> None:
        self.shell = shell
        self.ledger = ledger
        self._lock = threading.RLock()
        """Held by whoever writes the widget's traits: the refresher thread or a handler."""
        self._closed = False
        self._messages = itertools.count(1)
        self._last_state = 0.0
        self._last_ui = 0.0
        self._jobs_version = -1
        self._ui_jobs: list[UiJob] | None = None
        self._ui_notes: list[str] = []
        # The Spark UI is asked on a thread of its own: a busy driver's UI may take seconds to
        # answer, and neither the live state nor the buttons may wait for it.
        self._asker = ThreadPoolExecutor(1, thread_name_prefix="sparkconnect-panel-ui")
        self._asking: Future[tuple[list[UiJob] | None, list[str]]] | None = None
        self._log_path = ""
        self.logs = LogFeed()
        self.presence = Presence()
        self.profile = START_DEFAULTS.profile or ""
        self.widget = PanelWidget(
            on_close=self.close,
            known_keys=conf_editor.known_keys(),
        )
        self.widget.on_msg(self._on_msg)
        self.endpoint = self._endpoint()
        with self._lock:
            self._load_profiles()
            self._load_conf()
            self._refresh_state()
            self._refresh_logs()
            self._refresh_jobs()
        shell.events.register("pre_run_cell", self._cell_starts)
        shell.events.register("post_run_cell", self._cell_ends)
        self.refresher = Refresher(self._tick, self.presence)
        self.refresher.start()

    def _endpoint(self) -> CancelEndpoint | None:
        """A cancel endpoint when the browser can reach loopback ports through Jupyter's
        proxy; without one, Cancel goes through the widget's messages (and waits for a running
        cell, which the Jobs tab says)."""
        endpoint = CancelEndpoint(lambda op: jobs.cancel(self.ledger, op))
        url = uilink.proxied_url(endpoint.port, "cancel")
        if url is None:
            endpoint.close()
            return None
        self.widget.cancel = {"url": url, "secret": endpoint.secret}
        return endpoint

    # Lifetime ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop updating: the thread ends, the endpoint closes, the cell hooks go."""
        if self._closed:
            return
        self._closed = True
        self.refresher.stop()
        self._asker.shutdown(wait=True, cancel_futures=True)
        if self.endpoint is not None:
            self.endpoint.close()
        for event, callback in (
            ("pre_run_cell", self._cell_starts),
            ("post_run_cell", self._cell_ends),
        ):
            if callback in self.shell.events.callbacks[event]:
                self.shell.events.unregister(event, callback)
        self.widget.close()

    def _cell_starts(self, info: object = None) -> None:
        self.presence.cell_running = True
        if self.presence.watched():  # a hidden panel gets nothing; the next refresh catches up
            with self._lock:
                self.widget.kernel_busy = True

    def _cell_ends(self, result: ExecutionResult) -> None:
        self.presence.cell_running = False
        if self.presence.watched():
            # At once rather than at the next refresh: the cell may have started or stopped
            # the server, or run jobs.
            with self._lock:
                self.widget.kernel_busy = False
                self._refresh_state()
                self._refresh_jobs()

    # The refresher's work ---------------------------------------------------------------------
    def _tick(self) -> None:
        if self._closed:
            return
        now = time.monotonic()
        changed = self.ledger.version != self._jobs_version
        wanted = self.widget.tab == "jobs" or changed or self.ledger.running()
        if self._asking is None and wanted and now - self._last_ui >= UI_EVERY:
            self._last_ui = now
            self._asking = self._asker.submit(jobs.ask_ui)
        asked = None
        if self._asking is not None and self._asking.done():
            asked, self._asking = self._asking.result(), None
        with self._lock:
            if self._closed:
                return
            with self.widget.hold_sync():
                self.widget.kernel_busy = self.presence.cell_running
                if now - self._last_state >= STATE_EVERY:
                    self._refresh_state()
                # The log is followed whichever tab is open: the front end's tab switches wait
                # while a cell runs, and reading what was appended costs next to nothing.
                self._refresh_logs()
                if asked is not None:
                    self._ui_jobs, self._ui_notes = asked
                if asked is not None or changed:
                    self._refresh_jobs()

    def _refresh_state(self) -> None:
        self._last_state = time.monotonic()
        status = lifecycle.status()
        self._log_path = status.log_path
        self.widget.server = snapshot.server_state(status)

    def _refresh_logs(self) -> None:
        if self.logs.poll(self._log_path) or not self.widget.log:
            self.widget.log = self.logs.state()

    def _refresh_jobs(self) -> None:
        """Rows from the ledger, completed with the Spark UI's last answer."""
        self._jobs_version = self.ledger.version
        found = jobs.rows(self.ledger, self._ui_jobs)
        notes = list(self._ui_notes)
        if self.endpoint is None:
            notes.append(
                "Cancel reaches this kernel through the widget's messages, which wait while a "
                "cell runs (with jupyter-server-proxy it would get through at once); "
                "interrupting the kernel cancels all of this notebook's jobs now."
            )
        self.widget.jobs = {
            "rows": [row.as_dict() for row in found],
            "notes": notes,
            "running": sum(1 for row in found if row.running),
        }

    # Configure --------------------------------------------------------------------------------
    def _load_profiles(self) -> None:
        choices = conf_editor.profile_choices()
        self.widget.profiles_error = choices.error
        self.widget.profiles = choices.profiles
        if self.profile not in {p["name"] for p in choices.profiles}:
            self.profile = choices.default
        self.widget.profile = self.profile

    def _load_conf(self, session_items: dict[str, str] | None = None) -> None:
        """The editor's rows: the saved conf (for the next start) and what this panel applied to
        the session; and the `%spark conf` card of what the next start would apply."""
        rows = conf_editor.rows(lifecycle.pending_conf(), session_items)
        version = int(self.widget.conf_rows.get("version", 0)) + 1
        self.widget.conf_rows = {"rows": rows, "version": version}
        self._plan_card()

    def _plan_card(self) -> None:
        try:
            plan = KERNEL_SESSION.plan(profile=self.profile or None)
            self.widget.conf_plan_html = conf_editor.plan_html(plan)
        except (ProfileError, ConfError) as err:
            self.widget.conf_plan_html = ""
            self.widget.profiles_error = str(err)

    def _check(self, content: dict[str, Any]) -> None:
        rows = conf_rows.parse(content.get("rows"))
        self.widget.conf_checks = {
            "seq": content.get("seq", 0),
            "checks": [check.as_dict() for check in conf_rows.check(rows)],
        }

    def _apply_conf(self, content: dict[str, Any]) -> None:
        rows = conf_rows.parse(content.get("rows"))
        if any(check.state == "invalid" for check in conf_rows.check(rows)):
            text = conf_rows.NOT_SAVED
            self._say(actions.Outcome(False, f"<div>{text}</div>", text))
            return
        server, session = conf_rows.split(rows)
        outcome = None
        if server != lifecycle.pending_conf():
            items = [f"{k}={v}" for k, v in server.items()]
            outcome = actions.run_magic(self.shell, actions.command_line("conf", "--reset", *items))
        result = api.apply_session_conf(session)
        if outcome is None or not result.ok:
            level = "" if result.ok else " class='spc-error-text'"
            shown = f"<div{level}>{html.escape(result.text)}</div>"
            before = outcome.html if outcome else ""
            outcome = actions.Outcome(result.ok, before + shown, result.text)
        self._say(outcome)
        # A row Spark refused stays for correction, with those after it that were not applied.
        self._load_conf(result.applied if result.ok else session)

    # Messages from the front end --------------------------------------------------------------
    def _on_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if self._closed or not isinstance(content, dict):
            return
        try:
            self._handle(content)
        except Exception as err:
            # Only the kernel's log would see it otherwise: say it where the click was.
            log.debug("panel message %r failed", content.get("type"), exc_info=True)
            text = actions.error_text(err)
            with self._lock:
                self._say(actions.Outcome(False, f"<div>{html.escape(text)}</div>", text))

    def _handle(self, content: dict[str, Any]) -> None:
        kind = content.get("type")
        if kind == "presence":
            self.presence.seen(str(content.get("view")), bool(content.get("visible")))
        elif kind == "gone":
            self.presence.gone(str(content.get("view")))
        elif kind == "tab" and content.get("tab") in TABS:
            with self._lock:
                self.widget.tab = content["tab"]
                self._last_ui = 0.0  # show fresh data at once
        elif kind == "action" and content.get("name") in ACTIONS:
            self._act(str(content["name"]))
        elif kind == "profile":
            with self._lock:
                self.profile = str(content.get("name") or "")
                self.widget.profile = self.profile
                self._plan_card()
        elif kind == "conf-draft":
            with self._lock:
                self._check(content)
        elif kind == "conf-apply":
            self._busy("conf", lambda: self._apply_conf(content))
        elif kind == "logs":
            level = str(content.get("level") or "").upper()
            with self._lock:
                self.logs.set_filter(
                    level if level in LOG_LEVELS else None, str(content.get("grep") or "") or None
                )
                self._refresh_logs()
        elif kind == "cancel":
            done, message = jobs.cancel(self.ledger, str(content.get("operation")))
            with self._lock:
                self._say(actions.Outcome(done, f"<div>{html.escape(message)}</div>", message))
                self._last_ui = 0.0  # ask the UI again at the next refresh
                self._refresh_jobs()

    def _act(self, name: str) -> None:
        words = list(ACTIONS[name])
        if self.profile and name in ("start", "restart"):
            words += ["--profile", self.profile]
        line = actions.command_line(*words)

        def run() -> None:
            outcome = actions.run_magic(self.shell, line)
            with self._lock:
                self._say(outcome)
                if outcome.start_failed:
                    # The lines that explain a failed start are at the end of the log.
                    self.widget.tab = "logs"
                    self.logs.set_filter(None, None)
                    self._refresh_logs()

        self._busy(name, run)

    def _busy(self, name: str, work: Callable[[], None]) -> None:
        with self._lock:
            self.widget.busy = name
        try:
            work()
        finally:
            with self._lock:
                self.widget.busy = ""
                self._refresh_state()
                self._plan_card()
                self._refresh_jobs()

    def _say(self, outcome: actions.Outcome) -> None:
        self.widget.message = {**outcome.message(), "id": next(self._messages)}
