"""`%spark jobs`, `sparkconnect jobs` and the Lab's Jobs tab: the jobs table as text for
terminals, as HTML, and as rows for the live views."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from sparkconnect.render.jobs_model import JobRow, server_rows
from sparkconnect.render.server_cards import uptime
from sparkconnect.server import attached_names, lifecycle, spark_rest
from sparkconnect.server.attached_names import Attachment
from sparkconnect.server.spark_rest import UiJob

STATUS_MARK = {
    "running": "▶",
    "succeeded": "✔",
    "failed": "✖",
    "cancelled": "✖",
    "finished": "·",
}
# Colours only through JupyterLab's theme variables, so the table reads in light and dark themes;
# the fallbacks serve other front ends.
_STATUS_COLOUR = {
    "running": "var(--jp-brand-color1,#1976d2)",
    "succeeded": "var(--jp-success-color1,#388e3c)",
    "failed": "var(--jp-error-color1,#d32f2f)",
    "cancelled": "var(--jp-warn-color1,#f57c00)",
}
_CELL = "padding:2px 8px;text-align:left;border-bottom:1px solid var(--jp-border-color2,#e0e0e0)"
# MathJax typesets text between dollar signs in HTML outputs; code in a description may have
# them, so the whole table opts out.
_NO_MATH = "mathjax_ignore tex2jax_ignore"


def duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else uptime(seconds)


def task_text(row: JobRow) -> str:
    running = f" ({row.running_tasks} running)" if row.running_tasks else ""
    return f"{row.tasks}{running}"


@dataclass
class JobsTable:
    rows: list[JobRow]
    title: str = "Spark jobs of this notebook"
    notes: list[str] = field(default_factory=list)
    show_notebook: bool = False
    """A column naming each row's notebook (the CLI lists every notebook's jobs)."""

    def _columns(self) -> list[str]:
        head = ["notebook"] if self.show_notebook else []
        return [*head, "status", "cell", "description", "stages", "tasks", "time", "jobs"]

    def _cells(self, row: JobRow) -> list[str]:
        head = [row.notebook] if self.show_notebook else []
        return [
            *head,
            f"{STATUS_MARK.get(row.status, '·')} {row.status}",
            row.cell,
            row.description,
            row.stages,
            task_text(row),
            duration(row.seconds),
            ",".join(str(j) for j in row.spark_jobs),
        ]

    def _notes(self) -> list[str]:
        if self.rows:
            return self.notes
        return ["No Spark jobs yet.", *self.notes]

    def __repr__(self) -> str:
        lines = [self.title]
        if self.rows:
            table = [self._columns()] + [self._cells(row) for row in self.rows]
            widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
            lines += [
                "  " + "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True))
                for line in table
            ]
        lines += [f"  {note}" for note in self._notes()]
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th style='{_CELL};font-weight:600'>{html.escape(c)}</th>" for c in self._columns()
        )
        body = ""
        for row in self.rows:
            colour = _STATUS_COLOUR.get(row.status, "var(--jp-ui-font-color2,#616161)")
            cells = self._cells(row)
            status_at = 1 if self.show_notebook else 0
            tds = "".join(
                f"<td style='{_CELL}" + (f";color:{colour}" if i == status_at else "") + "'>"
                f"{html.escape(value)}</td>"
                for i, value in enumerate(cells)
            )
            body += f"<tr class='sparkconnect-job' data-status='{row.status}'>{tds}</tr>"
        table = (
            f"<div style='overflow-x:auto'><table style='border-collapse:collapse;"
            f"font-size:12px'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            if self.rows
            else ""
        )
        notes = "".join(
            f"<div style='color:var(--jp-ui-font-color2,#616161)'>{html.escape(n)}</div>"
            for n in self._notes()
        )
        return (
            f"<div class='sparkconnect-jobs {_NO_MATH}' style='font-family:var(--jp-ui-font-family,"
            f"sans-serif);font-size:13px;color:var(--jp-ui-font-color1,inherit)'>"
            f"<div style='font-weight:600;margin-bottom:2px'>{html.escape(self.title)}</div>"
            f"{table}{notes}</div>"
        )


def server_table(
    ui_jobs: list[UiJob] | None, attached: list[Attachment], running: bool
) -> JobsTable:
    """Every notebook's jobs on the server, for the terminal (`sparkconnect jobs`)."""
    notes = []
    if not running:
        notes.append("No Spark Connect server is running.")
    elif ui_jobs is None:
        notes.append("The Spark UI did not answer (disabled, or the server is busy starting).")
    rows = server_rows(ui_jobs or [], attached)
    return JobsTable(rows, title="Spark jobs on the server", notes=notes, show_notebook=True)


def server_jobs() -> tuple[JobsTable, bool]:
    """Every notebook's jobs on the user's server, asked of its Spark UI now, and whether a
    server runs: `sparkconnect jobs` and the Lab sidebar's Jobs tab."""
    server = lifecycle.status().server
    ui_jobs = spark_rest.jobs(server) if server is not None else None
    known = list(attached_names.read(lifecycle.home()).values())
    return server_table(ui_jobs, known, running=server is not None), server is not None
