"""Where the browser reaches the Spark Web UI.

The UI listens on 127.0.0.1 inside the user's container and answers only requests signed with its
server's key (Spark's JWSFilter; see `ui_headers`): a browser pointed straight at its port gets
403. The ways in are our own signing front ends, first match wins:

1. `SparkConnect.ui_url` (a template with `{port}`) when set: the admin or user knows best (it
   must lead to something that signs, such as our Jupyter server extension behind a gateway).
2. `$SPARKCONNECT_UI_PROXY`, which our Jupyter server extension (uiproxy.py) sets to
   `<base_url>sparkui/` for the kernels it starts: it signs each request, every page of the UI
   works there, and the address outlives restarts of the server. That path serves a link in a
   page the Jupyter server sent, whatever address the browser reached it by; text that a
   terminal shows (the `sparkconnect` command or IPython in a JupyterLab terminal, which inherit
   the same environment) has no page to be relative to, and gives `$SPARKCONNECT_UI_ADDRESS`
   instead: the same path on the Jupyter server's own address.
3. Otherwise no link: `HOW_TO_OPEN` says to run `sparkconnect ui` in a terminal, which serves
   the UI on a private address (ui_forwarder.py).

jupyter-server-proxy's generic `proxy/PORT/` is no way in any more: it passes requests on
unsigned. (`proxied_url` below still serves the panel's cancel endpoint, which is ours.)
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sparkconnect._core import ServerInfo

HUB_PREFIX_ENV = "JUPYTERHUB_SERVICE_PREFIX"
UI_PROXY_ENV = "SPARKCONNECT_UI_PROXY"
UI_ADDRESS_ENV = "SPARKCONNECT_UI_ADDRESS"
SESSION_ENV = "JPY_SESSION_NAME"


def check_template(template: str) -> str:
    """A `ui_url` template must name `{port}` and nothing else; raise ValueError otherwise."""
    if not template:
        return template
    try:
        example = template.format(port=4040)
    except (KeyError, IndexError, ValueError) as err:
        raise ValueError(
            f"ui_url {template!r} is not a valid template: use {{port}} for the UI port, e.g. "
            "'https://hub.example.org/user/alice/proxy/{port}/jobs/'"
            f" ({type(err).__name__}: {err})"
        ) from None
    if example == template:
        raise ValueError(f"ui_url {template!r} must contain {{port}}, the Spark UI port.")
    return template


def server_proxy_installed() -> bool:
    return importlib.util.find_spec("jupyter_server_proxy") is not None


def proxied_url(port: int, path: str = "") -> str | None:
    """`path` on a loopback `port` as the browser reaches it through jupyter-server-proxy (under
    `$JUPYTERHUB_SERVICE_PREFIX`, or `/` in a kernel a Jupyter server started), or None when
    there is no such proxy."""
    prefix = os.environ.get(HUB_PREFIX_ENV)
    if prefix:
        return f"{prefix.rstrip('/')}/proxy/{port}/{path}"
    if os.environ.get(SESSION_ENV) and server_proxy_installed():
        return f"/proxy/{port}/{path}"
    return None


HOW_TO_OPEN = (
    "`sparkconnect ui` in a terminal opens it (the UI answers only requests signed with the "
    "server's key, so a direct link to its port would be refused)"
)
"""What to do where there is no link to give (rule 3 above)."""


def spark_ui_url(port: int, template: str, absolute: bool = False) -> str:
    """The link to the UI on `port`, or "" when there is none to give (then say HOW_TO_OPEN);
    `template` is the `SparkConnect.ui_url` option ("" when unset, or outside a notebook);
    `absolute`: for text, which has no page to be relative to (see rule 2 above)."""
    if template:
        return template.format(port=port)
    address = os.environ.get(UI_ADDRESS_ENV) if absolute else None
    proxied = address or os.environ.get(UI_PROXY_ENV)
    if proxied:
        return f"{proxied.rstrip('/')}/jobs/"
    return ""


def ui_headers(server: ServerInfo) -> dict[str, str]:
    """The headers a signing front end adds to one request (made within a few minutes) it
    passes on to `server`'s Spark UI: the core signs it with the server's UI key. Empty for a
    server recorded before the UI was locked. (The package's own requests to the UI go through
    the core's client, `ServerInfo.ui_get`, which signs them itself.)"""
    authorization = server.ui_authorization()
    return {"Authorization": authorization} if authorization else {}
