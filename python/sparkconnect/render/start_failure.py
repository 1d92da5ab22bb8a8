"""A start that failed, as a card: what failed, the relevant log lines, what to do.

The core's StartError message is one paragraph that says what happened, followed by "Last lines
of <log>:" and the log lines, indented; its `cause` says which kind of failure it was. The card
shows the paragraph, the lines with their levels coloured, and the next steps for that cause, in
the caller's own commands, naming the conf key at fault and where it came from (this start's
line, the saved conf, a user's or the site's profile, the site configuration) so the step
fixes it where it lives. A message of another shape
is shown whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sparkconnect.render.display import colour, escape, html_output
from sparkconnect.render.logview import line_html, line_text, with_levels
from sparkconnect.server import caller, conf_values, env_script, profile_format
from sparkconnect.server.profiles import LINE, ConfPlan

LOG_MARKER = "Last lines of "
# Values too common to point at a conf item when a log line happens to contain them.
_COMMON_VALUES = frozenset({"true", "false", "none", "null", "local[*]"})


@dataclass
class StartFailure:
    """A StartError, shown in full in the cell's output (or on a terminal's stderr)."""

    message: str
    cause: str = "exited"
    """StartError.cause."""
    plan: ConfPlan | None = None
    """What the start applied, layer by layer: where a bad item came from."""
    port: int | None = None
    """The gRPC port the start asked for (--port), if any."""
    restart: bool = False
    """It was a restart: what to do says to restart again (a restart refused for a value Spark
    would refuse left the running server as it was)."""

    def _again(self, options: str = "") -> str:
        """The command to run once the cause is fixed."""
        verb = "restart" if self.restart else "start"
        return caller.current().command(f"{verb} {options}".strip())

    def parts(self) -> tuple[str, str | None, list[str]]:
        """(what failed, log path, quoted log lines)."""
        head, marker, tail = self.message.partition(LOG_MARKER)
        if not marker:
            return self.message.strip(), None, []
        path, _, lines = tail.partition(":\n")
        quoted = [line[4:] if line.startswith("    ") else line for line in lines.splitlines()]
        return head.strip(), path, quoted

    def suspects(self) -> list[str]:
        """Conf keys the quoted log names, by key or by a distinctive value (`Could not parse
        Master URL: 'nope'` names spark.master=nope)."""
        if self.plan is None:
            return []
        if self.cause == "bad-master":
            return ["spark.master"]
        # A value the conf check knows Spark refuses is at fault whatever the log says (Spark's
        # "Executor memory must be a positive number" names neither the key nor the value).
        refused = list(conf_values.problems(self.plan.user_conf()))
        text = "\n".join(self.parts()[2]).lower()
        found = []
        for key, value in sorted(self.plan.user_conf().items()):
            distinctive = len(value) >= 3 and value.lower() not in _COMMON_VALUES
            if key in refused or key.lower() in text or (distinctive and value.lower() in text):
                found.append(key)
        return found

    def fix(self, key: str) -> str | None:
        """How to fix `key` where it comes from; None for our own defaults."""
        me = caller.current()
        assert self.plan is not None
        value, source = self.plan.sources().get(key, ("", "default"))
        if source == LINE:
            return (
                f"{key}={value} was given on this start's line and was not saved: fix it or "
                f"leave it out, then {self._again()} again."
            )
        if source == "saved":
            return (
                f"{key}={value} is in the saved conf: {me.command(f'conf --unset {key}')} removes "
                f"it, {me.command(f'conf {key}=VALUE')} replaces it; then "
                f"{self._again()} again."
            )
        # A locked key is the administrators' alone to change.
        own = (
            ""
            if key in self.plan.locked
            else f"; or set {key} in your own conf ({me.command(f'conf {key}=VALUE')})"
        )
        profile = self.plan.profile
        if profile is not None and source == profile.label:
            where = f"the {profile.label} ({profile.path})"
            if profile.origin == profile_format.SITE:
                return (
                    f"{key}={value} comes from {where}: ask its administrators, or start with "
                    f"another profile{own}."
                )
            return f"{key}={value} comes from {where}: fix it there, or start without it."
        if source == "site":
            return (
                f"{key}={value} comes from the site configuration ({self.plan.site_path}): "
                f"ask its administrators{own}."
            )
        return None

    def steps(self) -> list[str]:
        me = caller.current()
        again = f"Then {self._again()} again."
        if self.cause in ("environment", "java", "no-connect"):
            return [again]  # the message says how to fix the installation
        if self.cause == "not-answering":
            return [
                f"{me.command('restart --force')} replaces it (the sessions of attached "
                "notebooks end with it)."
            ]
        if self.cause == env_script.CAUSE:
            return [self._script_step()]
        if self.cause == "timeout":
            return [
                f"{me.command('logs')} shows how far it got; if the machine is just slow, "
                f"{me.command('start --timeout 300')} waits longer."
            ]
        fixes = [step for key in self._keys_at_fault() if (step := self.fix(key))]
        if fixes:
            return fixes
        if self.cause == "port-in-use":
            if self.port is not None:
                return [
                    f"Port {self.port} is taken: leave out --port to get a free one, or give "
                    f"another with {me.command('start --port N')}."
                ]
            return [f"{self._again()} again picks free ports."]
        return [
            f"{me.command('logs --level WARN')} shows the server's warnings and errors, and "
            f"{me.command('conf')} the conf it was started with.",
            again,
        ]

    def _script_step(self) -> str:
        me = caller.current()
        profile = self.plan.profile if self.plan else None
        if profile is None:
            return f"Then {self._again()} again."
        if profile.origin == profile_format.SITE:
            # The terminal command has no `profiles`: only a notebook lists them.
            listing = (
                me.command("profiles")
                if me.kind == caller.NOTEBOOK
                else "`%spark profiles` in a notebook"
            )
            return (
                f"The script belongs to the {profile.label} ({profile.path}): show its output "
                f"to the service's administrators, or start with another profile ({listing} "
                "lists them)."
            )
        return (
            f"Fix the script, or its env_script line in {profile.path}; then "
            f"{self._again(f'--profile {profile.name}')} again."
        )

    def _keys_at_fault(self) -> list[str]:
        if self.plan is None:
            return []
        if self.cause == "port-in-use":
            # Ports the user fixed in the conf (the UI's, the driver's) are the likely culprits.
            return sorted(k for k in self.plan.user_conf() if k.endswith(".port"))
        return self.suspects()

    def title(self) -> str:
        return f"Spark Connect server did not {'restart' if self.restart else 'start'}"

    def __repr__(self) -> str:
        what, path, lines = self.parts()
        out = [colour(self.title(), "error"), f"  {what}"]
        if path:
            out.append(f"  Last lines of {path}:")
            out += [f"    {line_text(line)}" for line in with_levels(lines)]
        out += ["  What to do:"] + [f"  - {step}" for step in self.steps()]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        what, path, lines = self.parts()
        log = ""
        if path:
            rendered = "\n".join(line_html(line) for line in with_levels(lines))
            log = (
                f"<div class='sparkconnect-dim'>Last lines of {escape(path)}:</div>"
                f"<pre class='sparkconnect-pre' style='max-height:20em'>{rendered}</pre>"
            )
        steps = "".join(f"<li>{escape(step)}</li>" for step in self.steps())
        body = (
            "<div class='sparkconnect-box sparkconnect-failure'>"
            f"<div class='sparkconnect-title'>{self.title()}</div>"
            f"<div style='margin:4px 0'>{escape(what)}</div>{log}"
            f"<div class='sparkconnect-title'>What to do</div><ul>{steps}</ul></div>"
        )
        return html_output("start-failure", body)
