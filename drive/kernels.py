"""Real Jupyter kernels (jupyter_client), started as JupyterLab starts them and run cell by cell."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.manager import KernelManager


@dataclass
class Output:
    """One rich output message: display_data, update_display_data or execute_result."""

    kind: str
    data: dict[str, str]
    display_id: str | None


SESSION_VARIABLES = (
    "SPARK_CONNECT_MODE_ENABLED",
    "SPARK_REMOTE",
    "SPARK_CONNECT_AUTHENTICATE_TOKEN",
    "SPARKCONNECT_CHILD_REMOTE",
)
"""What a process picks up from its own Connect session (sparkconnect exports it for scripts)."""


@dataclass
class KernelRun:
    status: str
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    error: str | None = None
    """`ename: evalue` when the cell failed."""
    outputs: list[Output] = field(default_factory=list)
    """Every rich output, updates included, in order."""
    execution_count: int | None = None
    """The cell's number, the `[n]` of its prompt."""

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


class Kernel:
    """An IPython kernel in its own process, as JupyterLab would start it."""

    def __init__(self, env: dict[str, str], quiet: bool = False) -> None:
        self.manager = KernelManager(kernel_name="python3")
        # quiet: drop what the kernel process itself prints (a classic JVM's warnings, say).
        streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL} if quiet else {}
        # A new kernel is a fresh notebook: Spark Connect settings this process picked up from
        # its own session (sparkconnect exports them for scripts) must not leak into it.
        inherited = {k: v for k, v in os.environ.items() if k not in SESSION_VARIABLES}
        self.manager.start_kernel(env={**inherited, **env}, **streams)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    @property
    def pid(self) -> int:
        provisioner: Any = self.manager.provisioner
        return int(provisioner.process.pid)

    def run(self, code: str, timeout: float = 300) -> KernelRun:
        result = KernelRun(status="")

        def collect(message: dict[str, Any]) -> None:
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                result.texts.append(content["text"])
            elif kind in ("display_data", "execute_result", "update_display_data"):
                display_id = content.get("transient", {}).get("display_id")
                result.outputs.append(Output(kind, content["data"], display_id))
                if kind != "update_display_data":
                    result.texts.append(content["data"].get("text/plain", ""))
                    result.htmls.append(content["data"].get("text/html", ""))
            elif kind == "error":
                result.error = f"{content['ename']}: {content['evalue']}"
                result.texts.append("\n".join(content["traceback"]))

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=collect)
        result.status = reply["content"]["status"]
        result.execution_count = reply["content"].get("execution_count")
        return result

    def submit(self, code: str) -> str:
        """Send a cell without waiting for it; returns its message id for `wait`."""
        return str(self.client.execute(code))

    def wait(self, msg_id: str, timeout: float = 300) -> str:
        """Wait for the reply to a submitted cell; returns its status ("ok" or "error")."""
        return str(self.reply(msg_id, timeout)["status"])

    def reply(self, msg_id: str, timeout: float = 300) -> dict[str, Any]:
        """Wait for the reply to a submitted cell; returns its content (status, ename, ...)."""
        while True:
            reply = self.client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]  # type: ignore[no-any-return]

    def shutdown(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
