"""What pySHACL is given and how it runs: the statements the rules read about the focus
nodes (their context, chosen by the query engine from a build's store, with a submission
laid over it), as an rdflib graph, checked without inference.

    Overlay           the store's statements less those a submission replaces, plus the submission's
    focus_context     the statements the rules read about a set of focus nodes
    as_graph          quads as an rdflib graph that parses each SPARQL text once
    run_pyshacl       pySHACL on given focus nodes of each shape
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from graph_builder.core.errors import InputError, Problem
from graph_builder.core.terms import ORG
from graph_builder.validate import intake as sub
from graph_builder.validate.findings import NDK

# The links the rules follow backwards (e.g. from an exemplar to its participations).
_BACK_LINKS = [ox.NamedNode(u) for u in (NDK + "participant", NDK + "recordOf", NDK + "funding", ORG + "member")]
_PROGRAMME = ox.NamedNode(NDK + "Programme")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_MEMO = 100_000  # nodes whose statements a view keeps (the context of a batch looks nodes up twice)


class Overlay:
    """The statements the rules read, looked up node by node: the store's (but those about a
    node a submitted row replaces, or its sub-nodes), and the submission's."""

    def __init__(self, store: ox.Store, quads: list[ox.Quad], replaced: set[str]) -> None:
        self.store = store
        self.replaced = replaced
        self.by_subject: dict[Any, list[ox.Quad]] = {}
        self.by_object: dict[tuple[Any, Any], list[Any]] = {}
        for q in quads:
            self.by_subject.setdefault(q.subject, []).append(q)
            self.by_object.setdefault((q.predicate, q.object), []).append(q.subject)
        self._about: dict[Any, list[ox.Quad]] = {}

    def _kept(self, subject: Any) -> bool:
        return not (self.replaced and isinstance(subject, ox.NamedNode) and replaced_node(subject.value, self.replaced))

    def about(self, node: Any) -> list[ox.Quad]:
        """The statements about a node (in the default graph)."""
        found = self._about.get(node)
        if found is None:
            found = list(self.by_subject.get(node, ()))
            if self._kept(node):
                found += [
                    ox.Quad(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(node, None, None)
                ]
            if len(self._about) < _MEMO:
                self._about[node] = found
        return found

    def pointing(self, link: Any, node: Any) -> set[Any]:
        """The subjects of the statements (?, link, node)."""
        found = {q.subject for q in self.store.quads_for_pattern(None, link, node) if self._kept(q.subject)}
        return found | set(self.by_object.get((link, node), ()))

    def programmes(self) -> set[Any]:
        return self.pointing(_TYPE, _PROGRAMME)

    def everything(self) -> Iterator[ox.Quad]:
        """The whole graph so seen (for tests comparing the context with the whole graph)."""
        for q in self.store.quads_for_pattern(None, None, None):
            if self._kept(q.subject):
                yield ox.Quad(q.subject, q.predicate, q.object)
        for quads in self.by_subject.values():
            yield from quads


class QueryCachingGraph(Graph):
    """pySHACL passes each SPARQL constraint as text, for every focus node; rdflib would parse
    it each time (~0.1 s a query). Parse each text once per process."""

    _prepared: dict[str, Any] = {}  # noqa: RUF012 - shared on purpose: parsed queries never change

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal (e.g. "2017"^^xsd:date); the shapes report them."""
    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def replaced_node(subject: str, replaced: set[str]) -> bool:
    """A node a submitted row rebuilds, or one of its sub-nodes (an IRI up to 3 steps below it)."""
    text = subject
    for _ in range(4):
        if text in replaced:
            return True
        text = text.rpartition("/")[0]
    return False


def focus_context(view: Overlay, focus: set[str], ontology: list[ox.Quad]) -> list[ox.Quad]:
    """The statements the rules read about the focus nodes: those of the focus nodes, of
    what they point to (two steps), of the nodes that point to them or to what they point
    to through a back link (and what those point to), of every programme (the rules follow
    dcterms:isPartOf to any depth), and the ontology."""
    ring = {ox.NamedNode(iri) for iri in focus}
    ahead = _objects(view, ring)
    behind = _pointing(view, ring | ahead)
    chosen = ring | ahead | behind | _objects(view, ahead | behind) | view.programmes()
    quads = list(ontology)
    for subject in chosen:
        quads.extend(view.about(subject))
    return quads


def _objects(view: Overlay, nodes: set[Any]) -> set[Any]:
    return {q.object for n in nodes for q in view.about(n) if isinstance(q.object, ox.NamedNode)}


def _pointing(view: Overlay, nodes: set[Any]) -> set[Any]:
    return {s for n in nodes for link in _BACK_LINKS for s in view.pointing(link, n)}


def as_graph(quads: Iterable[ox.Quad]) -> Graph:
    graph = QueryCachingGraph()
    graph.addN((s, p, o, graph) for s, p, o in sub.triples(quads))
    return graph


def run_pyshacl(data: Graph, shapes: Graph, targets: dict[Node, Any]) -> Graph:
    """pySHACL (no inference) with these focus nodes of each shape."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError, ValidationFailure

    added = [(shape, SH.targetNode, node) for shape, nodes in targets.items() for node in nodes]
    shapes.addN((s, p, o, shapes) for s, p, o in added)
    try:
        _, results, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", inplace=True, allow_warnings=True, allow_infos=True
        )
    except (ReportableRuntimeError, ShapeLoadError, ValidationFailure) as exc:
        raise InputError([Problem("shapes", 0, "", f"cannot be used: {exc}")]) from exc
    finally:
        for triple in added:
            shapes.remove(triple)
    if not isinstance(results, Graph):
        raise InputError([Problem("shapes", 0, "", f"cannot be used: {results}")])
    return results
