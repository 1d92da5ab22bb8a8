"""Execute a notebook in a real Jupyter kernel and print every cell with its text outputs.

python examples/run_notebook.py examples/quickstart.ipynb
"""

from __future__ import annotations

import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def text_of(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return str(output.text).rstrip("\n")
    if output.output_type in ("display_data", "execute_result"):
        return str(output.data.get("text/plain", "")).rstrip("\n")
    return f"{output.ename}: {output.evalue}"


def main(path: str) -> int:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3")
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
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "examples/quickstart.ipynb"))
