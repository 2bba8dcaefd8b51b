"""Validate the whole built graph (`nhskg validate --whole`): every node is a focus node,
checked in batches, in bounded memory, with the results pySHACL gives on the whole graph.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.store.embedded import store_dir
from graph_builder.validate import emit, findings
from graph_builder.validate.checks import run_checks, target_patterns
from graph_builder.validate.context import (
    Overlay,
    QueryCachingGraph,
    as_graph,
    focus_context,
    quiet_rdflib,
    run_pyshacl,
)
from graph_builder.validate.engine import plan
from graph_builder.validate.findings import Report, closure
from graph_builder.validate.run import Reference
from graph_builder.validate.shapes import Shapes

BATCH = 2000
"""Focus nodes pySHACL checks at a time (with their context)."""


def validate_whole(
    reference: Reference,
    shapes: Shapes,
    label: str = "graph.nq",
    processes: int | None = None,
    batch: int = BATCH,
    progress: Callable[[str, int, int | None], None] | None = None,
    emit_data: Path | None = None,
) -> Report:
    """Check the whole built graph (every node is a focus node), in bounded memory.

    The query engine runs the compiled core constraints (compiled.py) and the SPARQL
    constraints that allow it (Shapes.direct) over each shape's targets, on two threads.
    pySHACL checks whatever is left (engine.plan), on `batch` focus nodes at a time, each
    batch given its context from the store (as a submission is), in `processes` worker
    processes (each opens the store read-only). The results are pySHACL's on the whole
    graph. `progress` is told each step done (what, how many, out of; terminal.Step).
    `emit_data` is a file to write the graph checked to (its named graphs merged), for
    another SHACL engine.
    """
    started = time.perf_counter()
    with quiet_rdflib():
        store = reference.store()
        if emit_data is not None:
            emit.emit_data(emit_data, store.quads_for_pattern(None, None, None))
        subjects: dict[str, int] = {}  # counted by the query engine meanwhile (it does not hold the GIL)
        counting = threading.Thread(target=_count_subjects, args=(store, subjects), daemon=True)
        counting.start()
        results = QueryCachingGraph()
        how = plan(shapes)
        patterns = target_patterns(store, shapes)
        results.addN((s, p, o, results) for s, p, o in run_checks(store, shapes, how.compiled, patterns, progress))
        per_node = {shape for shape, constraint in how.direct if shapes.per_node(constraint)}
        targets = shapes.resolve(store, None, only=how.left | per_node)
        for triples in _direct(store, shapes, how.direct, patterns, targets, progress):
            results.addN((s, p, o, results) for s, p, o in triples)
        shapes_of: dict[Node, list[Node]] = {}
        for shape, nodes in sorted(targets.items()):
            if shape in how.left:
                for node in nodes:
                    shapes_of.setdefault(node, []).append(shape)
        batches = _batches(shapes_of, batch)
        del shapes_of, targets
        for done, triples in enumerate(_each(reference, how.core, batches, processes), start=1):
            results.addN((s, p, o, results) for s, p, o in triples)
            if progress:
                progress("checking the whole graph", done, len(batches))
        lookup = _lookup(store, results)
        counting.join()
        found = findings.report(
            results, lookup, shapes.graph, _Subjects(store), {}, [label], shapes.counts(), subjects.get("count", 0)
        )
    found.seconds = time.perf_counter() - started
    return found


def _direct(
    store: ox.Store,
    shapes: Shapes,
    direct: list[tuple[Node, Node]],
    patterns: dict[Node, str],
    targets: dict[Node, set[Node]],
    progress: Callable[[str, int, int | None], None] | None,
) -> Iterator[list[tuple[Node, Node, Node]]]:
    """The results of each direct SPARQL constraint, on two threads (each reads its answers to
    the end): over its shape's targets as a subquery (joined with the rule's own patterns,
    the engine can pick a plan a hundred times slower: SuccessionDates-newSuccessor took 23 s
    instead of 0.13 s at 10,000 organisations), or node by node where the rule needs it."""

    def run(pair: tuple[Node, Node]) -> list[tuple[Node, Node, Node]]:
        shape, constraint = pair
        if shapes.per_node(constraint):
            return list(shapes.direct_results(store, shape, constraint, targets.get(shape, set())))
        focus = f"{{ SELECT DISTINCT ?this WHERE {{ {patterns[shape]} }} }}" if shape in patterns else "FILTER(false)"
        return list(shapes.direct_results(store, shape, constraint, focus))

    with ThreadPoolExecutor(2) as pool:
        for done, triples in enumerate(pool.map(run, direct), start=1):
            yield triples
            if progress:
                progress("running the SPARQL rules", done, len(direct))


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
    view = Overlay(_WORK["store"], [], set())
    data = as_graph(focus_context(view, {str(n) for n in nodes if isinstance(n, URIRef)}, _WORK["ontology"]))
    with quiet_rdflib():
        found = run_pyshacl(data, _WORK["core"], dict(batch))
    keep = [
        r
        for r in found.subjects(RDF.type, SH.ValidationResult)
        if found.value(r, SH.focusNode) in nodes and (None, SH.detail, r) not in found
    ]
    return closure(found, keep)


def _lookup(store: ox.Store, results: Graph) -> Graph:
    """What the findings read about the nodes with results: their statements, their parent
    nodes' and their listings' (names, register rows), and their registers' (files)."""
    view = Overlay(store, [], set())
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
    return as_graph(quads)


def _count_subjects(store: ox.Store, out: dict[str, int]) -> None:
    """The number of nodes checked, as reported: the typed IRIs. Every node a build writes has
    a type, so these are the IRIs the graph says anything about, counted from rdf:type alone
    (2.9 s at 100,000 organisations, where counting every statement's subject took 25 s)."""
    answer = store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type FILTER (isIRI(?s)) }", use_default_graph_as_union=True
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
