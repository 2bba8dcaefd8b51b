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

import gc
import json
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from graph_builder.core import resources
from graph_builder.core.errors import InputError, Problem, UsageError
from graph_builder.registers import Context
from graph_builder.registers.load import read_registers, reference_context
from graph_builder.store.embedded import store_dir
from graph_builder.validate import findings
from graph_builder.validate import intake as sub
from graph_builder.validate import shapes as shapes_module
from graph_builder.validate.findings import NDK, Report
from graph_builder.validate.shapes import Shapes

SHAPES_MODES = shapes_module.MODES
ORG = "http://www.w3.org/ns/org#"
_ROW = ox.NamedNode(NDK + "registerRow")
# Direct edges builders add for quick queries: a node a submission touches only through
# these (e.g. a trust, by `org:memberOf` in a memberships file) is not one it describes.
_DERIVED_EDGES = {
    URIRef(u)
    for u in (
        ORG + "memberOf",
        ORG + "changedBy",
        ORG + "resultedFrom",
        NDK + "participatesIn",
        NDK + "follows",
        NDK + "usesSystem",
        NDK + "usesSupplier",
        NDK + "usesBlueprint",
        NDK + "succeededBy",
        NDK + "hasRecord",
    )
}
# The links the rules follow backwards (e.g. from an exemplar to its participations).
_BACK_LINKS = [ox.NamedNode(u) for u in (NDK + "participant", NDK + "recordOf", NDK + "funding", ORG + "member")]
_PROGRAMME = ox.NamedNode(NDK + "Programme")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ONTOLOGY = ox.NamedNode("https://w3id.org/nhs-dkg/graph/ontology")


BATCH = 2000
"""Focus nodes pySHACL checks at a time in validate_reference (with their context)."""
_MEMO = 100_000  # nodes whose statements a view keeps (the context of a batch looks nodes up twice)
_ANNOTATIONS = {
    URIRef(u)
    for u in (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        str(SH.name),
        str(SH.description),
        str(SH.message),
        str(SH.severity),
        str(SH.prefixes),
        str(SH.deactivated),
        str(SH.order),
        str(SH.group),
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://www.w3.org/2000/01/rdf-schema#comment",
        findings.NSH + "column",
    )
}


@dataclass
class Reference:
    """A build: its persistent store (opened read-only; graph.nq loaded into memory for a
    build without one) and where its registers are (to build submitted CSV rows against).
    Nothing is read until asked for: the registers, the store and the ontology are each
    loaded on first use, so a submission costs what it touches."""

    build_dir: Path
    data_dir: Path
    _context: Context | None = None
    _store: ox.Store | None = None
    _ontology: list[ox.Quad] | None = None

    def context(self) -> Context:
        if self._context is None:  # the build's keys where it has them: not every register read again
            self._context = reference_context(self.build_dir, self.data_dir)
            if self._context is None:
                self._context, _ = read_registers(self.data_dir)
        return self._context

    @property
    def persistent(self) -> bool:
        return store_dir(self.build_dir) is not None

    def store(self) -> ox.Store:
        """The build's graph (in its named graphs; query it with use_default_graph_as_union)."""
        if self._store is None:
            folder = store_dir(self.build_dir)
            try:
                if folder is not None:
                    self._store = ox.Store.read_only(str(folder))
                else:
                    self._store = ox.Store()
                    self._store.bulk_load(path=str(self.build_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)
            except (OSError, RuntimeError, SyntaxError, ValueError) as exc:
                raise UsageError(
                    f"{self.build_dir}: cannot read the built graph ({exc}); run nhskg build again"
                ) from None
        return self._store

    @property
    def ontology(self) -> list[ox.Quad]:
        """The ontology's statements (its named graph), in the default graph."""
        if self._ontology is None:
            self._ontology = [
                ox.Quad(q.subject, q.predicate, q.object)
                for q in self.store().quads_for_pattern(None, None, None, _ONTOLOGY)
            ]
        return self._ontology

    def with_submission(self, quads: list[ox.Quad], replaced: set[str]) -> _Overlay:
        """The reference, less the statements of the nodes (and sub-nodes) a submission
        rebuilds, plus the submission: a view, nothing is copied or written."""
        return _Overlay(self.store(), quads, replaced)


class _Overlay:
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
        return not (self.replaced and isinstance(subject, ox.NamedNode) and _replaced(subject.value, self.replaced))

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
    """The reference graph of a build folder; say so if there is none. Nothing is read yet
    (the store is opened, and the registers read, when first needed), nothing is written."""
    if not (build_dir / "graph.nq").is_file() and store_dir(build_dir) is None:
        raise UsageError(f"{build_dir}: has no graph.nq; run nhskg build first (or give --against a build folder)")
    data_dir = resources.data_dir()
    try:
        recorded = Path(json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["data_dir"])
        if recorded.is_dir():
            data_dir = recorded
    except (OSError, ValueError, KeyError, TypeError):
        pass  # an older or hand-made build: use the shipped registers
    return Reference(build_dir, data_dir)


def load_shapes(shapes_dir: Path | None = None, mode: str = "add") -> Shapes:
    """The shipped shapes, plus (mode add) or instead of (mode replace) a folder's (shapes.py)."""
    return shapes_module.load(shapes_dir, mode)


def validate(
    paths: list[Path],
    reference: Reference,
    shapes: Shapes,
    max_size: int = sub.DEFAULT_MAX_SIZE,
    whole_reference: bool = False,
) -> Report:
    """Check the files together with the reference graph; report on their own nodes only.

    `whole_reference` gives pySHACL the whole graph instead of the submission's context
    (the same results, slower: tests compare the two).
    """
    started = time.perf_counter()
    with _quiet_rdflib():
        submitted = sub.load(paths, reference.context, max_size)
        described = _described(submitted.quads)
        focus = {URIRef(iri) for iri in described}
        replaced = {
            str(q.subject.value) for q in submitted.quads if q.predicate == _ROW and isinstance(q.subject, ox.NamedNode)
        }
        results, data = Graph(), Graph()
        if described:
            view = reference.with_submission(submitted.quads, replaced)
            quads = list(view.everything()) if whole_reference else _context(view, described, reference.ontology)
            local = ox.Store()  # what the targets are resolved on: the context (or the whole graph)
            local.extend(quads)
            # a target on the objects of a predicate needs the statements that point to the node
            local.extend(
                ox.Quad(s, ox.NamedNode(str(p)), ox.NamedNode(iri))
                for p in shapes.objects_of()
                for iri in described
                for s in view.pointing(ox.NamedNode(str(p)), ox.NamedNode(iri))
            )
            data = _graph(quads)
            results = _run(data, local, shapes, focus)
        rows: dict[Node, str] = {URIRef(iri): row for iri, row in submitted.rows.items()}
        found = findings.report(results, data, shapes.graph, focus, rows, submitted.files, shapes.counts())
    findings.add_rejected(found, submitted.problems, submitted.registers)
    found.seconds = time.perf_counter() - started
    return found


def validate_reference(
    reference: Reference,
    shapes: Shapes,
    label: str = "graph.nq",
    processes: int | None = None,
    batch: int = BATCH,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> Report:
    """Check the whole built graph (every node is a focus node), in bounded memory.

    The targets are resolved on the store, once. The SPARQL constraints that allow it
    (Shapes.direct) run in the query engine, a few dozen focus nodes a query. pySHACL checks
    the rest (the core constraints) on `batch` focus nodes at a time, each batch given its
    context from the store (as a submission is), in `processes` worker processes (each
    opens the store read-only). The results are pySHACL's on the whole graph. `progress`
    is told each batch done (what, how many, out of; terminal.Step).
    """
    started = time.perf_counter()
    with _quiet_rdflib():
        store = reference.store()
        subjects: dict[str, int] = {}  # counted by the query engine meanwhile (it does not hold the GIL)
        counting = threading.Thread(target=_count_subjects, args=(store, subjects), daemon=True)
        counting.start()
        targets = shapes.resolve(store, None)
        results = _QueryCachingGraph()
        direct = shapes.direct()
        for shape, constraint in direct:
            nodes = targets.get(shape, set())
            results.addN((s, p, o, results) for s, p, o in shapes.direct_results(store, shape, constraint, nodes))
        core = _core(shapes, direct)
        shapes_of: dict[Node, list[Node]] = {}
        for shape, nodes in sorted(targets.items()):
            if _checks(core, shape):
                for node in nodes:
                    shapes_of.setdefault(node, []).append(shape)
        batches = _batches(shapes_of, batch)
        del shapes_of
        for done, triples in enumerate(_each(reference, core, batches, processes), start=1):
            results.addN((s, p, o, results) for s, p, o in triples)
            if progress:
                progress("checking the whole graph", done, len(batches))
        del targets
        lookup = _lookup(store, results)
        counting.join()
        found = findings.report(
            results,
            lookup,
            shapes.graph,
            _Subjects(store),
            {},
            [label],
            shapes.counts(),
            checked=subjects.get("count", 0),
        )
    found.seconds = time.perf_counter() - started
    return found


def _core(shapes: Shapes, direct: list[tuple[Node, Node]]) -> Graph:
    """The shapes without their targets, less the SPARQL constraints run directly."""
    core = Graph()
    skipped = {(shape, SH.sparql, constraint) for shape, constraint in direct}
    core.addN((s, p, o, core) for s, p, o in shapes.base if (s, p, o) not in skipped)
    return core


def _checks(core: Graph, shape: Node) -> bool:
    """Whether a shape has anything left for pySHACL to check (not only direct SPARQL constraints)."""
    return any(p not in _ANNOTATIONS for p in core.predicates(shape, None))


def _batches(shapes_of: dict[Node, list[Node]], size: int) -> list[list[tuple[Node, list[Node]]]]:
    """The focus nodes in batches of `size` (by IRI: nodes of a kind together), each as (shape, its nodes)."""
    nodes = sorted(shapes_of, key=str)
    found = []
    for start in range(0, len(nodes), size):
        by_shape: dict[Node, list[Node]] = {}
        for node in nodes[start : start + size]:
            for shape in shapes_of[node]:
                by_shape.setdefault(shape, []).append(node)
        found.append(sorted(by_shape.items()))
    return found


# What a worker process checks with (set before the workers start, inherited by them).
_WORK: dict[str, Any] = {}


def _each(
    reference: Reference, core: Graph, batches: list[list[tuple[Node, list[Node]]]], processes: int | None
) -> Iterator[list[tuple[Node, Node, Node]]]:
    """The results of each batch, from worker processes where the store can be shared."""
    import pyshacl  # noqa: F401 - imported once, before the workers are forked

    if processes is None:
        processes = min(2, os.cpu_count() or 1)
    _WORK.update(store=reference.store(), core=core, ontology=reference.ontology, folder=store_dir(reference.build_dir))
    try:
        forks = "fork" in multiprocessing.get_all_start_methods()
        if processes <= 1 or len(batches) <= 1 or _WORK["folder"] is None or not forks:
            for one in batches:
                yield _check(one)
            return
        context = multiprocessing.get_context("fork")
        # pyoxigraph's results may only be dropped on the thread that made them: garbage left
        # in reference cycles is collected here, not by the pool's threads (a panic there)
        gc.collect()
        with context.Pool(processes, initializer=_start_worker) as pool:
            yield from pool.imap(_check, batches)
    finally:
        _WORK.clear()


def _start_worker() -> None:
    """A worker opens the store itself (a RocksDB handle is not shared across a fork; the
    parent's is kept, never closed here: the parent may be using it)."""
    _WORK["inherited"] = _WORK["store"]
    _WORK["store"] = ox.Store.read_only(str(_WORK["folder"]))


def _check(batch: list[tuple[Node, list[Node]]]) -> list[tuple[Node, Node, Node]]:
    """pySHACL on one batch of focus nodes and their context: its results about them."""
    nodes = {node for _, these in batch for node in these}
    view = _Overlay(_WORK["store"], [], set())
    data = _graph(_context(view, {str(n) for n in nodes if isinstance(n, URIRef)}, _WORK["ontology"]))
    with _quiet_rdflib():
        found = _pyshacl(data, _WORK["core"], dict(batch))
    keep = [
        r
        for r in found.subjects(RDF.type, SH.ValidationResult)
        if found.value(r, SH.focusNode) in nodes and (None, SH.detail, r) not in found
    ]
    return _closure(found, keep)


def _closure(graph: Graph, nodes: list[Node]) -> list[tuple[Node, Node, Node]]:
    """The statements about these nodes and the blank nodes they lead to."""
    triples = []
    todo, seen = list(nodes), set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in graph.triples((node, None, None)):
            triples.append((s, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return triples


def _lookup(store: ox.Store, results: Graph) -> Graph:
    """What the findings read about the nodes with results: their statements, their parent
    nodes' and their listings' (names, register rows), and their registers' (files)."""
    view = _Overlay(store, [], set())
    nodes: set[Any] = set()
    for focus in set(results.objects(None, SH.focusNode)):
        if not isinstance(focus, URIRef):
            continue
        text = str(focus)
        node = ox.NamedNode(text)
        nodes |= {node} | view.pointing(ox.NamedNode(findings.NDK + "recordOf"), node)
        for _ in range(3):
            text = text.rpartition("/")[0]
            if "://" in text:
                nodes.add(ox.NamedNode(text))
    quads = [q for node in nodes for q in view.about(node)]
    registers = {q.object for q in quads if q.predicate.value == findings.NDK + "inRegister"}
    quads += [q for node in registers for q in view.about(node)]
    return _graph(quads)


def _count_subjects(store: ox.Store, out: dict[str, int]) -> None:
    """The number of IRIs the graph says something about (the nodes checked, as reported)."""
    answer = store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER (isIRI(?s)) }", use_default_graph_as_union=True
    )
    assert isinstance(answer, ox.QuerySolutions)
    out["count"] = int(next(iter(answer))["n"].value)


class _Subjects:
    """The IRIs the store says something about (results are reported about those only)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def __contains__(self, node: object) -> bool:
        return isinstance(node, URIRef) and any(
            True for _ in self.store.quads_for_pattern(ox.NamedNode(str(node)), None, None)
        )


def _described(quads: Iterable[ox.Quad]) -> set[str]:
    """The nodes a submission describes: subjects of anything but a derived direct edge."""
    derived = {str(u) for u in _DERIVED_EDGES}
    return {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode) and q.predicate.value not in derived}


def _replaced(subject: str, replaced: set[str]) -> bool:
    """A node a submitted row rebuilds, or one of its sub-nodes (an IRI up to 3 steps below it)."""
    text = subject
    for _ in range(4):
        if text in replaced:
            return True
        text = text.rpartition("/")[0]
    return False


def _context(view: _Overlay, focus: set[str], ontology: list[ox.Quad]) -> list[ox.Quad]:
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


def _objects(view: _Overlay, nodes: set[Any]) -> set[Any]:
    return {q.object for n in nodes for q in view.about(n) if isinstance(q.object, ox.NamedNode)}


def _pointing(view: _Overlay, nodes: set[Any]) -> set[Any]:
    return {s for n in nodes for link in _BACK_LINKS for s in view.pointing(link, n)}


def _graph(quads: Iterable[ox.Quad]) -> Graph:
    graph = _QueryCachingGraph()
    graph.addN((s, p, o, graph) for s, p, o in sub.triples(quads))
    return graph


def _run(data: Graph, store: ox.Store, shapes: Shapes, focus: set[URIRef] | None) -> Graph:
    """pySHACL (core and SPARQL constraints, no inference) on the targets resolved on `store`."""
    return _pyshacl(data, shapes.base, shapes.resolve(store, focus))


def _pyshacl(data: Graph, shapes: Graph, targets: dict[Node, Any]) -> Graph:
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
