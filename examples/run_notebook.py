"""Execute a notebook in a real Jupyter kernel and print every cell with its text outputs.

python examples/run_notebook.py examples/quickstart.ipynb
python examples/run_notebook.py --ext sparkconnect examples/classic_pyspark.ipynb

The kernel starts in the notebook's folder, as Jupyter starts it. `--ext NAME` loads an IPython
extension when the kernel starts, as a site's `ipython_kernel_config.py` would
(`c.InteractiveShellApp.extensions`), so a notebook that never loads it runs unchanged.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def text_of(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return str(output.text).rstrip("\n")
    if output.output_type in ("display_data", "execute_result"):
        return str(output.data.get("text/plain", "")).rstrip("\n")
    return f"{output.ename}: {output.evalue}"


def main(path: str, extensions: list[str]) -> int:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(path).resolve().parent)}},
        extra_arguments=[f"--ext={name}" for name in extensions],
    )
    failed = None
    try:
        client.execute()
    except CellExecutionError as err:
        failed = err
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = str(cell.source).replace("\n", "\n         ")
        print(f"In  [{cell.get('execution_count') or ' '}]: {source}")
        for output in cell.get("outputs", []):
            print("    " + text_of(output).replace("\n", "\n    "))
        print()
    if failed is not None:
        print(f"The notebook stopped at a failing cell:\n{failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", default="examples/quickstart.ipynb")
    parser.add_argument("--ext", action="append", default=[], help="extension to preload")
    arguments = parser.parse_args()
    sys.exit(main(arguments.notebook, arguments.ext))
