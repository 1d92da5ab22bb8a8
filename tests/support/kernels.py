"""Kernels with the extension loaded and a server started, for tests of several notebooks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drive.kernels import Kernel


@contextmanager
def attached_kernels(*envs: dict[str, str]) -> Iterator[tuple[Kernel, ...]]:
    """A kernel per environment, each with the extension loaded and `%spark start` run (the first
    launches the server of their home, the others attach); shut down afterwards."""
    kernels = tuple(Kernel(env) for env in envs)
    try:
        for kernel in kernels:
            started = kernel.run("%load_ext sparkconnect\n%spark start")
            assert started.status == "ok", started.text
        yield kernels
    finally:
        for kernel in kernels:
            kernel.shutdown()
