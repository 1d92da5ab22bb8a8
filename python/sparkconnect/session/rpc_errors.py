"""Why a Spark Connect endpoint refused a session, in words.

pyspark reports a refused call as the repr of a gRPC error (`<_InactiveRpcError of RPC that
terminated with: status = ... details = ...>`), several lines long and meaningless to most users.
`refusal` reads the gRPC status code and details out of it and says what they mean and what to do:
no or a wrong token, nobody reachable, a TLS mismatch, or a server that does not speak this
client's protocol.

This module imports grpc and so is only imported once a session is being made.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc


@dataclass(frozen=True)
class RpcFailure:
    code: grpc.StatusCode | None
    details: str


def rpc_failure(error: BaseException) -> RpcFailure:
    """The gRPC status code and details an error carries: its own, or those of the gRPC error it
    was raised from or while handling (pyspark wraps them)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code, details = getattr(current, "code", None), getattr(current, "details", None)
        if isinstance(current, grpc.RpcError) and callable(code) and callable(details):
            return RpcFailure(code(), str(details() or "").strip())
        current = current.__cause__ or current.__context__
    code = getattr(error, "getGrpcStatusCode", None)
    found = code() if callable(code) else None
    first = str(error).strip().splitlines()
    return RpcFailure(
        found if isinstance(found, grpc.StatusCode) else None, first[0] if first else ""
    )


def _tls(details: str) -> bool:
    lowered = details.lower()
    return any(word in lowered for word in ("handshake", "ssl", "tls", "certificate"))


def refusal(error: BaseException, shown: str, host: str, has_token: bool) -> str:
    """One paragraph: why the endpoint `shown` (its masked URL) refused a session, and what to do.
    `has_token`: the client sent a token."""
    failure = rpc_failure(error)
    code, details = failure.code, failure.details
    said = f" (the server said: {details.rstrip('.')})" if details else ""
    if code == grpc.StatusCode.UNAUTHENTICATED:
        given = "the token given was not accepted" if has_token else "no token was given"
        return (
            f"{shown} refused the session: it requires an authentication token and {given}"
            f"{said}. Pass the right one with --token-file PATH or --token-env NAME."
        )
    if code == grpc.StatusCode.UNAVAILABLE and _tls(details):
        why = (
            "pyspark uses TLS when a token is given and the host is not literally `localhost`"
            if has_token and host != "localhost"
            else "the client asked for TLS (use_ssl=true)"
        )
        return (
            f"The TLS handshake with {shown} failed: {why}, and the server does not speak TLS on "
            "that port (or presents a certificate this machine does not trust). For a server on "
            "this machine write sc://localhost:PORT; for a remote one, ask its operators "
            "whether it serves TLS."
        )
    if code == grpc.StatusCode.UNAVAILABLE:
        return (
            f"{shown} is unreachable{said}. Check the host and port, and that the Spark Connect "
            "server runs and accepts connections from this machine."
        )
    if code == grpc.StatusCode.UNIMPLEMENTED:
        import pyspark

        return (
            f"{shown} does not speak this client's Spark Connect protocol{said}: it is not a "
            "Spark Connect server, or its Spark version does not match this kernel's pyspark "
            f"{pyspark.__version__}. Install the pyspark version of the server's Spark."
        )
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return f"{shown} did not answer in time{said}; it may be overloaded. Try again later."
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return f"{shown} refused access to this user{said}. Ask its operators for access."
    name = code.name if code is not None else type(error).__name__
    return f"{shown} refused the session ({name}{': ' + details if details else ''})."
