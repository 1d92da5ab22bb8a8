"""One `[profiles.NAME]` table, as the user's and the site's config files both write it, and the
line of the file a mistake is on (tomllib reports lines only for syntax errors; a value of the
wrong kind is found again in the text, so the message can say where to look)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sparkconnect import _core
from sparkconnect.errors import ProfileError

PROFILE_KEYS = ("description", "conf", "env", "env_script")
SITE = "site"
USER = "user"


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    conf: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    env_script: str = ""
    """A shell script sourced before a launch (absolute path); "" for none."""
    origin: str = USER
    """SITE or USER: which config file defines it."""
    path: Path | None = None
    """That file."""

    @property
    def label(self) -> str:
        """How outputs name it and its layer: `site profile cluster`, `user profile bigmem`."""
        return f"{self.origin} profile {self.name}"


_BARE = r"[A-Za-z0-9_-]+"
_KEY = rf'(?:{_BARE}|"[^"]*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_INLINE = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")


def _parts(dotted: str) -> tuple[str, ...]:
    # A quoted key's dots are split too: conf keys are looked up by their dotted parts, whether
    # the file writes `spark.a = 1` (nested tables) or `"spark.a" = 1`.
    return tuple(
        part for m in re.findall(_KEY, dotted) for part in m.strip("\"'").split(".") if part
    )


class Located:
    """A parsed file's text, asked for the line a key path is written on."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line(self, *keys: str) -> int | None:
        """The 1-based line that best matches `keys` (a TOML path such as profiles, x, conf):
        where it is assigned, else the table or inline table that holds it; None if not found."""
        best, best_len = None, 0
        table: tuple[str, ...] = ()
        for number, text in enumerate(self.lines, 1):
            header = _HEADER.match(text)
            if header:
                table = _parts(header.group(1))
                candidates = [table]
            else:
                assign = _ASSIGN.match(text)
                if not assign:
                    continue
                here = table + _parts(assign.group(1))
                # Keys of an inline table on the same line: `conf = { "spark.a" = [1] }`.
                candidates = [here] + [here + _parts(m) for m in _INLINE.findall(text)]
            for path in candidates:
                common = _common(path, keys)
                # One path holds the other (a table holds its keys), and closer than before.
                if common in (len(path), len(keys)) and common > best_len:
                    best, best_len = number, common
        return best

    def where(self, *keys: str) -> str:
        """`/etc/sparkconnect/config.toml, line 7`: the file and the line of `keys`."""
        number = self.line(*keys)
        return f"{self.path}, line {number}" if number else str(self.path)


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def scalar(where: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ProfileError(
        f"{where} must be a string, number or boolean, not a {type(value).__name__}."
    )


def flatten(where: str, table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    """`spark.driver.memory = "8g"` unquoted is a nested table in TOML; put the dots back."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(where, value, f"{name}."))
        else:
            flat[name] = scalar(f"{where} {name!r}", value)
    return flat


def _check_conf(conf: dict[str, str], at: Callable[..., str]) -> None:
    """Each item as `--conf` would take it; `at(*key parts)` says where an item is written."""
    for key, item in conf.items():
        try:
            _core.parse_conf([f"{key}={item}"])
        except _core.ConfError as err:
            raise ProfileError(f"{at(*key.split('.'))}: {err}") from None


def conf_table(located: Located, keys: tuple[str, ...], value: object) -> dict[str, str]:
    """A table of Spark confs (`keys` is where it sits in the file), checked as `--conf` is."""

    def at(*more: str) -> str:
        return f"{'.'.join(keys)} in {located.where(*keys, *more)}"

    if not isinstance(value, Mapping):
        raise ProfileError(f"{at()} must be a table of conf keys and values.")
    conf = flatten(at(), value)
    _check_conf(conf, at)
    return conf


def parse(located: Located, name: str, table: object, origin: str) -> Profile:
    """The profile `name` of the file `located`; ProfileError names the file and the line."""
    keys = ("profiles", name)

    def at(*more: str) -> str:
        return f"[profiles.{name}] in {located.where(*keys, *more)}"

    if not isinstance(table, Mapping):
        raise ProfileError(f"{at()} must be a table of {', '.join(PROFILE_KEYS)}.")
    unknown = sorted(set(table) - set(PROFILE_KEYS))
    if unknown:
        raise ProfileError(
            f"{at(unknown[0])} has unknown key(s) {', '.join(unknown)}; a profile has "
            f"{', '.join(PROFILE_KEYS)}."
        )
    parts: dict[str, dict[str, str]] = {}
    for part in ("conf", "env"):
        value = table.get(part, {})
        if not isinstance(value, Mapping):
            raise ProfileError(f"{at(part)}: {part} must be a table of names and values.")
        parts[part] = flatten(f"{at(part)}: {part}", value)
    _check_conf(parts["conf"], lambda *key: at("conf", *key))
    for variable in parts["env"]:
        if not variable.replace("_", "a").isalnum() or variable[:1].isdigit():
            raise ProfileError(
                f"{at('env', variable)}: {variable!r} is not an environment variable name "
                "(letters, digits and underscores, not starting with a digit)."
            )
    script = table.get("env_script", "")
    if not isinstance(script, str):
        raise ProfileError(
            f"{at('env_script')}: env_script must be the path of a shell script (a string)."
        )
    if script:
        # Relative to the config file, so an administrator can ship both side by side.
        resolved = located.path.parent / Path(script).expanduser()
        if not resolved.is_file():
            raise ProfileError(
                f"{at('env_script')}: env_script {script!r} is not a file ({resolved})."
            )
        script = str(resolved)
    return Profile(
        name,
        scalar(f"{at('description')} description", table.get("description", "")),
        parts["conf"],
        parts["env"],
        script,
        origin,
        located.path,
    )
