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
from sparkconnect.server.uilink import UI_PROXY_ENV
from sparkconnect.web import handlers, uiproxy
from sparkconnect.web.lab_state import LabState


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "sparkconnect.web"}]


def _load_jupyter_server_extension(app: Any) -> None:
    from jupyter_server.utils import url_path_join

    caller.use(caller.LAB)
    base = app.web_app.settings["base_url"]
    ui_routes = uiproxy.routes(base)
    app.web_app.add_handlers(".*", [*handlers.routes(base, LabState()), *(ui_routes or [])])
    if ui_routes is None:
        app.log.info("sparkconnect: jupyter-server-proxy is not installed; no /%s/", uiproxy.PATH)
        return
    os.environ[UI_PROXY_ENV] = url_path_join(base, uiproxy.PATH) + "/"
    app.log.info("sparkconnect: the Spark UI is served at %s", os.environ[UI_PROXY_ENV])
