"""Requests to the REST API behind the JupyterLab face, as a page makes them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from .jupyterlab import JupyterLab

API = "/sparkconnect/api/"


def call(
    lab: JupyterLab,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    token: bool = True,
    opener: urllib.request.OpenerDirector | None = None,
) -> tuple[int, Any, Any]:
    """(status, JSON body, headers) of one request to the API; POST when there is a body."""
    sent = {"Authorization": f"token {lab.token}"} if token else {}
    sent.update(headers or {})
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{lab.url}{API}{path}", data=data, headers=sent)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=120) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as err:
        try:
            return err.code, json.loads(err.read()), err.headers
        except ValueError:
            return err.code, None, err.headers


def ok(lab: JupyterLab, path: str, body: dict[str, Any] | None = None) -> Any:
    status, answer, _ = call(lab, path, body)
    assert status == 200, (path, status)
    return answer
