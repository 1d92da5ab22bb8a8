"""Named profiles from the user's config file, and how they merge with the saved conf.

The file is `$XDG_CONFIG_HOME/sparkconnect/config.toml` (`~/.config/sparkconnect/config.toml`
when XDG_CONFIG_HOME is unset); `$SPARKCONNECT_CONFIG` names another file. A profile is a set of
Spark confs and environment variables for the server:

    [profiles.bigmem]
    description = "Big driver for large joins"
    conf = { "spark.driver.memory" = "8g", "spark.sql.shuffle.partitions" = 64 }
    env = { HADOOP_CONF_DIR = "/etc/hadoop/conf" }

    [profiles.bigmem.conf]                    # the same, as a table; unquoted dotted keys
    spark.executor.memory = "4g"              # (spark.executor.memory) work too

What the next start applies, later layers winning (the site configuration, see
site_config.py, adds its own conf and profiles):

    sparkconnect defaults < site < profile (site's or user's) < saved conf (`%spark conf K=V`)
        < `--conf` on the line
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sparkconnect import _core
from sparkconnect.errors import ProfileError
from sparkconnect.server import profile_format, workdir
from sparkconnect.server.profile_format import Located, Profile

__all__ = ["EXAMPLE", "ConfPlan", "Profile", "ProfileError", "config_path", "get", "load"]

CONFIG_ENV = "SPARKCONNECT_CONFIG"
LINE = "this command line"
"""The source of `--conf` items (and `--master`) in what the outputs say."""
EXAMPLE = """\
[profiles.bigmem]
description = "Big driver for large joins"
conf = { "spark.driver.memory" = "8g", "spark.sql.shuffle.partitions" = 64 }
env = { HADOOP_CONF_DIR = "/etc/hadoop/conf" }"""


def config_path() -> Path:
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sparkconnect" / "config.toml"


def read(path: Path, what: str) -> tuple[dict[str, object], Located] | None:
    """The parsed TOML of a config file and its text, or None when it does not exist.
    ProfileError, naming the file and the line, when it cannot be read or parsed."""
    try:
        text = path.read_bytes().decode()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise ProfileError(f"Cannot read the sparkconnect {what} {path}: {err}.") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        # Python 3.14 gives the line as an attribute; older ones only in the message.
        reason = str(err)
        found = re.search(r" \(at line (\d+), column \d+\)$", reason)
        line = getattr(err, "lineno", None) or (int(found.group(1)) if found else None)
        reason = getattr(err, "msg", reason[: found.start()] if found else reason)
        at = f", line {line}" if line else ""
        raise ProfileError(
            f"The sparkconnect {what} {path}{at} is not valid TOML: {reason}."
        ) from None
    return document, Located(path, text)


def profile_tables(
    document: Mapping[str, object], located: Located, origin: str
) -> dict[str, Profile]:
    tables = document.get("profiles", {})
    if not isinstance(tables, Mapping):
        raise ProfileError(
            f"`profiles` in {located.where('profiles')} must be a table of [profiles.NAME] tables."
        )
    return {name: profile_format.parse(located, name, t, origin) for name, t in tables.items()}


def load(path: Path | None = None) -> dict[str, Profile]:
    """Every profile in the user's config file; none when the file does not exist."""
    found = read(path or config_path(), "config file")
    if found is None:
        return {}
    return profile_tables(found[0], found[1], profile_format.USER)


def get(name: str, path: Path | None = None) -> Profile:
    path = path or config_path()
    profiles = load(path)
    if name in profiles:
        return profiles[name]
    if not profiles:
        raise ProfileError(
            f"There is no profile {name!r}: {path} defines no profiles. Create it with, e.g.:\n"
            f"{EXAMPLE.replace('bigmem', name)}"
        )
    raise ProfileError(
        f"There is no profile {name!r} in {path}; it defines {', '.join(sorted(profiles))}."
    )


@dataclass
class ConfPlan:
    """The conf the next start applies, layer by layer, so `%spark conf` can say where each
    item comes from."""

    profile: Profile | None
    saved: dict[str, str]
    line: dict[str, str] = field(default_factory=dict)
    """`--conf` items of this start (they are saved too, and so win over the saved conf)."""
    profile_named: bool = False
    """The start named the profile (`--profile`), rather than reusing the notebook's last one or
    the default_profile option: its conf is then part of what the start asked for."""
    site: dict[str, str] = field(default_factory=dict)
    """The site configuration's own conf (its `conf` table and `master`), under any profile."""
    locked: dict[str, str] = field(default_factory=dict)
    """Keys the site configuration locks -> who locked them (its file), for the outputs."""
    site_path: Path | None = None
    """The site configuration file, if there is one."""

    def layers(self) -> list[tuple[str, dict[str, str]]]:
        """(source, conf) pairs, lowest precedence first."""
        layers = [("default", {**_core.DEFAULT_CONF, **workdir.defaults()})]
        if self.site:
            layers.append(("site", self.site))
        if self.profile is not None:
            layers.append((self.profile.label, self.profile.conf))
        layers += [("saved", self.saved), (LINE, self.line)]
        return layers

    def user_conf(self) -> dict[str, str]:
        """What was asked for: every layer above our defaults (the site's, a profile's, the
        user's own)."""
        merged: dict[str, str] = {}
        for source, conf in self.layers():
            if source != "default":
                merged.update(conf)
        return merged

    def requested(self) -> dict[str, str]:
        """The conf to launch with: our own defaults under the user's conf. The core's defaults
        are not in it: the core applies them itself, under this conf."""
        return {**workdir.defaults(), **self.user_conf()}

    def sources(self) -> dict[str, tuple[str, str]]:
        """key -> (value, source) after merging every layer."""
        out: dict[str, tuple[str, str]] = {}
        for source, conf in self.layers():
            for key, value in conf.items():
                out[key] = (value, source)
        return out

    def overridden(self) -> dict[str, list[tuple[str, str]]]:
        """key -> the (value, source) pairs of lower layers that a higher one replaced with
        another value, nearest first: a profile's value hidden by a saved one is still shown."""
        out: dict[str, list[tuple[str, str]]] = {}
        winners = self.sources()
        for source, conf in self.layers():
            for key, value in conf.items():
                if source != winners[key][1] and value != winners[key][0]:
                    out.setdefault(key, []).insert(0, (value, source))
        return out

    def unmet(self, running: dict[str, str]) -> dict[str, tuple[str, str]]:
        """What this start asked for that a running server (started with `running`, its user
        conf) does not have: key -> (its value there, the value asked). Asked: the `--conf` items,
        and the profile's when the start named it; the saved conf is `%spark conf`'s business."""
        named = self.profile_named and self.profile is not None
        asked = dict(self.profile.conf) if named and self.profile is not None else {}
        asked.update(self.line)
        defaults = dict(self.layers()[0][1])
        return {
            key: (now, value)
            for key, value in sorted(asked.items())
            if (now := running.get(key, defaults.get(key, "(unset)"))) != value
        }

    @property
    def env(self) -> dict[str, str]:
        return dict(self.profile.env) if self.profile else {}
