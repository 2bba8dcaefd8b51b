"""The imports between the modules of one subpackage, function-level imports included (shared by the test files)."""

from __future__ import annotations

import ast
from pathlib import Path

import graph_builder

PACKAGE = Path(graph_builder.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_within(subpackage: str) -> dict[str, set[str]]:
    """Module -> the modules of the same subpackage it imports anywhere in its text."""
    paths = sorted((PACKAGE / subpackage).glob("*.py"))
    names = {_module_name(p) for p in paths}
    found: dict[str, set[str]] = {}
    for path in paths:
        module = _module_name(path)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        found[module] = {t for t in targets if t in names and t != module}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle, as the path from a module back to itself (depth-first; empty if none)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            found.append([*path[path.index(module) :], module])
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return found


def longest_module(subpackage: str) -> tuple[int, str]:
    """The line count and name of the subpackage's longest module."""
    return max((len(p.read_text(encoding="utf-8").splitlines()), p.name) for p in (PACKAGE / subpackage).glob("*.py"))
