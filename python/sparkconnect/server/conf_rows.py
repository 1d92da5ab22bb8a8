"""Conf rows as the panel edits them: each checked as it is typed, and split by where it applies.

A row is a key, a value and a scope: "auto" (where the key can apply: a runtime SQL conf applies
to this notebook's session now, anything else at the server's next start), or "session" /
"server" when the user chose. The check is the one `%spark conf` applies (the core's conf
parser and server/conf_values.py's value check), plus what only makes sense row by row: a key
given twice, a key Spark would ignore, a static key asked to apply now, a key the site
configuration locks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sparkconnect import _core
from sparkconnect.errors import ProfileError
from sparkconnect.server import conf_values, site_config
from sparkconnect.server.conf_keys import Applies, applies

SCOPES = ("auto", "session", "server")


@dataclass(frozen=True)
class Row:
    key: str
    value: str
    scope: str = "auto"

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Row:
        """A row from the panel's message; anything malformed reads as text, never raises."""
        scope = str(raw.get("scope", "auto"))
        return cls(
            str(raw.get("key", "")).strip(),
            str(raw.get("value", "")),
            scope if scope in SCOPES else "auto",
        )


@dataclass(frozen=True)
class Check:
    state: str
    """ok, invalid, or empty (a blank row, ignored)."""
    applies: Applies
    can_choose: bool
    """Whether the row may apply either way (a runtime conf can also be saved for the server)."""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _where(row: Row) -> tuple[Applies, bool]:
    natural = applies(row.key) if row.key else "server"
    if natural == "session" and row.scope == "server":
        return "server", True
    return natural, natural == "session"


def parse(raw: object) -> list[Row]:
    """The rows of a message from a page (a list of {key, value, scope}); anything else is
    skipped."""
    return [Row.of(item) for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def _locks() -> dict[str, str]:
    try:
        return site_config.load().lock_owners()
    except ProfileError:
        return {}  # the profile chooser says what is wrong with the file


def check(rows: list[Row]) -> list[Check]:
    locked = _locks()
    seen: dict[tuple[str, str], int] = {}
    checks = []
    for row in rows:
        where, can_choose = _where(row)
        if not row.key and not row.value.strip():
            checks.append(Check("empty", where, can_choose))
            continue
        problem = _problem(row, where, locked)
        if not problem:
            duplicate = (row.key, where)
            if duplicate in seen:
                problem = f"{row.key} is set twice; keep one row."
            seen[duplicate] = len(checks)
        checks.append(Check("invalid" if problem else "ok", where, can_choose, problem))
    return checks


def _problem(row: Row, where: Applies, locked: Mapping[str, str]) -> str:
    if not row.key:
        return "A key is needed, e.g. spark.executor.memory."
    if row.key in locked:
        return (
            f"{row.key} is locked by the site configuration ({locked[row.key]}): its "
            "administrators set it for every user."
        )
    if not row.value:
        return f"{row.key} needs a value."
    try:
        _core.parse_conf([f"{row.key}={row.value}"])
    except _core.ConfError as err:
        return str(err)
    if said := conf_values.problem(row.key, row.value):
        return said
    if not row.key.startswith("spark."):
        return "Spark reads only keys that start with `spark.`; it would ignore this one."
    if row.scope == "session" and where == "server":
        return f"{row.key} is read when the server starts: it applies at the next start."
    return ""


def split(rows: list[Row]) -> tuple[dict[str, str], dict[str, str]]:
    """(server items, session items) of rows that checked ok."""
    server: dict[str, str] = {}
    session: dict[str, str] = {}
    for row, result in zip(rows, check(rows), strict=True):
        if result.state == "ok":
            (session if result.applies == "session" else server)[row.key] = row.value
    return server, session


NOT_SAVED = "Nothing was saved: fix the rows marked in red first."
