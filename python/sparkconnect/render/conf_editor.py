"""What the conf editor starts from, in the panel and in the Lab sidebar alike: the rows (the
saved conf for the next start, and what was applied to a notebook's session), the keys it
completes, and the `%spark conf` card of what the next start would apply."""

from __future__ import annotations

from typing import Any

from sparkconnect.render.server_cards import conf_card
from sparkconnect.server import conf_keys, lifecycle
from sparkconnect.server.profiles import ConfPlan


def known_keys() -> list[list[str]]:
    """[[key, what it does, where it applies]] for completion."""
    return [[key, what, conf_keys.applies(key)] for key, what in conf_keys.known()]


def rows(saved: dict[str, str], session: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return [{"key": k, "value": v, "scope": "server"} for k, v in sorted(saved.items())] + [
        {"key": k, "value": v, "scope": "session"} for k, v in sorted((session or {}).items())
    ]


def plan_html(plan: ConfPlan) -> str:
    return conf_card(lifecycle.status(), plan)._repr_html_()
