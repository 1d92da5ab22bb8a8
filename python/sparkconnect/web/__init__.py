"""The Jupyter server side: the package's Jupyter server extension.

It serves the REST API of the JupyterLab extension (handlers.py: the Spark sidebar, the status
bar, the log and Spark UI tabs) and the Spark UI itself (uiproxy.py), from the Jupyter server
process, for the user who runs it. `jupyter_server_config.d/sparkconnect.json`, installed with the
package, enables it in every Jupyter server of the environment. Nothing here imports IPython or
pyspark: the Jupyter server is not a kernel.
"""

from __future__ import annotations

import os
from typing import Any

from sparkconnect.server import caller
from sparkconnect.server.uilink import HUB_PREFIX_ENV, UI_ADDRESS_ENV, UI_PROXY_ENV
from sparkconnect.web import handlers, uiproxy
from sparkconnect.web.lab_state import LabState
from sparkconnect.wording import PREFIX


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "sparkconnect.web"}]


def _load_jupyter_server_extension(app: Any) -> None:
    from jupyter_server.utils import url_path_join

    caller.use(caller.LAB)
    base = app.web_app.settings["base_url"]
    ui_routes = uiproxy.routes(base)
    app.web_app.add_handlers(".*", [*handlers.routes(base, LabState()), *(ui_routes or [])])
    if ui_routes is None:
        app.log.info(PREFIX + "jupyter-server-proxy is not installed; no /%s/", uiproxy.PATH)
        return
    os.environ[UI_PROXY_ENV] = url_path_join(base, uiproxy.PATH) + "/"
    app.log.info(PREFIX + "the Spark UI is served at %s", os.environ[UI_PROXY_ENV])
    # The port is settled after extensions load (a taken port moves it on): set when the loop
    # starts, before any terminal or kernel can.
    app.io_loop.add_callback(_publish_address, app)


def _publish_address(app: Any) -> None:
    """`$SPARKCONNECT_UI_ADDRESS`: the Spark UI on the Jupyter server's own address, for text in
    its terminals (see uilink.py). Behind JupyterHub that address is internal and the public
    one unknown unless `ServerApp.custom_display_url` names it, and a Unix socket is no address a
    browser opens: then nothing is set, and text keeps the path."""
    from jupyter_server.utils import url_path_join

    root = app.custom_display_url or ("" if os.environ.get(HUB_PREFIX_ENV) else app.connection_url)
    if root:
        os.environ[UI_ADDRESS_ENV] = url_path_join(root, uiproxy.PATH) + "/"
