"""The Rust core's modules depend on each other without a cycle.

A cycle (`idle` using `server` using `idle`) means neither module can be understood, tested or
changed alone. This reads the `crate::` paths in `src/` (a `use crate::...` line or a path in the
code) and fails naming the cycle; it needs no build and no JVM.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

_COMMENT = re.compile(r"//[^\n]*")
_CRATE_PATH = re.compile(r"\bcrate::")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def module_of(path: Path, src: Path) -> str:
    """`src/x.rs`, `src/x/mod.rs` and `src/x/y.rs` all belong to the top-level module `x`."""
    parts = path.relative_to(src).parts
    return parts[0].removesuffix(".rs")


def _first_names(tree: str) -> list[str]:
    """The top-level module names a path tree after `crate::` starts with: `a::b` gives a,
    `{a, b::{c, d}, e}` gives a, b and e."""
    tree = tree.lstrip()
    if not tree.startswith("{"):
        found = _IDENT.match(tree)
        return [found.group()] if found else []
    names: list[str] = []
    depth, item_start = 0, 1
    for i, char in enumerate(tree):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if (char == "," and depth == 1) or depth == 0:
            names.extend(_first_names(tree[item_start:i]))
            item_start = i + 1
        if depth == 0:
            break
    return names


def dependencies(source: str) -> set[str]:
    """Names of the top-level modules `source` refers to through `crate::`."""
    code = _COMMENT.sub("", source)
    names: set[str] = set()
    for found in _CRATE_PATH.finditer(code):
        names.update(_first_names(code[found.end() :]))
    return names


def module_graph(src: Path) -> dict[str, set[str]]:
    """Each module of the crate in `src` and the other modules it uses."""
    files = sorted(src.rglob("*.rs"))
    modules = {module_of(path, src) for path in files}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for path in files:
        name = module_of(path, src)
        graph[name] |= (dependencies(path.read_text()) & modules) - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as the path `[a, b, ..., a]`, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph[node]):
            cycle = visit(nxt)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_the_core_has_no_module_cycle() -> None:
    graph = module_graph(SRC)
    # The parse found the crate's modules and their uses (an empty graph has no cycle either).
    assert {"server", "idle", "launch", "archive", "recorded"} <= graph.keys()
    assert {"recorded", "launch", "leases"} <= graph["server"]
    cycle = find_cycle(graph)
    assert cycle is None, "the Rust modules depend on each other in a cycle: " + " -> ".join(cycle)


def test_a_cycle_is_found_and_named(tmp_path: Path) -> None:
    (tmp_path / "lib.rs").write_text("mod idle;\nmod server;\nmod state;\nmod bindings;\n")
    (tmp_path / "state.rs").write_text("// crate::server is only mentioned here\n")
    (tmp_path / "idle.rs").write_text(
        "use crate::errors::Result;\nuse crate::{\n    state::{self, ReadState},\n    server,\n};\n"
    )
    (tmp_path / "server.rs").write_text("fn f() { crate::bindings::g(); }\n")
    (tmp_path / "bindings").mkdir()
    (tmp_path / "bindings" / "mod.rs").write_text("use super::x;\n")
    (tmp_path / "bindings" / "convert.rs").write_text("use crate::idle::watch;\n")
    graph = module_graph(tmp_path)
    assert graph["idle"] == {"state", "server"}
    assert graph["state"] == set()
    assert find_cycle(graph) == ["bindings", "idle", "server", "bindings"]
    (tmp_path / "server.rs").write_text("fn f() {}\n")
    assert find_cycle(module_graph(tmp_path)) is None
