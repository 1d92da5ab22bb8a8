"""Run a function right after a module is imported, or now if it already is.

The pyspark patches of this package must be in place before user code can call what they patch,
yet `%load_ext` must not import pyspark itself (half a second; a background thread does it). A
cell that loads the extension and builds a session in the next line would otherwise race that
thread. A post-import hook closes the gap: the patch is applied inside the import, before any
caller can get hold of the module.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
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


class _Loader(importlib.abc.Loader):
    """Delegates to the real loader, then runs the waiting patches."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        # The module's spec names the real loader again, so reloads and tools that inspect
        # `__loader__` see what they expect.
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        module.__loader__ = self._loader
        self._loader.exec_module(module)
        _run(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds waited-for modules through the other finders and wraps their loader."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _waiting:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None
