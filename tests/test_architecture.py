"""The package's shape, as docs/architecture.md draws it: no forbidden arrow, no import cycle.

Every `import` in graph_builder/ is read with `ast`: at module level, inside functions, and
under `if TYPE_CHECKING:`. Type-checking imports count: they are how a cycle is hidden from
the interpreter, and an annotation naming another stage's class is still a dependency on that
stage (it breaks when that class changes). The allowed arrows are the table of
docs/architecture.md (one source of truth: the page a maintainer reads is the rule the test
applies).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "graph_builder"
PAGE = REPO / "docs" / "architecture.md"
ROOT = "graph_builder"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def subpackage(module: str) -> str:
    """`graph_builder.questions.network` -> `questions`; the package's own modules -> `graph_builder`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and module in _PACKAGES) else ROOT


_PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if module in _PACKAGES else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name: str) -> str | None:
    """The longest prefix of a dotted name that is a module of the package."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in MODULES:
            return ".".join(parts[:end])
    return None


def _member(source: str, name: str) -> str:
    """`from X import n`: the module X.n if there is one, else X (n is a name defined in X)."""
    return f"{source}.{name}" if f"{source}.{name}" in MODULES else source


def imports_in(module: str, source: str) -> dict[str, int]:
    """Each module of the package that `module` imports, with the first line that does, wherever the import is."""
    found: dict[str, int] = {}
    for target, line in _imports(module, ast.parse(source)):
        found[target] = min(line, found.get(target, line))
    return dict(sorted(found.items()))


def _imports(module: str, tree: ast.Module) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            names = [_member(source, alias.name) for alias in node.names]
        else:
            continue
        for name in names:
            target = _known(name) if name.startswith(ROOT) else None
            if target is not None and target != module:
                yield target, node.lineno


GRAPH: dict[str, dict[str, int]] = {m: imports_in(m, p.read_text(encoding="utf-8")) for m, p in MODULES.items()}


def allowed_arrows() -> dict[str, set[str]]:
    """The table of docs/architecture.md: | `subpackage` | owns | `may`, `import` |."""
    table: dict[str, set[str]] = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.fullmatch(r"`\w+`", cells[0]):
            continue
        name = cells[0].strip("`")
        names = set(re.findall(r"`(\w+)`", cells[2]))
        table[name] = names | ({"*"} if "every subpackage" in cells[2] else set())
    return table


def test_the_page_has_a_row_for_every_subpackage():
    table = allowed_arrows()
    present = {subpackage(m) for m in MODULES}
    assert present <= set(table), f"docs/architecture.md has no row for {sorted(present - set(table))}"
    gone = sorted(set(table) - present)
    assert not gone, f"docs/architecture.md names subpackages that are gone: {gone}"
    named = {n for names in table.values() for n in names} - {"*"}
    assert named <= present, f"docs/architecture.md allows arrows to unknown subpackages: {sorted(named - present)}"


def test_no_import_crosses_a_forbidden_arrow():
    table = allowed_arrows()
    wrong = []
    for module, targets in sorted(GRAPH.items()):
        here = subpackage(module)
        for target, line in sorted(targets.items()):
            there = subpackage(target)
            if target == ROOT:  # the package root: the version, importing nothing (the page says so)
                continue
            if there != here and there not in table[here] and "*" not in table[here]:
                wrong.append(f"{MODULES[module].relative_to(REPO)}:{line}: {here} imports {there} ({target})")
    assert not wrong, "imports docs/architecture.md forbids:\n" + "\n".join(wrong)


def test_the_package_root_imports_nothing_of_the_package():
    """Every module may import `graph_builder` (the version) because it imports no module back."""
    assert GRAPH[ROOT] == {}, f"graph_builder/__init__.py imports {sorted(GRAPH[ROOT])}"


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = stack[stack.index(node) :]
                    del stack[stack.index(node) :]
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in stack:
                low[node] = min(low[node], index[child])
    return sorted(found)


def _describe(component: list[str]) -> str:
    inside = set(component)
    arrows = [
        f"{a.removeprefix(ROOT + '.')} -> {b.removeprefix(ROOT + '.')} ({MODULES[a].relative_to(REPO)}:{GRAPH[a][b]})"
        for a in component
        for b in sorted(GRAPH[a])
        if b in inside
    ]
    return "cycle among " + ", ".join(m.removeprefix(ROOT + ".") for m in component) + ":\n    " + "\n    ".join(arrows)


def test_no_import_cycle_between_modules():
    found = cycles(GRAPH)
    assert not found, "import cycles (function-level and TYPE_CHECKING imports counted):\n" + "\n".join(
        _describe(c) for c in found
    )


def test_the_checks_see_what_they_must():
    """The reader finds imports inside functions and under TYPE_CHECKING, and cycles are found."""
    assert "graph_builder.cli.main" in GRAPH["graph_builder.__main__"]
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []
    source = (
        "import os\nfrom . import render\nfrom ..core.errors import UsageError\n"
        "def f():\n    from graph_builder.core import iri\n"
        "if TYPE_CHECKING:\n    import graph_builder.store.embedded as e\n"
    )
    assert imports_in("graph_builder.cli.main", source) == {
        "graph_builder.cli.render": 2,
        "graph_builder.core.errors": 3,
        "graph_builder.core.iri": 5,
        "graph_builder.store.embedded": 7,
    }
    assert imports_in("graph_builder.questions", "from .projection import project\n") == {
        "graph_builder.questions.projection": 1
    }
    assert subpackage("graph_builder.questions.projection") == "questions"
    assert subpackage("graph_builder.questions") == "questions"
    assert subpackage("graph_builder.__main__") == ROOT


MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60


def test_every_module_reads_in_one_sitting():
    """No module over ~350 lines and no function over 60 (docs/architecture.md says so)."""
    too_long = [
        f"{p.relative_to(REPO)}: {n} lines"
        for p in MODULES.values()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    functions = [
        f"{p.relative_to(REPO)}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1} lines"
        for p in MODULES.values()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_long + functions, "split along the seams:\n" + "\n".join(too_long + functions)
