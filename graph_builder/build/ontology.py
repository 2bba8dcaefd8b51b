"""The ontology and concept schemes as quads of the `ontology` named graph.

They are small, so rdflib parses them; blank nodes (OWL lists) get canonical labels
so the output stays byte-identical from one build to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from graph_builder.core import iri as mint
from graph_builder.core import resources
from graph_builder.core import terms as t
from graph_builder.core.errors import InputError, Problem


def node_text(node: Node) -> str:
    """An rdflib term as N-Triples text (never the long-string forms of `n3()`)."""
    if isinstance(node, URIRef):
        return t.iri(str(node))
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        if node.language:
            return t.lit(str(node)) + f"@{node.language}"
        return t.lit(str(node), str(node.datatype) if node.datatype else None)
    raise TypeError(f"unexpected RDF term {node!r}")


def parse_ontology(files: list[Path] | None = None) -> Graph:
    """The ontology files parsed into one graph; a syntax error is an InputError."""
    graph = Graph()
    for path in files if files is not None else resources.ontology_files():
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise InputError([Problem(str(path), 0, "", f"is not valid Turtle: {exc}")]) from exc
    return graph


def quads(files: list[Path] | None = None) -> Iterator[t.Quad]:
    graph = t.iri(mint.graph("ontology"))
    canonical = to_canonical_graph(parse_ontology(files))
    for s, p, o in canonical:
        yield t.Quad(node_text(s), node_text(p), node_text(o), graph)
