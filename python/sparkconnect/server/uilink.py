"""Where the browser reaches the Spark Web UI.

The UI listens on 127.0.0.1 inside the user's container. A browser on the same machine reaches it
at http://localhost:PORT; a browser talking to a remote JupyterLab reaches it only through the
Jupyter server. The kernel cannot see how the browser reaches Jupyter, so it goes by these signs,
first match wins:

1. `SparkConnect.ui_url` (a template with `{port}`) when set: the admin or user knows best.
2. `$SPARKCONNECT_UI_PROXY`, which our Jupyter server extension (uiproxy.py) sets to
   `<base_url>sparkui/` for the kernels it starts: every page of the UI works there, and the
   address outlives restarts of the server.
3. `$JUPYTERHUB_SERVICE_PREFIX` (JupyterHub sets it, e.g. `/user/alice/`): the notebook server is
   remote, so localhost cannot work; jupyter-server-proxy under the hub prefix is the way.
4. In a kernel that a Jupyter server started (JupyterLab, Notebook: they set
   `$JPY_SESSION_NAME`) with jupyter-server-proxy installed: `/proxy/PORT/jobs/` (base URL `/`).
   (Kernels run by other front ends, such as nbclient or an editor's notebook view, do not get
   this link: they cannot reach Jupyter's proxy.)
5. Otherwise `http://localhost:PORT/jobs/`.

Under `proxy/PORT/` (rules 3 and 4: a Jupyter server without sparkconnect in its environment)
Spark's page scripts take PORT for the application id, so the Executors, Environment and SQL
pages and a stage's task table stay empty; the jobs and stages lists work. Links go to `/jobs/`
directly: the UI's root redirect is absolute and would leave the proxy.
"""

from __future__ import annotations

import importlib.util
import os

HUB_PREFIX_ENV = "JUPYTERHUB_SERVICE_PREFIX"
UI_PROXY_ENV = "SPARKCONNECT_UI_PROXY"
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
    """`path` on a loopback `port` as the browser reaches it through Jupyter's proxy (signs 2
    and 3 above), or None when there is no such proxy."""
    prefix = os.environ.get(HUB_PREFIX_ENV)
    if prefix:
        return f"{prefix.rstrip('/')}/proxy/{port}/{path}"
    if os.environ.get(SESSION_ENV) and server_proxy_installed():
        return f"/proxy/{port}/{path}"
    return None


def spark_ui_url(port: int, template: str) -> str:
    """The link to the UI on `port`; `template` is the `SparkConnect.ui_url` option ("" when
    unset, or outside a notebook)."""
    if template:
        return template.format(port=port)
    proxied = os.environ.get(UI_PROXY_ENV)
    if proxied:
        return f"{proxied.rstrip('/')}/jobs/"
    return proxied_url(port, "jobs/") or f"http://localhost:{port}/jobs/"
