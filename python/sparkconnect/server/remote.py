"""Spark Connect endpoints that someone else runs: URLs, where their token comes from, masking.

The token never has to be typed into a notebook: it can come from an environment variable or a
file, and every URL we show has it masked."""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from sparkconnect.errors import ConnectError

TOKEN_ENV = "SPARKCONNECT_TOKEN"
"""Read when neither the URL nor an option gives a token."""

_URL = re.compile(r"^sc://(?P<host>\[[^\]]+\]|[^:/;]+)(?::(?P<port>\d+))?(?P<rest>/.*)?$")
_TOKEN = re.compile(r"(;token=)[^;]*")


def mask(url: str) -> str:
    return _TOKEN.sub(r"\1…", url)


def split_token(url: str) -> tuple[str, str | None]:
    """The URL without its token parameter, and the token (None when it has none)."""
    found = _TOKEN.search(url)
    if found is None:
        return url, None
    return url[: found.start()] + url[found.end() :], found.group(0)[len(found.group(1)) :]


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    url: str
    """The full client URL, token included: only ever handed to pyspark."""

    @property
    def shown(self) -> str:
        return mask(self.url)


def _read_token(token_env: str | None, token_file: str | None) -> str | None:
    if token_file:
        path = Path(token_file).expanduser()
        try:
            token = path.read_text().strip()
        except OSError as err:
            raise ConnectError(
                f"Cannot read the token file {path}: {err.strerror}. Check the path, or pass the "
                "token through an environment variable with --token-env NAME."
            ) from None
        if not token:
            raise ConnectError(f"The token file {path} is empty.")
        return token
    if token_env:
        token = os.environ.get(token_env, "").strip()
        if not token:
            raise ConnectError(
                f"The environment variable {token_env} is not set (or empty) in this kernel. "
                "Set it before starting Jupyter, or use --token-file PATH."
            )
        return token
    return os.environ.get(TOKEN_ENV, "").strip() or None


def endpoint(url: str, token_env: str | None = None, token_file: str | None = None) -> Endpoint:
    """Validate `url` (sc://HOST:PORT[/;param=value...]); add the token from the env or a file."""
    found = _URL.match(url)
    if found is None:
        raise ConnectError(
            f"{mask(url)!r} is not a Spark Connect URL. Expected sc://HOST:PORT, optionally "
            "followed by /;token=...;use_ssl=true (e.g. sc://spark.example.org:15002)."
        )
    port = int(found["port"] or 15002)
    params = (found["rest"] or "/").lstrip("/")
    token = _read_token(token_env, token_file)
    if token is not None:
        if "token=" in params:
            raise ConnectError(
                "The URL already has a token and another one was given (option or "
                f"${TOKEN_ENV}); keep only one."
            )
        params = f"{params};token={token}" if params else f";token={token}"
    if params and not params.startswith(";"):
        params = ";" + params
    full = f"sc://{found['host']}:{port}/{params}"
    return Endpoint(host=found["host"].strip("[]"), port=port, url=full)


def probe(target: Endpoint, timeout: float = 5.0) -> None:
    """Fail fast on an endpoint nobody answers: pyspark would retry for minutes."""
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout):
            return
    except OSError as err:
        raise ConnectError(
            f"Nothing answers at {target.host}:{target.port} ({err.strerror or err}). Check the "
            "host and port, and that the Spark Connect server is running and reachable from "
            "this machine."
        ) from None
