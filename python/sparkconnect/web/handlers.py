"""The REST API the JupyterLab extension calls, under `<base_url>sparkconnect/api/`.

    GET  state?since=V   the server's state, long-polled (watcher.py)
    POST action          {name: start|stop|stop-all|restart|restart-all, profile}
    GET  conf?profile=P  the Configure tab's rows, profiles, completion and plan card
    POST conf/check      {seq, rows}: the checks of rows being typed
    POST conf            {rows, profile}: save the server's rows
    GET  logs?level=&grep=   the log tab's lines
    GET  jobs            every notebook's Spark jobs, from the Spark UI

Every handler is a Jupyter APIHandler behind `@web.authenticated`: Jupyter's own token or login
cookie, its XSRF check on POST, its origin check (no other origin is served), JSON errors. The
work runs on a thread, never on the Jupyter server's event loop: a start blocks for seconds, and
a read of the Spark UI may too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from sparkconnect.errors import SparkConnectError
from sparkconnect.render.jobs_table import server_jobs
from sparkconnect.render.log_feed import LogFeed
from sparkconnect.server import lifecycle
from sparkconnect.values import LOG_LEVELS
from sparkconnect.web import actions, conf
from sparkconnect.web.lab_state import LabState
from sparkconnect.web.outcome import said
from sparkconnect.web.watcher import StateWatcher

API = "sparkconnect/api"
T = TypeVar("T")


class LabHandler(APIHandler):
    def initialize(self, lab: LabState, watcher: StateWatcher) -> None:
        self.lab = lab
        self.watcher = watcher

    def body(self) -> dict[str, Any]:
        try:
            found = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(400, "The body is not JSON.") from None
        if not isinstance(found, dict):
            raise web.HTTPError(400, "The body is not a JSON object.")
        return found

    async def work(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on a thread; our errors (a home that cannot be used, a broken
        config file) become the answer's one paragraph, as JSON."""
        try:
            return await asyncio.to_thread(function, *args)
        except SparkConnectError as err:
            # Answered here, not raised: a paragraph that names `%spark` would trip tornado's
            # %-formatting of HTTPError messages.
            self.set_status(409)
            self.answer({"message": str(err)})
            raise web.Finish() from None

    def answer(self, data: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data))


class StateHandler(LabHandler):
    # A page's long-poll is not user activity: it must not keep an idle Jupyter server alive.
    _track_activity = False

    @web.authenticated
    async def get(self) -> None:
        since = self.get_argument("since", None)
        version, state = await self.watcher.wait(int(since) if since and since.isdigit() else None)
        self.answer({"version": version, "state": state})


class ActionHandler(LabHandler):
    @web.authenticated
    async def post(self) -> None:
        body = self.body()
        name = body.get("name")
        if name not in actions.ACTIONS:
            known = ", ".join(actions.ACTIONS)
            raise web.HTTPError(400, f"Unknown action {name!r}; one of {known}.")
        if self.lab.busy:
            busy = f"Another page's {self.lab.busy} is under way; try again when it is done."
            self.answer(said(False, busy).as_dict())
            return
        self.lab.busy = name
        await self.watcher.refresh()
        try:
            outcome = await self.work(actions.run, name, str(body.get("profile") or ""))
        finally:
            self.lab.busy = ""
        if name.startswith(("start", "restart")):
            self.lab.started(outcome.failure)
        await self.watcher.refresh()
        self.answer(outcome.as_dict())


class ConfHandler(LabHandler):
    @web.authenticated
    async def get(self) -> None:
        profile = self.get_argument("profile", "")
        self.answer(await self.work(conf.editor, profile))

    @web.authenticated
    async def post(self) -> None:
        self.answer(await self.work(conf.save, self.body()))


class ConfCheckHandler(LabHandler):
    @web.authenticated
    async def post(self) -> None:
        self.answer(await self.work(conf.check, self.body()))


class LogsHandler(LabHandler):
    @web.authenticated
    async def get(self) -> None:
        level = self.get_argument("level", "").upper()
        grep = self.get_argument("grep", "")

        def read() -> dict[str, Any]:
            feed = LogFeed()
            feed.set_filter(level if level in LOG_LEVELS else None, grep or None)
            feed.poll(lifecycle.status().log_path)
            return feed.state()

        self.answer(await self.work(read))


class JobsHandler(LabHandler):
    @web.authenticated
    async def get(self) -> None:
        table, _ = await self.work(server_jobs)
        self.answer({"rows": [row.as_dict() for row in table.rows], "notes": table.notes})


def routes(base_url: str, lab: LabState) -> list[tuple[str, type, dict[str, Any]]]:
    shared = {"lab": lab, "watcher": StateWatcher(lab.read)}
    return [
        (url_path_join(base_url, API, path), handler, shared)
        for path, handler in (
            ("state", StateHandler),
            ("action", ActionHandler),
            ("conf", ConfHandler),
            ("conf/check", ConfCheckHandler),
            ("logs", LogsHandler),
            ("jobs", JobsHandler),
        )
    ]
