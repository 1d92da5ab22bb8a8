"""The Spark UI through the Jupyter server, at `<base_url>sparkui/`.

jupyter-server-proxy's `<base_url>proxy/<port>/` serves the UI's pages, but Spark's page scripts
read the path segment after `proxy` as the application id: behind it, the Executors page and a
stage's task table ask for `/proxy/<port>/api/v1/applications/<port>/...` and stay empty. Here the
UI is served under a path without that segment, so the scripts ask the UI's REST API for the
application id as they do on a direct connection, and every page renders. The port is read from
the user's server state on every request, so the address stays the same across restarts and a
stopped server gets a page that says so instead of a connection error.

The UI answers only signed requests (Spark's JWSFilter): the handler adds the signature to each
request it passes on, upstream only, so the browser never holds it. The Jupyter server's own
authentication decides who may use this address, as for every other Jupyter page.

Registered by the package's Jupyter server extension (web/__init__.py); it reuses
jupyter-server-proxy's handler (authentication, headers, redirects). Kernels the Jupyter server
starts afterwards inherit `SPARKCONNECT_UI_PROXY`, the address, which is how the notebooks' Spark
UI link knows the proxy is there (see uilink.py).
"""

from __future__ import annotations

from typing import Any

from sparkconnect._core import ServerInfo
from sparkconnect.server import lifecycle, uilink

PATH = "sparkui"
NO_SERVER = (
    "No Spark Connect server is running, so there is no Spark UI to show. `%spark start` in a "
    "notebook (or `sparkconnect start` in a terminal) launches it; then reload this page."
)


def current_server() -> ServerInfo | None:
    """The user's running server, if one runs."""
    return lifecycle.status().server


def routes(base: str) -> list[tuple[str, type, dict[str, Any]]] | None:
    """The handlers that serve the UI at <base>sparkui/, or None without jupyter-server-proxy."""
    try:
        from jupyter_server_proxy.handlers import AddSlashHandler, NamedLocalProxyHandler
    except ImportError:
        return None
    from jupyter_server.utils import url_path_join
    from tornado import web

    class SparkUIHandler(NamedLocalProxyHandler):  # type: ignore[misc]
        """jupyter-server-proxy's named-server handler, with the port looked up per request."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Spark prefixes its links with X-Forwarded-Context, which the proxy sets from this.
            self.proxy_base = PATH
            self._server: ServerInfo | None = None

        def _running(self) -> ServerInfo:
            """The server this request goes to, read once per request (a handler serves one)."""
            if self._server is None:
                self._server = current_server()
            if self._server is None:
                # "%s": the message names `%spark`, and tornado %-formats log messages.
                raise web.HTTPError(503, "%s", NO_SERVER, reason="No Spark Connect server")
            return self._server

        def proxy_request_headers(self) -> Any:
            # The browser's Authorization (a Jupyter token, say) is for Jupyter: Spark gets ours.
            headers = super().proxy_request_headers()
            headers.pop("Authorization", None)
            headers.update(uilink.ui_headers(self._running()))
            return headers

        async def http_get(self, path: str) -> Any:
            if path in ("", "/"):
                # The UI's own root redirect names an absolute /jobs/, which would leave the proxy.
                self.redirect(url_path_join(base, PATH, "jobs/"))
                return None
            return await super().http_get(path)

        @property
        def port(self) -> int:
            return self._running().ui_port

    return [
        (url_path_join(base, PATH, "(.*)"), SparkUIHandler, {"absolute_url": False}),
        (url_path_join(base, PATH), AddSlashHandler, {}),
    ]
