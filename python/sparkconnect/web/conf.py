"""The Lab sidebar's Configure tab: the same rows, checks and card as the panel's
(render/conf_editor.py, server/conf_rows.py). Rows for the server are saved here, as
`sparkconnect conf --reset K=V ...` would; rows for a notebook's session go back to the page,
which applies them in the current notebook's kernel (api.apply_session_conf)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from sparkconnect.errors import ConfError, ProfileError
from sparkconnect.render import conf_editor
from sparkconnect.render.server_cards import conf_card
from sparkconnect.server import conf_rows, lifecycle
from sparkconnect.web.outcome import Outcome, said


def editor(profile: str) -> dict[str, Any]:
    """What the Configure tab starts from, with `profile` chosen ("": the site's default
    profile, if any)."""
    choices = conf_editor.profile_choices()
    error = choices.error
    if profile not in {p["name"] for p in choices.profiles}:
        profile = choices.default
    try:
        plan = lifecycle.plan(profile=profile or None)
        saved, plan_html = plan.saved, conf_editor.plan_html(plan)
    except (ProfileError, ConfError) as err:
        saved, plan_html, error = lifecycle.pending_conf(), "", str(err)
    return {
        "profiles": choices.profiles,
        "profile": profile,
        "profiles_error": error,
        "rows": conf_editor.rows(saved),
        # Changes whenever the saved conf does: the page then starts its rows over.
        "version": zlib.crc32(json.dumps(saved, sort_keys=True).encode()),
        "plan_html": plan_html,
        "known_keys": conf_editor.known_keys(),
    }


def check(body: dict[str, Any]) -> dict[str, Any]:
    rows = conf_rows.parse(body.get("rows"))
    return {"seq": body.get("seq", 0), "checks": [c.as_dict() for c in conf_rows.check(rows)]}


def save(body: dict[str, Any]) -> dict[str, Any]:
    """Save the rows meant for the server's next start; hand back those meant for a session."""
    rows = conf_rows.parse(body.get("rows"))
    if any(c.state == "invalid" for c in conf_rows.check(rows)):
        return said(False, conf_rows.NOT_SAVED).as_dict()
    server, session = conf_rows.split(rows)
    plan = lifecycle.plan(profile=str(body.get("profile") or "") or None)
    if server == plan.saved:
        # Rows for a session only: the page says what applying them did.
        outcome = said(True, "" if session else "The saved conf is unchanged.")
    else:
        lifecycle.change_saved_conf(plan, server, reset=True)
        card = conf_card(lifecycle.status(), plan)
        outcome = Outcome(True, card._repr_html_(), repr(card))
    return {**outcome.as_dict(), "session": session}
