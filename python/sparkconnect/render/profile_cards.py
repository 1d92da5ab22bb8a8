"""`%spark profiles`: what the config file defines, or how to write one."""

from __future__ import annotations

from pathlib import Path

from sparkconnect.render.display import Card, Row, shown_value
from sparkconnect.server import profiles


def profiles_card(path: Path, active: str | None) -> Card:
    found = profiles.load(path)
    if not found:
        card = Card(
            f"No profiles: {path} {'defines none' if path.exists() else 'does not exist'}",
            kind="profiles",
            code=profiles.EXAMPLE,
        )
        return card.note(
            "Create it with profiles like this one, then `%spark start --profile bigmem`:"
        )
    rows = []
    for name, profile in sorted(found.items()):
        items = [f"{k}={shown_value(k, v)}" for k, v in sorted(profile.conf.items())]
        items += [f"${k}={shown_value(k, v)}" for k, v in sorted(profile.env.items())]
        label = f"{name} (in use)" if name == active else name
        about = f"{profile.description}: " if profile.description else ""
        rows.append(Row(label, about + (", ".join(items) or "(empty)")))
    card = Card(f"Profiles in {path}", rows, kind="profiles")
    return card.note(
        "`%spark start --profile NAME` uses one; `%spark conf --profile NAME` "
        "shows what it would apply."
    )
