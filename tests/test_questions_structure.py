"""The questions package: no import cycle (counting imports inside functions and for type
checking only), no module over ~350 lines, and one definition of an exemplar, read alike by
the analyses, the followers view and the funding check."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from graph_builder.export import views
from graph_builder.questions import exemplars as exemplar_rules
from graph_builder.questions.projection import project
from graph_builder.store.embedded import open_store

PACKAGE = Path(__file__).resolve().parent.parent / "graph_builder" / "questions"
MAX_LINES = 350


def imports_between(folder: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports, wherever the import statement is."""
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    found: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        found[name] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == package:
                found[name] |= {a.name for a in node.names if a.name in names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + "."):
                found[name].add(str(node.module).removeprefix(package + "."))
            elif isinstance(node, ast.Import):
                found[name] |= {a.name.removeprefix(package + ".") for a in node.names if a.name.startswith(package)}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every module that can reach itself, with one path back to it."""
    found = []
    for start in sorted(graph):
        todo, seen = [[start]], set()
        while todo:
            path = todo.pop()
            for nxt in sorted(graph.get(path[-1], ())):
                if nxt == start:
                    found.append([*path, start])
                    todo = []
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append([*path, nxt])
    return found


def test_no_import_cycle_even_counting_function_level_imports():
    assert cycles(imports_between(PACKAGE, "graph_builder.questions")) == []


def test_no_module_over_the_size_limit():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_the_followers_view_the_analyses_and_the_funding_check_count_the_same_exemplars(built):
    store = open_store(built.out_dir)
    graph = project(store, ("partnership", "participation"))
    for day in (date(2016, 12, 31), date(2018, 1, 31), None):
        view = views.select(views.projection(store, "followers"), "followers", day)
        shown = {n for n, d in view.nodes(data=True) if "exemplar" in str(d.get("role", "")).split(";")}
        assert shown == set(exemplar_rules.exemplars(graph, day)), day
    exemplar_roles = {data["role"] for _, data in exemplar_rules.exemplar_participations(graph)}
    assert exemplar_roles == set(exemplar_rules.EXEMPLAR_ROLES)
    assert set(exemplar_rules.COUNTED_ROLES) & exemplar_roles == {"exemplar"}  # a joint exemplar shares a place
