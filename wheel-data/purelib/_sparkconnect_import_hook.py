"""Run a function right after a module is imported, or now if it already is.

sparkconnect patches a few pyspark functions, and each patch must be in place before any code
can call what it patches, without importing pyspark early (half a second): `%load_ext` leaves the
import to a background thread, and a cell that builds a session in the next line would race it.
A post-import hook closes the gap: the patch runs inside the import, before any caller gets hold
of the module.

A module of its own, outside the sparkconnect package, because the start-up hook of the
processes a notebook starts (`_sparkconnect_token_scope`) uses it too, and importing the package
takes about a tenth of a second, which every such process (`!pip list` too) would pay. For the
same reason it imports neither `typing` nor `importlib.abc` (about 20 ms together): a finder and
a loader need no base class.
"""

from __future__ import annotations

import importlib
import sys
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import ModuleType
    from typing import Any

_lock = threading.RLock()
_waiting: dict[str, list[Callable[[ModuleType], None]]] = {}


def when_imported(name: str, patch: Callable[[ModuleType], None]) -> None:
    """Call `patch(module)` once module `name` is imported: now if it already is."""
    with _lock:
        if name not in sys.modules:
            _waiting.setdefault(name, []).append(patch)
            if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
                sys.meta_path.insert(0, _Finder())
            return
    # Imported, or being imported by another thread: import_module waits for that to finish.
    patch(importlib.import_module(name))


def _run(module: ModuleType) -> None:
    with _lock:
        patches = _waiting.pop(module.__name__, [])
    for patch in patches:
        patch(module)


class _Loader:
    """Delegates to the real loader, then runs the waiting patches."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        # The module's spec names the real loader again, so reloads and tools that inspect
        # `__loader__` see what they expect.
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        module.__loader__ = self._loader
        self._loader.exec_module(module)
        _run(module)


class _Finder:
    """Finds waited-for modules through the other finders and wraps their loader."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> Any:
        if fullname not in _waiting:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    wrapped: Any = _Loader(spec.loader)
                    spec.loader = wrapped
                return spec
        return None
