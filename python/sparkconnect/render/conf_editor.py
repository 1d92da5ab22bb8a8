"""What the conf editor starts from, in the panel and in the Lab sidebar alike: the rows (the
saved conf for the next start, and what was applied to a notebook's session), the keys it
completes, and the `%spark conf` card of what the next start would apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sparkconnect.errors import ProfileError
from sparkconnect.render.server_cards import conf_card
from sparkconnect.server import conf_keys, lifecycle, site_config
from sparkconnect.server.profile_format import SITE
from sparkconnect.server.profiles import ConfPlan


@dataclass
class Choices:
    """The profile chooser: every profile of the site's and the user's files."""

    profiles: list[dict[str, str]]
    """{name, label, description}; the label marks the site's."""
    default: str
    """The site's default_profile ("" for none)."""
    error: str
    """Why the files could not be read (one paragraph), or ""."""


def profile_choices() -> Choices:
    try:
        site = site_config.load()
        found = site_config.all_profiles(site)
    except ProfileError as err:
        return Choices([], "", str(err))
    ordered = sorted(found.values(), key=lambda p: (p.origin != SITE, p.name))
    return Choices(
        [
            {
                "name": p.name,
                "label": f"{p.name} (site)" if p.origin == SITE else p.name,
                "description": p.description,
            }
            for p in ordered
        ],
        site.default_profile,
        "",
    )


def known_keys() -> list[list[str]]:
    """[[key, what it does, where it applies]] for completion."""
    return [[key, what, conf_keys.applies(key)] for key, what in conf_keys.known()]


def rows(saved: dict[str, str], session: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return [{"key": k, "value": v, "scope": "server"} for k, v in sorted(saved.items())] + [
        {"key": k, "value": v, "scope": "session"} for k, v in sorted((session or {}).items())
    ]


def plan_html(plan: ConfPlan) -> str:
    return conf_card(lifecycle.status(), plan)._repr_html_()
