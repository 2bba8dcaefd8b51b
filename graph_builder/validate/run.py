"""Validate submissions against the SHACL shapes (the whole built graph: whole.py).

    load_reference(build_dir)  the built graph (build/graph.nq) and the registers behind it
    load_shapes(dir, mode)     shapes/*.ttl, plus or instead of a folder of the user's (shapes.py)
    validate(files, ...)       a submission checked together with the reference -> Report

The data is the reference graph plus the submission. A submitted register row replaces
the reference's row with the same key: the statements of the nodes it builds (and of
their sub-nodes, e.g. .../interval) are dropped from the reference first, so an updated
row is checked as the update it is. The query engine (pyoxigraph) then selects what the
checks need (DESIGN.md, measured facts): the nodes each shape targets, among the nodes
the submission describes (shapes.py), and the context of those nodes (their statements,
what they point to two steps out, the nodes that point to them through the links the
rules follow back, the programmes and the ontology). The checks run on that context
(engine.py: queries, and pySHACL for what they cannot say), without inference; only
the results about the submission's nodes are reported. Nothing here prints; report.py renders.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from graph_builder.core import iri as mint
from graph_builder.core import resources
from graph_builder.core.errors import UsageError
from graph_builder.core.terms import ORG
from graph_builder.registers import Context
from graph_builder.registers.load import read_registers, reference_context
from graph_builder.store.embedded import store_dir
from graph_builder.validate import emit, findings
from graph_builder.validate import intake as sub
from graph_builder.validate import shapes as shapes_module
from graph_builder.validate.context import Overlay, as_graph, focus_context, quiet_rdflib
from graph_builder.validate.engine import check_focus
from graph_builder.validate.findings import NDK, Report
from graph_builder.validate.shapes import Shapes

SHAPES_MODES = shapes_module.MODES
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
_ONTOLOGY = ox.NamedNode(mint.graph("ontology"))


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

    def with_submission(self, quads: list[ox.Quad], replaced: set[str]) -> Overlay:
        """The reference, less the statements of the nodes (and sub-nodes) a submission
        rebuilds, plus the submission: a view, nothing is copied or written."""
        return Overlay(self.store(), quads, replaced)


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
    return shapes_module.read_shapes(shapes_dir, mode)


def validate(
    paths: list[Path],
    reference: Reference,
    shapes: Shapes,
    max_size: int = sub.DEFAULT_MAX_SIZE,
    whole_reference: bool = False,
    emit_data: Path | None = None,
) -> Report:
    """Check the files together with the reference graph; report on their own nodes only.

    `whole_reference` checks on the whole graph instead of the submission's context
    (the same results, slower: tests compare the two). `emit_data` is a file to write that
    whole graph to (the reference less the rows the submission replaces, plus the
    submission), for another SHACL engine: its results on the submission's nodes are these.
    """
    started = time.perf_counter()
    with quiet_rdflib():
        submitted = sub.load_submission(paths, reference.context, max_size)
        described = _described(submitted.quads)
        focus = {URIRef(iri) for iri in described}
        replaced = {
            str(q.subject.value) for q in submitted.quads if q.predicate == _ROW and isinstance(q.subject, ox.NamedNode)
        }
        results, data = Graph(), Graph()
        view = reference.with_submission(submitted.quads, replaced)
        if emit_data is not None:
            emit.emit_data(emit_data, view.everything())
        if described:
            quads = list(view.everything()) if whole_reference else focus_context(view, described, reference.ontology)
            local = ox.Store()  # what the targets are resolved on: the context (or the whole graph)
            local.extend(quads)
            # a target on the objects of a predicate needs the statements that point to the node
            local.extend(
                ox.Quad(s, ox.NamedNode(str(p)), ox.NamedNode(iri))
                for p in shapes.objects_of()
                for iri in described
                for s in view.pointing(ox.NamedNode(str(p)), ox.NamedNode(iri))
            )
            data = as_graph(quads)
            results = _run(data, local, shapes, focus)
        rows: dict[Node, str] = {URIRef(iri): row for iri, row in submitted.rows.items()}
        found = findings.report(results, data, shapes.graph, focus, rows, submitted.files, shapes.counts())
    findings.add_rejected(found, submitted.problems, submitted.registers, submitted.keys)
    found.seconds = time.perf_counter() - started
    return found


def _described(quads: Iterable[ox.Quad]) -> set[str]:
    """The nodes a submission describes: subjects of anything but a derived direct edge."""
    derived = {str(u) for u in _DERIVED_EDGES}
    return {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode) and q.predicate.value not in derived}


def _run(data: Graph, store: ox.Store, shapes: Shapes, focus: set[URIRef] | None) -> Graph:
    """The checks (the query engine's, and pySHACL's for what is left) on the targets resolved on `store`."""
    return check_focus(store, data, shapes, shapes.resolve(store, focus))
