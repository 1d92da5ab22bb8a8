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

What the next start applies, later layers winning:

    sparkconnect defaults < profile < saved conf (`%spark conf K=V`) < `--conf` on the line
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sparkconnect import _core
from sparkconnect.errors import ProfileError
from sparkconnect.server import workdir

CONFIG_ENV = "SPARKCONNECT_CONFIG"
PROFILE_KEYS = ("description", "conf", "env")
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


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    conf: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


def _scalar(where: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ProfileError(
        f"{where} must be a string, number or boolean, not a {type(value).__name__}."
    )


def _flatten(where: str, table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    """`spark.driver.memory = "8g"` unquoted is a nested table in TOML; put the dots back."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(where, value, f"{name}."))
        else:
            flat[name] = _scalar(f"{where} {name!r}", value)
    return flat


def _profile(path: Path, name: str, table: object) -> Profile:
    where = f"[profiles.{name}] in {path}"
    if not isinstance(table, Mapping):
        raise ProfileError(f"{where} must be a table of description, conf and env.")
    unknown = sorted(set(table) - set(PROFILE_KEYS))
    if unknown:
        raise ProfileError(
            f"{where} has unknown key(s) {', '.join(unknown)}; a profile has "
            f"{', '.join(PROFILE_KEYS)}."
        )
    parts: dict[str, dict[str, str]] = {}
    for part in ("conf", "env"):
        value = table.get(part, {})
        if not isinstance(value, Mapping):
            raise ProfileError(f"{where}: {part} must be a table of names and values.")
        parts[part] = _flatten(f"{where}: {part}", value)
    try:
        _core.parse_conf([f"{k}={v}" for k, v in parts["conf"].items()])
    except _core.ConfError as err:
        raise ProfileError(f"{where}: {err}") from None
    for variable in parts["env"]:
        if not variable.replace("_", "a").isalnum() or variable[:1].isdigit():
            raise ProfileError(
                f"{where}: {variable!r} is not an environment variable name (letters, digits "
                "and underscores, not starting with a digit)."
            )
    return Profile(
        name,
        _scalar(f"{where} description", table.get("description", "")),
        parts["conf"],
        parts["env"],
    )


def load(path: Path | None = None) -> dict[str, Profile]:
    """Every profile in the config file; none when the file does not exist."""
    path = path or config_path()
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise ProfileError(f"Cannot read the sparkconnect config file {path}: {err}.") from None
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(
            f"The sparkconnect config file {path} is not valid TOML: {err}."
        ) from None
    tables = document.get("profiles", {})
    if not isinstance(tables, Mapping):
        raise ProfileError(f"`profiles` in {path} must be a table of [profiles.NAME] tables.")
    return {name: _profile(path, name, table) for name, table in tables.items()}


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

    def layers(self) -> list[tuple[str, dict[str, str]]]:
        """(source, conf) pairs, lowest precedence first."""
        layers = [("default", {**_core.DEFAULT_CONF, **workdir.defaults()})]
        if self.profile is not None:
            layers.append((f"profile {self.profile.name}", self.profile.conf))
        layers += [("saved", self.saved), ("--conf", self.line)]
        return layers

    def user_conf(self) -> dict[str, str]:
        """What the user asked for: every layer above the defaults."""
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
