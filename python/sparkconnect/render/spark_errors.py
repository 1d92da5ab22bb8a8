"""A Spark error as a user reads it: the error class and message in a few lines, with the query
plan and the JVM stack trace set apart (collapsed in JupyterLab, on request in a terminal).

pyspark's exception text is the message, then the analysed plan when the analysis failed, then
"JVM stacktrace:" and the server's whole stack, often a hundred lines; the Python traceback
through pyspark, grpc and our magics comes on top. What the user needs first is the message,
which ends with its SQLSTATE and, for SQL, the position; a query context that follows it
(`== SQL (line 1, position 8) ==` with the query and a caret) points at the mistake and stays.
Works on any exception shaped like pyspark's PySparkException, without importing pyspark.
A failure in Python code Spark ran (a UDF, a pandas function) is read by worker_traceback.py:
its last exception becomes the message, the user's frames follow it, and the worker's traceback
joins the details.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sparkconnect.render import worker_traceback
from sparkconnect.render.display import colour, escape, html_output

JVM_MARKER = "\n\nJVM stacktrace:\n"
CANCELLED = "OPERATION_CANCELED"
"""The error class of an operation interrupted on the server (the Spark panel's Cancel, an
`interruptOperation` from elsewhere): the client raises it, sometimes as UnknownException."""
_SQLSTATE = re.compile(r"SQLSTATE: \w+(?:; line \d+ pos \d+)?;?")


@dataclass
class SparkErrorReport:
    name: str
    """The exception class, e.g. AnalysisException."""
    message: str
    """The error class in brackets and the message, up to its SQLSTATE and position."""
    context: str = ""
    """Where in the query: Spark's `== SQL ==` / `== DataFrame ==` sections."""
    plan: str = ""
    """The analysed plan that analysis errors carry."""
    stack: str = ""
    """The JVM stack trace the server sent."""
    where: str = ""
    """The cell's line that raised, when the cell has several."""
    user_frames: str = ""
    """The frames of the user's own code in a failed Python worker's traceback."""
    worker: str = ""
    """A failed Python worker's whole traceback (pyspark's worker, pyarrow, the user's code)."""

    @classmethod
    def of(cls, error: BaseException, where: str = "") -> SparkErrorReport:
        text = str(error)
        stack = ""
        get_stack = getattr(error, "getStackTrace", None)
        if callable(get_stack):
            stack = (get_stack() or "").strip()
        text, marker, shown_stack = text.partition(JVM_MARKER)
        if marker and not stack:
            stack = shown_stack.strip()
        message, rest = split_message(text.strip())
        context, plan = split_rest(rest)
        report = cls(
            type(error).__name__, message, context or sent_context(error), plan, stack, where
        )
        failure = worker_traceback.parse(message)
        if failure is not None:
            report.message = failure.root_cause
            report.user_frames = "\n".join(failure.user_frames)
            report.worker = failure.traceback
        return report

    def _detail_parts(self) -> list[tuple[str, str]]:
        parts = [
            ("Python worker traceback", self.worker),
            ("query plan", self.plan),
            ("JVM stack trace", self.stack),
        ]
        return [(name, text) for name, text in parts if text]

    @property
    def details(self) -> str:
        """What the short form leaves out: the worker's traceback, the plan, the JVM stack."""
        return "\n\n".join(
            f"{name[:1].upper()}{name[1:]}:\n{text}" for name, text in self._detail_parts()
        )

    def details_what(self) -> str:
        """What the details hold, in words: "query plan and JVM stack trace"."""
        names = [name for name, _ in self._detail_parts()]
        return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)

    def details_title(self) -> str:
        what = self.details_what() or "nothing more"
        return f"{what[:1].upper()}{what[1:]} ({len(self.details.splitlines())} lines)"

    def lines(self, coloured: bool = False, hint: str = "") -> list[str]:
        """The short form for a terminal or a Jupyter error output: a few lines."""
        out = [f"{colour(self.name, 'error', coloured)}: {self.message}"]
        if self.user_frames:
            out.append(self.user_frames)
        if self.context:
            out.append(self.context)
        if self.where:
            out.append(colour(self.where, "dim", coloured))
        if hint and self.details:
            out.append(colour(hint, "dim", coloured))
        return out

    def details_bundle(self, expanded: bool = False) -> dict[str, str]:
        """The plan and the JVM stack trace, one click away in JupyterLab."""
        title = self.details_title()
        body = (
            f"<details{' open' if expanded else ''}><summary>{escape(title)}</summary>"
            "<pre class='sparkconnect-pre' style='max-height:30em'>"
            f"{html.escape(self.details)}</pre></details>"
        )
        return {
            "text/plain": f"({title}: `%tb` shows them)",
            "text/html": html_output("error-details", body),
        }

    def paragraph(self) -> str:
        """One paragraph, for places that show an error among other output."""
        return "\n".join(
            [f"{self.name}: {self.message}", *([self.context] if self.context else [])]
        )


def sent_context(error: BaseException) -> str:
    """The query context the server sent with the error (`getQueryContext`), when its text has
    none: analysis errors (a missing table, an unknown column) carry their place this way only,
    as `line 1 pos 14` in the message and the `== SQL ==` section with its caret here."""
    get_contexts = getattr(error, "getQueryContext", None)
    if not callable(get_contexts):
        return ""
    try:
        summaries = [str(context.summary()).strip("\n") for context in get_contexts() or []]
    except Exception:  # a client without query contexts: the message has the position
        return ""
    return "\n".join(summary for summary in summaries if summary)


def is_cancelled(error: BaseException) -> bool:
    """Whether a Spark error only says that its operation was cancelled: not a failure of the
    user's code. pyspark names the class (getCondition) for most errors; an UnknownException
    carries it in its first line only: `(org.apache.spark.SparkSQLException)
    [OPERATION_CANCELED] Operation has been cancelled.`"""
    for method in ("getCondition", "getErrorClass"):  # the second is pyspark 3.x's name
        found = getattr(error, method, None)
        if callable(found):
            try:
                if found() == CANCELLED:
                    return True
            except Exception:  # a pyspark whose method needs what this error lacks
                pass
            break
    first = str(error).strip().partition("\n")[0]
    return f"[{CANCELLED}]" in first


def split_message(text: str) -> tuple[str, str]:
    """(the message up to its SQLSTATE and position, what follows)."""
    found = _SQLSTATE.search(text)
    if found is None:
        return text, ""
    return text[: found.end()].rstrip(";").strip(), text[found.end() :].strip("\n")


def split_rest(rest: str) -> tuple[str, str]:
    """(query context sections, plan) of what follows the message."""
    if not rest.strip():
        return "", ""
    if rest.lstrip().startswith("=="):
        return rest.rstrip(), ""
    return "", rest.strip("\n").rstrip()
