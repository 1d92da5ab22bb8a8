"""A stand-in for someone else's Spark Connect endpoint on loopback: it records the gRPC metadata
of every call it gets, whatever the method (pyspark's `authorization: Bearer ...` header is
metadata), and answers none of them.

Unknown methods get UNIMPLEMENTED, which pyspark's client does not retry, so a client pointed
here fails at once instead of retrying for minutes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc


@dataclass
class Call:
    method: str
    metadata: list[tuple[str, str | bytes]]


@dataclass
class FakeEndpoint:
    port: int
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"sc://localhost:{self.port}"

    def recorded(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def carrying(self, secret: str) -> list[str]:
        """`method key` of every metadata entry, of every call, whose value holds `secret`:
        names only, so that a failing assertion does not print the secret."""
        found = []
        for call in self.recorded():
            for key, value in call.metadata:
                text = value.decode(errors="replace") if isinstance(value, bytes) else value
                if secret in text:
                    found.append(f"{call.method} {key}")
        return found


class _Recorder(grpc.GenericRpcHandler):
    def __init__(self, endpoint: FakeEndpoint) -> None:
        self._endpoint = endpoint

    def service(self, handler_call_details: Any) -> None:
        call = Call(handler_call_details.method, list(handler_call_details.invocation_metadata))
        with self._endpoint._lock:
            self._endpoint.calls.append(call)
        return None  # no handler: the server answers UNIMPLEMENTED


@contextmanager
def fake_endpoint() -> Iterator[FakeEndpoint]:
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    port = server.add_insecure_port("localhost:0")
    endpoint = FakeEndpoint(port)
    server.add_generic_rpc_handlers((_Recorder(endpoint),))
    server.start()
    try:
        yield endpoint
    finally:
        server.stop(grace=None)
