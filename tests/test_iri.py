"""IRIs are minted in one place: no Python code outside core/iri.py types out the base IRI.

String constants are read from the syntax tree (docstrings, which may show an IRI as an
example, are left out); saved SPARQL (.rq) and Turtle (.ttl) keep their PREFIX lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

from graph_builder.core import iri as mint

REPO = Path(__file__).resolve().parent.parent
BASE = "w3id.org/nhs-dkg"


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def typed_out(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    return [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and BASE in node.value
        if id(node) not in skip
    ]


def test_the_base_iri_is_typed_out_only_in_iri_py() -> None:
    files = sorted((REPO / "graph_builder").rglob("*.py")) + sorted((REPO / "benchmarks").rglob("*.py"))
    places = [place for f in files if f != REPO / "graph_builder/core/iri.py" for place in typed_out(f)]
    assert places == [], "use graph_builder.core.iri instead: " + ", ".join(places)


def test_iri_py_mints_the_documented_forms() -> None:
    assert mint.ontology_term("follows") == mint.BASE + "def#follows"
    assert mint.graph("ontology") == mint.BASE + "graph/ontology"
    assert (mint.SHAPES, mint.SKOLEM) == (mint.BASE + "shapes#", mint.BASE + ".well-known/genid/")
