"""The SHACL shapes: loading them, counting them, and resolving their targets.

`load(dir, mode)` reads shapes/*.ttl, plus (mode add) or instead of (mode replace) a
folder of the user's. `Shapes.targeting(store, focus)` gives pySHACL the shapes with
every target already resolved by the query engine (pyoxigraph) into sh:targetNode
statements, kept only where they are focus nodes:

- class, subjects-of and objects-of targets, and implicit class targets, one query each;
- SHACL-AF SPARQL targets (sh:target [ a sh:SPARQLTarget ; sh:select ... ]), which pick
  the few nodes a rule about a large class can find fault with, in one whole-graph query
  (rdflib takes seconds for such a join, pyoxigraph milliseconds).

pySHACL then checks exactly those nodes. (Its own focus-node option compares every
target with every focus node: quadratic for a large submission.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from graph_builder import resources
from graph_builder import submission as sub
from graph_builder.errors import InputError, Problem, UsageError
from graph_builder.store import check_read_only

MODES = ("add", "replace")
_TARGET_KINDS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
_QUERIES: dict[Node, str] = {
    SH.targetClass: f"SELECT DISTINCT ?this WHERE {{{{ ?this a/<{RDFS.subClassOf}>* {{}} }}}}",
    SH.targetSubjectsOf: "SELECT DISTINCT ?this WHERE {{ ?this {} ?any }}",
    SH.targetObjectsOf: "SELECT DISTINCT ?this WHERE {{ ?any {} ?this }}",
}
_VALUES_LIMIT = 500  # focus nodes named in a target query; beyond that, filter the answers


@dataclass
class Shapes:
    """The shapes as loaded (`graph`: messages, names, columns), and the same without their
    targets (`base`), to which each run adds the resolved ones."""

    graph: Graph
    base: Graph = field(default_factory=Graph)
    targets: dict[Node, list[tuple[Node, Node]]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many node shapes, property shapes and SPARQL rules (constraints and targets)."""
        g = self.graph
        return {
            "node shapes": len(set(g.subjects(RDF.type, SH.NodeShape))),
            "property shapes": len({s for s in g.subjects(SH.path, None) if isinstance(s, URIRef)}),
            "SPARQL constraints": len(set(g.subjects(RDF.type, SH.SPARQLConstraint))),
            "SPARQL targets": len(set(g.subjects(RDF.type, SH.SPARQLTarget))),
        }

    @contextmanager
    def targeting(self, store: ox.Store, focus: set[URIRef] | None) -> Iterator[Graph]:
        """The shapes with their targets resolved on `store` (only focus nodes, if given)."""
        wanted = {str(f) for f in focus} if focus is not None else None
        done: dict[tuple[Node, Node], set[Node]] = {}
        added = []
        for shape, pairs in self.targets.items():
            for pair in pairs:
                if pair not in done:
                    done[pair] = self._nodes(store, *pair, wanted)
                added += [(shape, SH.targetNode, node) for node in done[pair]]
        self.base.addN((s, p, o, self.base) for s, p, o in added)
        try:
            yield self.base
        finally:
            for triple in added:
                self.base.remove(triple)

    def _nodes(self, store: ox.Store, kind: Node, value: Node, wanted: set[str] | None) -> set[Node]:
        if kind == SH.targetNode:
            return {value} if wanted is None or str(value) in wanted else set()
        if kind in _QUERIES:
            return _select(store, _QUERIES[kind].format(f"<{value}>"), value, wanted)
        select = self.graph.value(value, SH.select)
        if select is None:
            raise InputError([Problem("shapes", 0, "", f"the target {value} is not a SPARQL target with "
                                      "sh:select; only those SHACL-AF targets are supported")])
        prefixes = {str(self.graph.value(d, SH.prefix)): str(self.graph.value(d, SH.namespace))
                    for p in self.graph.objects(value, SH.prefixes) for d in self.graph.objects(p, SH.declare)}
        text = "".join(f"PREFIX {k}: <{v}>\n" for k, v in sorted(prefixes.items())) + str(select)
        try:
            check_read_only(text)  # a user's shape must not call SERVICE or read FROM a URL
        except UsageError as exc:
            raise InputError([Problem("shapes", 0, "", f"the target {value} cannot run: {exc}")]) from None
        return _select(store, text, value, wanted)


def load(shapes_dir: Path | None = None, mode: str = "add") -> Shapes:
    """The shipped shapes, plus (mode add) or instead of (mode replace) the Turtle files of a folder."""
    if mode not in MODES:
        raise UsageError(f"unknown shapes mode {mode!r}; one of {', '.join(MODES)}")
    shipped = sorted(resources.resource_dir("shapes").glob("*.ttl"))
    files = [] if (shapes_dir is not None and mode == "replace") else shipped
    if shapes_dir is not None:
        if not shapes_dir.is_dir():
            raise UsageError(f"{shapes_dir}: not a folder of shapes (*.ttl)")
        files += sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise UsageError(f"{shapes_dir}: holds no shapes (*.ttl)")
    graph = Graph()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise InputError([Problem(str(path), 0, "", f"is not valid Turtle: {exc}")]) from exc
    # pySHACL scans each query's text with regular expressions whose cost grows with the
    # square of its length, for every focus node: drop the indentation once.
    for node, text in list(graph.subject_objects(SH.select)):
        graph.set((node, SH.select, Literal(re.sub(r"\n[ \t]+", "\n", str(text).strip()))))
    shapes = Shapes(graph)
    for s, p, o in graph:
        if p in _TARGET_KINDS:
            shapes.targets.setdefault(s, []).append((p, o))
        else:
            shapes.base.add((s, p, o))
    for cls in (RDFS.Class, OWL.Class):  # a node shape that is also a class targets its instances
        for shape in graph.subjects(RDF.type, cls):
            if (shape, RDF.type, SH.NodeShape) in graph:
                shapes.targets.setdefault(shape, []).append((SH.targetClass, shape))
    return shapes


def _select(store: ox.Store, query: str, target: Node, wanted: set[str] | None) -> set[Node]:
    """The ?this of a target query's solutions: those among the focus nodes, if there are any."""
    if wanted is not None and len(wanted) <= _VALUES_LIMIT:
        values = " ".join(f"<{iri}>" for iri in sorted(wanted))
        query = re.sub(r"\bWHERE\s*\{", lambda m: m.group(0) + f" VALUES ?this {{ {values} }} ", query, count=1,
                       flags=re.IGNORECASE)
    try:
        solutions = store.query(query, use_default_graph_as_union=True)
        if not isinstance(solutions, ox.QuerySolutions):
            raise TypeError("a target must be a SELECT query")
        found = [row["this"] for row in solutions]
    except (SyntaxError, OSError, TypeError) as exc:
        raise InputError([Problem("shapes", 0, "", f"the target {target} cannot run: {exc}")]) from exc
    return {sub.term(n) for n in found if n is not None and (wanted is None or n.value in wanted)}
