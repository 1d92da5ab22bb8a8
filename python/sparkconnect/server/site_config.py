"""The site configuration: clusters, defaults and locks an administrator sets for every user.

Where it is read from: the first of these files that exists (only that one is read; the files
are not merged), the way Jupyter looks for its own config (an environment's prefix before the
system's):

    $SPARKCONNECT_SITE_CONFIG                     (a file, for a service that keeps it elsewhere)
    {sys.prefix}/etc/sparkconnect/config.toml     (the Python environment the kernels run in)
    /usr/local/etc/sparkconnect/config.toml
    /etc/sparkconnect/config.toml

It is read before each user's own file (`~/.config/sparkconnect/config.toml`, see profiles.py)
and has the same TOML form, plus a few keys of its own at the top level:

    default_profile = "cluster"       # used when a start names no profile (--profile), the
                                      # notebook used none before and the user has set no
                                      # SparkConnect.default_profile of their own
    master = "spark://head.example.org:7077"   # spark.master for everyone (the same as
                                      # conf."spark.master"; give one of the two)
    idle_timeout = 1800               # seconds an unused server keeps running (0: never
                                      # stops); SparkConnect.idle_timeout and --idle-timeout
                                      # still choose for themselves
    locked = ["spark.driver.memory"]  # conf keys users may not set: their saved conf, --conf,
                                      # their own profiles and the conf editors refuse them

    [conf]                            # conf for everyone, under any profile
    "spark.sql.shuffle.partitions" = 64

    [profiles.cluster]                # a profile, as in a user's file, listed to every user
    description = "The department's cluster"
    conf = { "spark.executor.memory" = "4g" }
    env = { HADOOP_CONF_DIR = "/etc/hadoop/conf" }
    env_script = "cluster-env.sh"     # relative to this file; see below

`env_script` (in a site's or a user's profile) is a bash script sourced with `set -a` just
before a server with that profile is launched (never when a notebook attaches to a running
one): the variables it sets or exports are added to the server's environment, over the
profile's `env` (a variable it unsets is not removed), and what it prints goes to the top of
the server log (`%spark logs`). A script that exits non-zero (or calls `exit`: a sourced script
ends with `return`), or still runs after 60 seconds, fails the start with its last lines of
output. It runs in its own directory, as the user, with the user's environment and the
profile's `env`.

What a start applies, later layers winning:

    sparkconnect defaults < site conf and master < the profile (site's or user's)
        < the user's saved conf < --conf on the start's line

except for locked keys, which only this file (its conf and its profiles) may set (a locked key
a user saved before it was locked refuses their starts until they unset it). A user
profile with the name of a site profile is refused, never mixed. A mistake in this file (not
TOML, an unknown key, a value of the wrong type, a profile that does not exist) is reported
with the file and the line, in one paragraph, to every user who starts a server, shows or sets
the conf, or lists the profiles (in a notebook, a terminal, the panel or the Lab sidebar).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sparkconnect import _core
from sparkconnect.errors import ProfileError
from sparkconnect.server import profile_format, profiles
from sparkconnect.server.profile_format import Located, Profile

SITE_ENV = "SPARKCONNECT_SITE_CONFIG"
SYSTEM_PATHS = (
    Path("/usr/local/etc/sparkconnect/config.toml"),
    Path("/etc/sparkconnect/config.toml"),
)
TOP_KEYS = ("profiles", "default_profile", "master", "idle_timeout", "locked", "conf")


def candidates() -> list[Path]:
    """Where a site configuration may be, first found first used."""
    found = []
    explicit = os.environ.get(SITE_ENV)
    if explicit:
        found.append(Path(explicit).expanduser())
    found.append(Path(sys.prefix) / "etc" / "sparkconnect" / "config.toml")
    found += SYSTEM_PATHS
    return found


def site_path() -> Path | None:
    return next((path for path in candidates() if path.exists()), None)


@dataclass(frozen=True)
class Site:
    """What the site configuration sets; empty when there is none."""

    path: Path | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str = ""
    conf: dict[str, str] = field(default_factory=dict)
    idle_timeout: float | None = None
    locked: tuple[str, ...] = ()
    located: Located | None = None

    def lock_owners(self) -> dict[str, str]:
        """Locked key -> who locked it (the file and line), for messages and cards."""
        where = self.located.where("locked") if self.located else str(self.path)
        return {key: where for key in self.locked}

    def check_unlocked(self, items: Mapping[str, str], by: str, remedy: str = "") -> None:
        refuse_locked(self.lock_owners(), items, by, remedy)


def refuse_locked(
    locked: Mapping[str, str], items: Mapping[str, str], by: str, remedy: str = ""
) -> None:
    """ConfError for the first of `items` that `locked` (key -> who locked it) holds: `by` says
    who tried (e.g. "your saved conf"), `remedy` what to do instead."""
    for key in sorted(items):
        if key in locked:
            raise _core.ConfError(
                f"{key} is locked by the site configuration ({locked[key]}): its "
                f"administrators set it for every user, so {by} cannot set it."
                + (f" {remedy}" if remedy else "")
            )


def load(path: Path | None = None) -> Site:
    """The site configuration (the first file found, or `path`); ProfileError naming the file
    and the line when it is malformed."""
    path = path or site_path()
    if path is None:
        return Site()
    found = profiles.read(path, "site config file")
    if found is None:
        return Site()
    document, located = found
    unknown = sorted(set(document) - set(TOP_KEYS))
    if unknown:
        raise ProfileError(
            f"{located.where(unknown[0])}: unknown key(s) {', '.join(unknown)} in the sparkconnect "
            f"site config file; it may hold {', '.join(TOP_KEYS)}."
        )
    found_profiles = profiles.profile_tables(document, located, profile_format.SITE)
    conf = profile_format.conf_table(located, ("conf",), document.get("conf", {}))
    master = _text(located, document, "master")
    if master:
        if "spark.master" in conf:
            raise ProfileError(
                f"{located.where('master')}: the site config file sets both `master` and "
                "conf spark.master; keep one."
            )
        conf["spark.master"] = master
    default = _text(located, document, "default_profile")
    if default and default not in found_profiles:
        known = ", ".join(sorted(found_profiles)) or "none"
        raise ProfileError(
            f"{located.where('default_profile')}: default_profile {default!r} is not a profile "
            f"of the site config file (it defines {known})."
        )
    return Site(
        path,
        found_profiles,
        default,
        conf,
        _seconds(located, document.get("idle_timeout")),
        _locked(located, document.get("locked", [])),
        located,
    )


def _text(located: Located, document: Mapping[str, object], key: str) -> str:
    value = document.get(key, "")
    if not isinstance(value, str):
        raise ProfileError(f"{located.where(key)}: {key} must be a string.")
    return value


def _seconds(located: Located, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ProfileError(
            f"{located.where('idle_timeout')}: idle_timeout must be a number of seconds (0 or "
            f"more; 0 keeps an unused server running), not {value!r}."
        )
    return float(value)


def _locked(located: Located, value: object) -> tuple[str, ...]:
    keys = value if isinstance(value, list) else None
    if keys is None or not all(isinstance(k, str) and k and not k.isspace() for k in keys):
        raise ProfileError(
            f"{located.where('locked')}: locked must be a list of conf keys, e.g. "
            '["spark.driver.memory", "spark.executor.memory"].'
        )
    return tuple(k.strip() for k in keys)


def safe_idle_timeout(default: float) -> float:
    """The site's idle timeout, else `default`; a broken site file is reported where profiles
    are used, not where an option's default is read (loading the extension must not fail)."""
    try:
        value = load().idle_timeout
    except ProfileError:
        return default
    return default if value is None else value


def all_profiles(site: Site, user_path: Path | None = None) -> dict[str, Profile]:
    """The site's profiles and the user's (of `user_path`, else the user's config file);
    ProfileError when a user profile takes a site profile's name (which one would a start use?
    neither, silently)."""
    user_path = user_path or profiles.config_path()
    read = profiles.read(user_path, "config file")
    if read is None:
        return dict(site.profiles)
    mine = profiles.profile_tables(*read, profile_format.USER)
    for name in sorted(set(mine) & set(site.profiles)):
        theirs = site.located.where("profiles", name) if site.located else str(site.path)
        raise ProfileError(
            f"Your profile {name!r} ({read[1].where('profiles', name)}) has the name of a "
            "profile of the site "
            f"configuration ({theirs}); a site profile cannot be replaced or mixed with your "
            f"own. Rename yours in {user_path} (the site's {name!r} stays available)."
        )
    return {**site.profiles, **mine}


def find(name: str, site: Site) -> Profile:
    """The profile `name`, the site's or the user's."""
    found = all_profiles(site)
    if name in found:
        return found[name]
    user_path = profiles.config_path()
    files = f"{user_path}" + (f" or the site configuration {site.path}" if site.path else "")
    if not found:
        return profiles.get(name, user_path)  # explains how to write one
    raise ProfileError(
        f"There is no profile {name!r} in {files}; there are {', '.join(sorted(found))}."
    )
