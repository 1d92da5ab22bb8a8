"""Start, Stop and Restart as the Lab's buttons and commands do them: through the same lifecycle
calls as the terminal command (`sparkconnect start|stop|restart`), with the same cards.

The Jupyter server process never stays attached: a start from the Lab releases its lease at once,
so the server runs for the notebooks that attach (and stops after the idle timeout if none
does), exactly as after `sparkconnect start` in a terminal. So Stop stops the server unless
notebooks are attached, and Restart refuses to cut them off; the "-all" actions (which the page
sends only after the user confirmed, naming the notebooks) force both.
"""

from __future__ import annotations

import time

from sparkconnect._core import StartError
from sparkconnect.errors import SparkConnectError
from sparkconnect.render.server_cards import stop_card
from sparkconnect.render.start_failure import StartFailure
from sparkconnect.server import lifecycle
from sparkconnect.server.detached import warmup_launcher
from sparkconnect.web.outcome import Outcome, said

ACTIONS = ("start", "stop", "stop-all", "restart", "restart-all")


def run(name: str, profile: str | None) -> Outcome:
    """Do the action `name` (one of ACTIONS); blocks for as long as a start takes. Our errors
    become the outcome's one paragraph; anything else propagates."""
    try:
        if name in ("stop", "stop-all"):
            card = stop_card(lifecycle.stop(force=name == "stop-all"))
            return Outcome(True, card._repr_html_(), repr(card))
        return _start(name.startswith("restart"), name == "restart-all", profile)
    except SparkConnectError as err:
        return said(False, str(err))


def _start(restart: bool, force: bool, profile: str | None) -> Outcome:
    plan = lifecycle.plan(profile=profile or None)
    began = time.monotonic()
    try:
        result = lifecycle.start_planned(
            plan, restart=restart, force=force, idle_timeout=lifecycle.default_idle_timeout()
        )
    except StartError as err:
        failure = StartFailure(str(err), err.cause, plan, restart=restart)
        return Outcome(False, failure._repr_html_(), failure.parts()[0], failure)
    finally:
        lifecycle.release()
    info = result.server
    if result.launched:
        # As after `sparkconnect start`: the first query should not pay for the JVM's warm-up.
        warmup_launcher.detached(info)
        text = f"Spark Connect server started in {time.monotonic() - began:.1f} s"
    else:
        text = "The Spark Connect server is already running"
    text += f" (Spark {info.spark_version}, {info.master})."
    return said(True, text)
