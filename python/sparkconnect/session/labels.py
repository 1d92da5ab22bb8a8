"""Which notebook ran what: the notebook's name and cell number on its Spark operations.

Every notebook of the user shares one server and so one Spark UI, where a job's description would
otherwise be its raw plan (`Spark Connect - session_id: … plan { root { …`). Here each operation
carries the tags `notebook:<name>` and `cell:<n>` (sent with the request: no extra call), shown in
the Connect tab and the jobs' REST API, and the job description `<name> [<n>] <code>` (the cell's
first line of code), shown on the Jobs, Stages and SQL pages and by `sparkconnect jobs`; the
session names the OS user (`with_user`), the Connect tab's User. The description is a session conf
(`spark.job.description`, which the Connect server gives the operation's jobs); it is set just
before the first operation of each cell that runs one, so a cell that does not use Spark costs
nothing and never waits on the server. A description the user set in that session is left alone.
"""

from __future__ import annotations

import getpass
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sparkconnect.session import pyspark_internals as internals

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

DESCRIPTION_CONF = "spark.job.description"
_REQUEST_BUILDER = internals.EXECUTE_REQUEST
"""The client method that builds every ExecutePlanRequest (queries and commands alike)."""

log = logging.getLogger(__name__)


def with_user(url: str) -> str:
    """`url` naming the OS user, for the Connect tab's User column: pyspark sends $SPARK_USER or
    $USER, which are often unset in containers and kernels. A user_id already in the URL stays."""
    if ";user_id=" in url:
        return url
    try:
        user = getpass.getuser()
    except Exception:  # no name for this uid
        return url
    return f"{url.rstrip(';')};user_id={quote(user, safe='')}"


def tag_text(text: str) -> str:
    # Spark joins job tags with commas, so a tag must not contain one.
    return text.replace(",", ";").strip() or "-"


class JobLabels:
    """The labels of this process's operations; `attach` puts them on a new session."""

    def __init__(self) -> None:
        self.notebook: str | None = None
        """The notebook's name (set by the extension); None: nothing is labelled."""
        self.cell: int | None = None
        self.code = ""
        """The first line of code of the running cell."""
        self._session: Any = None
        self._tags: set[str] = set()
        self._described: str | None = None
        """The description this session holds because we set it."""
        self._lock = threading.Lock()

    def description(self) -> str | None:
        if self.notebook is None:
            return None
        label = self.notebook if self.cell is None else f"{self.notebook} [{self.cell}]"
        return f"{label} {self.code}" if self.code else label

    def tags(self) -> set[str]:
        if self.notebook is None:
            return set()
        tags = {tag_text(f"notebook:{self.notebook}")}
        if self.cell is not None:
            tags.add(f"cell:{self.cell}")
        return tags

    def attach(self, session: SparkSession) -> None:
        """Label the operations of `session` from now on (called with every new session)."""
        self._session, self._described, self._tags = session, None, set()
        client = session.client
        if internals.usable(internals.JOB_LABELS, client):
            build = internals.read(_REQUEST_BUILDER, client)
            if not getattr(build, "_sparkconnect_labels", False):
                internals.write(_REQUEST_BUILDER, client, self._describing(session, build))
        self._retag()

    def detach(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        for tag in self._tags:
            session.removeTag(tag)
        self._tags = set()
        vars(session.client).pop(_REQUEST_BUILDER.attribute, None)

    def start_cell(self, number: int | None, code: str = "") -> None:
        """A cell starts (on the thread that runs cells, whose operations the tags go with);
        `code`: its first line of code."""
        self.cell, self.code = number, code
        self._retag()

    def _retag(self) -> None:
        session = self._session
        if session is None:
            return
        wanted = self.tags()
        try:
            for tag in self._tags - wanted:
                session.removeTag(tag)
            for tag in wanted - self._tags:
                session.addTag(tag)
        except Exception as err:  # a closed session: the next one gets the labels
            log.debug("could not tag this notebook's operations: %s", err)
        self._tags = wanted

    def _describing(self, session: Any, build: Callable[..., Any]) -> Callable[..., Any]:
        def request(*args: Any, **kwargs: Any) -> Any:
            self._describe(session)
            return build(*args, **kwargs)

        request._sparkconnect_labels = True  # type: ignore[attr-defined]
        return request

    def _describe(self, session: Any) -> None:
        wanted = self.description()
        if wanted is None or wanted == self._described or session is not self._session:
            return
        with self._lock:
            if wanted == self._described:
                return
            try:
                current = session.conf.get(DESCRIPTION_CONF, None)
                if current is None or current == self._described:
                    session.conf.set(DESCRIPTION_CONF, wanted)
                # else the user set one: theirs stays, ours is not retried until the next cell
                self._described = wanted
            except Exception as err:  # the operation itself will say what is wrong
                log.debug("could not set the job description: %s", err)


LABELS = JobLabels()
"""This process's labels (one notebook per kernel process)."""
