"""What a start uses for what its caller left out: the profile, the idle timeout, the warm-up.

A start is not always asked for in a `%spark start` line: the lazy `spark`, the classic builder,
the Python API and the kernel's pre-start start servers too, and each must honour the notebook's
options. So those options live here, below the magics that set them; every change goes through
the methods below.
"""

from __future__ import annotations

from sparkconnect.server import lifecycle


class StartDefaults:
    def __init__(self) -> None:
        self._profile: str | None = None
        self._idle_timeout: float | None = None
        self._warm_up = True

    @property
    def profile(self) -> str | None:
        """The profile the next start uses when none is named: the last one used here, else the
        `SparkConnect.default_profile` option."""
        return self._profile

    @property
    def idle_timeout(self) -> float | None:
        """The `SparkConnect.idle_timeout` option (seconds, 0: never stop); None outside a
        notebook."""
        return self._idle_timeout

    @property
    def warm_up(self) -> bool:
        """Whether a server this process launches is warmed up in the background (`warmup`)."""
        return self._warm_up

    def launch_idle_timeout(self, asked: float | None = None) -> float:
        """The idle timeout for a server launched now: `asked`, else the option, else the site
        configuration's, else 15 minutes."""
        if asked is not None:
            return asked
        if self._idle_timeout is not None:
            return self._idle_timeout
        return lifecycle.default_idle_timeout()

    def follow_options(self, idle_timeout: float, warm_up: bool, default_profile: str) -> None:
        """The notebook's options, as set now. `default_profile` applies only while no profile
        was used here (a start's own profile stays the default for the next)."""
        self._idle_timeout = idle_timeout
        self._warm_up = warm_up
        if default_profile and self._profile is None:
            self._profile = default_profile

    def used_profile(self, name: str) -> None:
        """A start used the profile `name`: the next one uses it too."""
        self._profile = name

    def forget_profile(self) -> None:
        """The extension is unloaded: loading it again starts from its options."""
        self._profile = None


START_DEFAULTS = StartDefaults()
