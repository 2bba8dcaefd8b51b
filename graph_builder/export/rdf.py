"""The view's RDF: the statements about its nodes, its relation nodes and the sources they cite.

The subjects are every node of the view, the n-ary relation node behind each of its
edges (partnership, deployment, membership, ...), and every source cited by either;
their statements are taken from the build (all named graphs together, duplicates
removed) and blank nodes they point to are followed (a concise bounded description).
Statements are sorted, so the same build gives the same bytes. N-Triples and Turtle
(with the project's prefixes) and JSON-LD (expanded form, no remote context: nothing is
ever fetched to read it) are written by pyoxigraph. The whole dataset, with the
ontology, the register listings and the provenance graph, is `build/graph.trig`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph_builder.core import iri as mint
from graph_builder.core.terms import PREFIXES
from graph_builder.export.graph import PropertyGraph

if TYPE_CHECKING:
    from graph_builder.store.embedded import GraphStore

_ABOUT = "SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?s { %s } ?s ?p ?o }"
_ABOUT_ONE = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"

SUBJECTS_PER_QUERY = 500
"""Subjects looked up per query (each is an index lookup: the build is never read whole)."""


def view_triples(graph: PropertyGraph) -> list[ox.Triple]:
    """The sorted statements of the view's subjects (and the blank nodes they reach)."""
    assert graph.store is not None, "an RDF export needs the build's store"
    wanted = {n.id for n in graph.nodes} | {e.node for e in graph.edges if e.node.startswith(mint.ID)}
    wanted |= {mint.thing("source", key) for key in graph.sources}
    found: set[ox.Triple] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri) for iri in sorted(wanted)]
    seen = {str(term) for term in todo}
    while todo:
        batch, todo = todo[:SUBJECTS_PER_QUERY], todo[SUBJECTS_PER_QUERY:]
        for triple in _statements(graph.store, batch):
            found.add(triple)
            if isinstance(triple.object, ox.BlankNode) and str(triple.object) not in seen:
                seen.add(str(triple.object))
                todo.append(triple.object)
    return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _statements(store: GraphStore, subjects: list[ox.NamedNode | ox.BlankNode]) -> list[ox.Triple]:
    """The statements about some subjects, all named graphs together (IRIs in one query, blank nodes one by one)."""
    iris = " ".join(str(s) for s in subjects if isinstance(s, ox.NamedNode))
    rows = store.select(_ABOUT % iris, timeout=None).rows if iris else []
    for blank in (s for s in subjects if isinstance(s, ox.BlankNode)):
        rows += store.select(_ABOUT_ONE, {"s": blank}, timeout=None).rows  # ?s bound: a lookup
    triples = []
    for s, p, o in rows:
        assert isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode) and o is not None
        triples.append(ox.Triple(s, p, o))
    return triples


def view_ntriples(graph: PropertyGraph) -> bytes:
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in view_triples(graph)).encode("utf-8")


def view_turtle(graph: PropertyGraph) -> bytes:
    return ox.serialize(view_triples(graph), format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)) or b""


def view_jsonld(graph: PropertyGraph) -> bytes:
    expanded = json.loads(ox.serialize(view_triples(graph), format=ox.RdfFormat.JSON_LD) or b"[]")
    return (json.dumps(expanded, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
