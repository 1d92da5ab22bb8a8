"""No import circle between the package's modules.

A circle (a imports b, b imports a, directly or through others) makes the order in which modules
load matter: whichever is imported first sees the other half-initialised, so a new import line
far away can turn into an AttributeError at start-up. The graph is import-linter's (grimp): every
`import` in a module, the ones inside functions too, except those under `if TYPE_CHECKING:`, which
never run.
"""

from __future__ import annotations

import grimp

PACKAGE = "sparkconnect"
COMPILED = "_core"
"""The compiled core has no source for grimp to find: `from sparkconnect import _core` reads to it
as an import of the package root (whose `__init__` imports the API), a circle that is not there."""


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports."""
    # No cache: it would be one more directory in the checkout, for a graph built in a moment.
    graph = grimp.build_graph(PACKAGE, exclude_type_checking_imports=True, cache_dir=None)
    imports: dict[str, set[str]] = {}
    for module in graph.modules:
        imported = set(graph.find_modules_directly_imported_by(module))
        if PACKAGE in imported and all(
            _imports_core_only(detail["line_contents"])
            for detail in graph.get_import_details(importer=module, imported=PACKAGE)
        ):
            imported.discard(PACKAGE)
        imports[module] = imported
    return imports


def _imports_core_only(line: str) -> bool:
    """`from sparkconnect import _core, api`: the root itself is not imported (grimp adds `api`
    as an import of its own)."""
    prefix = f"from {PACKAGE} import "
    if not line.startswith(prefix):
        return False
    names = [name.strip() for name in line[len(prefix) :].strip("()").split(",")]
    return COMPILED in names


def circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """One shortest circle through each group of modules that import each other (each strongly
    connected component of the graph), as the modules in import order, the first repeated."""
    found = []
    for group in _components(imports):
        start = min(group)
        found.append(_shortest_circle(imports, group, start))
    return sorted(found)


def _components(imports: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components with more than one module, or a module importing
    itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(imports.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1 or module in imports.get(module, ()):
                groups.append(group)

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return groups


def _shortest_circle(imports: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for other in sorted(imports[module] & group):
                if other == start:
                    path = [module]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if other not in came_from:
                    came_from[other] = module
                    following.append(other)
        frontier = following
    raise AssertionError(f"{start} is in a circle but none leads back to it")


def test_no_module_imports_itself_through_others() -> None:
    found = circles(import_graph())
    assert not found, "import circles in the package:\n" + "\n".join(
        " -> ".join(circle) for circle in found
    )


def test_a_circle_is_named() -> None:
    # The check itself: a circle of three, beside modules that import without one.
    imports = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert circles(imports) == [["a", "b", "c", "a"], ["e", "e"]]
