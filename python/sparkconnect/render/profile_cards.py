"""`%spark profiles`: what the site's and the user's config files define, or how to write one."""

from __future__ import annotations

from pathlib import Path

from sparkconnect.render.display import Card, Row, shown_value
from sparkconnect.server import profiles, site_config
from sparkconnect.server.profile_format import SITE


def profiles_card(path: Path, active: str | None) -> Card:
    """`path`: the user's config file. Raises ProfileError for a malformed file."""
    site = site_config.load()
    found = site_config.all_profiles(site, path)
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
    for name, profile in sorted(found.items(), key=lambda item: (item[1].origin != SITE, item[0])):
        items = [f"{k}={shown_value(k, v)}" for k, v in sorted(profile.conf.items())]
        items += [f"${k}={shown_value(k, v)}" for k, v in sorted(profile.env.items())]
        if profile.env_script:
            items.append(f"env_script {profile.env_script}")
        marks = [profile.origin]
        if name == site.default_profile:
            marks.append("site default")
        if name == active:
            marks.append("in use")
        about = f"{profile.description}: " if profile.description else ""
        rows.append(Row(f"{name} ({', '.join(marks)})", about + (", ".join(items) or "(empty)")))
    files = f"{site.path} (site) and {path} (user)" if site.profiles else str(path)
    card = Card(f"Profiles in {files}", rows, kind="profiles")
    return card.note(
        "`%spark start --profile NAME` uses one; `%spark conf --profile NAME` "
        "shows what it would apply."
    )
