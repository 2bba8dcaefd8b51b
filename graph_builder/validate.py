"""Validate submissions (or the whole built graph) against the SHACL shapes.

    load_reference(build_dir)  the built graph (build/graph.nq) and the registers behind it
    load_shapes(dir, mode)     shapes/*.ttl, plus or instead of a folder of the user's (shapes.py)
    validate(files, ...)       a submission checked together with the reference -> Report
    validate_reference(...)    the whole built graph -> Report

The data is the reference graph plus the submission. A submitted register row replaces
the reference's row with the same key: the statements of the nodes it builds (and of
their sub-nodes, e.g. .../interval) are dropped from the reference first, so an updated
row is checked as the update it is. The query engine (pyoxigraph) then selects what
pySHACL needs (DESIGN.md, measured facts): the nodes each shape targets, among the nodes
the submission describes (shapes.py), and the context of those nodes (their statements,
what they point to two steps out, the nodes that point to them through the links the
rules follow back, the programmes and the ontology). pySHACL checks them without
inference; only their results are reported. Nothing here prints; report.py renders.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from graph_builder import findings, resources
from graph_builder import shapes as shapes_module
from graph_builder import submission as sub
from graph_builder.errors import InputError, Problem, UsageError
from graph_builder.findings import NDK, Report
from graph_builder.registers import Context
from graph_builder.shapes import Shapes

SHAPES_MODES = shapes_module.MODES
ORG = "http://www.w3.org/ns/org#"
_ROW = ox.NamedNode(NDK + "registerRow")
# Direct edges builders add for quick queries: a node a submission touches only through
# these (e.g. a trust, by `org:memberOf` in a memberships file) is not one it describes.
_DERIVED_EDGES = {URIRef(u) for u in (
    ORG + "memberOf", ORG + "changedBy", ORG + "resultedFrom", NDK + "participatesIn", NDK + "follows",
    NDK + "usesSystem", NDK + "usesSupplier", NDK + "usesBlueprint", NDK + "succeededBy", NDK + "hasRecord",
)}
# The links the rules follow backwards (e.g. from an exemplar to its participations).
_BACK_LINKS = [ox.NamedNode(u) for u in (NDK + "participant", NDK + "recordOf", NDK + "funding", ORG + "member")]
_PROGRAMME = ox.NamedNode(NDK + "Programme")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ONTOLOGY = ox.NamedNode("https://w3id.org/nhs-dkg/graph/ontology")


@dataclass
class Reference:
    """The built graph (its quads, in the default graph) and where its registers are (to
    build submitted CSV rows against). Its store is built once and lent to each run."""

    quads: list[ox.Quad]
    ontology: list[ox.Quad]
    data_dir: Path
    _context: Context | None = None
    _by_subject: dict[str, list[ox.Quad]] | None = None
    _store: ox.Store | None = None

    def context(self) -> Context:
        if self._context is None:
            from graph_builder.build import read_registers

            self._context, _ = read_registers(self.data_dir)
        return self._context

    def store(self) -> ox.Store:
        if self._store is None:
            self._store = ox.Store()
            self._store.bulk_extend(self.quads)
        return self._store

    @contextmanager
    def with_submission(self, quads: list[ox.Quad], replaced: set[str]) -> Iterator[ox.Store]:
        """The store holding the reference, less the statements of the nodes (and sub-nodes)
        a submission rebuilds, plus the submission; put back as it was afterwards."""
        store = self.store()
        dropped = self._statements_of(replaced)
        for q in dropped:
            store.remove(q)
        added = [q for q in quads if q not in store]
        store.extend(added)
        try:
            yield store
        finally:
            for q in added:
                store.remove(q)
            store.extend(dropped)

    def _statements_of(self, replaced: set[str]) -> list[ox.Quad]:
        if not replaced:
            return []
        if self._by_subject is None:
            self._by_subject = {}
            for q in self.quads:
                key = q.subject.value if isinstance(q.subject, ox.NamedNode) else f"_:{q.subject}"
                self._by_subject.setdefault(key, []).append(q)
        return [q for subject, quads in self._by_subject.items() if _replaced(subject, replaced) for q in quads]


class _QueryCachingGraph(Graph):
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
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal (e.g. "2017"^^xsd:date); the shapes report them."""
    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def load_reference(build_dir: Path) -> Reference:
    """The reference graph of a build folder; say so if there is none. Nothing is written."""
    nquads = build_dir / "graph.nq"
    if not nquads.is_file():
        raise UsageError(f"{build_dir}: has no graph.nq; run nhskg build first (or give --against a build folder)")
    data_dir = resources.data_dir()
    try:
        recorded = Path(json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["data_dir"])
        if recorded.is_dir():
            data_dir = recorded
    except (OSError, ValueError, KeyError, TypeError):
        pass  # an older or hand-made build: use the shipped registers
    quads, ontology = [], []
    for q in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        flat = ox.Quad(q.subject, q.predicate, q.object)
        quads.append(flat)
        if q.graph_name == _ONTOLOGY:
            ontology.append(flat)
    return Reference(quads, ontology, data_dir)


def load_shapes(shapes_dir: Path | None = None, mode: str = "add") -> Shapes:
    """The shipped shapes, plus (mode add) or instead of (mode replace) a folder's (shapes.py)."""
    return shapes_module.load(shapes_dir, mode)


def validate(paths: list[Path], reference: Reference, shapes: Shapes,
             max_size: int = sub.DEFAULT_MAX_SIZE, whole_reference: bool = False) -> Report:
    """Check the files together with the reference graph; report on their own nodes only.

    `whole_reference` gives pySHACL the whole graph instead of the submission's context
    (the same results, slower: tests compare the two).
    """
    started = time.perf_counter()
    with _quiet_rdflib():
        submitted = sub.load(paths, reference.context, max_size)
        described = _described(submitted.quads)
        focus = {URIRef(iri) for iri in described}
        replaced = {str(q.subject.value) for q in submitted.quads
                    if q.predicate == _ROW and isinstance(q.subject, ox.NamedNode)}
        results, data = Graph(), Graph()
        if described:
            with reference.with_submission(submitted.quads, replaced) as store:
                data = _graph(store if whole_reference else _context(store, described, reference.ontology))
                results = _run(data, store, shapes, focus)
        rows: dict[Node, str] = {URIRef(iri): row for iri, row in submitted.rows.items()}
        found = findings.report(results, data, shapes.graph, focus, rows, submitted.files, shapes.counts())
    found.results = sorted(found.results + [findings.rejected(p, submitted.registers) for p in submitted.problems],
                           key=findings.order)
    found.seconds = time.perf_counter() - started
    return found


def validate_reference(reference: Reference, shapes: Shapes, label: str = "graph.nq") -> Report:
    """Check the whole built graph (every node is a focus node)."""
    started = time.perf_counter()
    with _quiet_rdflib():
        data = _graph(reference.quads)
        results = _run(data, reference.store(), shapes, None)
        everything = {s for s in data.subjects() if isinstance(s, URIRef)}
        found = findings.report(results, data, shapes.graph, everything, {}, [label], shapes.counts())
    found.seconds = time.perf_counter() - started
    return found


def _described(quads: Iterable[ox.Quad]) -> set[str]:
    """The nodes a submission describes: subjects of anything but a derived direct edge."""
    derived = {str(u) for u in _DERIVED_EDGES}
    return {q.subject.value for q in quads
            if isinstance(q.subject, ox.NamedNode) and q.predicate.value not in derived}


def _replaced(subject: str, replaced: set[str]) -> bool:
    """A node a submitted row rebuilds, or one of its sub-nodes (an IRI up to 3 steps below it)."""
    text = subject
    for _ in range(4):
        if text in replaced:
            return True
        text = text.rpartition("/")[0]
    return False


def _context(store: ox.Store, focus: set[str], ontology: list[ox.Quad]) -> list[ox.Quad]:
    """The statements the rules read about the focus nodes: those of the focus nodes, of
    what they point to (two steps), of the nodes that point to them or to what they point
    to through a back link (and what those point to), of every programme (the rules follow
    dcterms:isPartOf to any depth), and the ontology."""
    ring = {ox.NamedNode(iri) for iri in focus}
    ahead = _objects(store, ring)
    behind = _pointing(store, ring | ahead)
    chosen = ring | ahead | behind | _objects(store, ahead | behind)
    chosen |= {q.subject for q in store.quads_for_pattern(None, _TYPE, _PROGRAMME)}
    quads = list(ontology)
    for subject in chosen:
        quads.extend(store.quads_for_pattern(subject, None, None))
    return quads


def _objects(store: ox.Store, nodes: set[Any]) -> set[Any]:
    return {q.object for n in nodes for q in store.quads_for_pattern(n, None, None)
            if isinstance(q.object, ox.NamedNode)}


def _pointing(store: ox.Store, nodes: set[Any]) -> set[Any]:
    return {q.subject for n in nodes for link in _BACK_LINKS for q in store.quads_for_pattern(None, link, n)}


def _graph(quads: Iterable[ox.Quad]) -> Graph:
    graph = _QueryCachingGraph()
    graph.addN((s, p, o, graph) for s, p, o in sub.triples(quads))
    return graph


def _run(data: Graph, store: ox.Store, shapes: Shapes, focus: set[URIRef] | None) -> Graph:
    """pySHACL (core and SPARQL constraints, no inference) on the resolved targets."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError, ValidationFailure

    with shapes.targeting(store, focus) as targeted:
        try:
            _, results, _ = pyshacl.validate(data, shacl_graph=targeted, inference="none", inplace=True,
                                             allow_warnings=True, allow_infos=True)
        except (ReportableRuntimeError, ShapeLoadError, ValidationFailure) as exc:
            raise InputError([Problem("shapes", 0, "", f"cannot be used: {exc}")]) from exc
    if not isinstance(results, Graph):
        raise InputError([Problem("shapes", 0, "", f"cannot be used: {results}")])
    return results
