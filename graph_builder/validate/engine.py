"""Which engine checks what: the query engine runs the compiled core constraints (compiled.py,
checks.py) and the direct SPARQL constraints (shapes.py); pySHACL checks whatever is left
(constraints the compiler does not know, SPARQL constraints that need a bound $this).

    plan(shapes)                         -> Plan: the compiled checks, the direct constraints and
                                            the shapes graph pySHACL is left with (made once)
    check_focus(store, data, shapes, targets)  a submission's results on its focus nodes

The whole graph (whole.py) uses the same plan, with its focus nodes found by the queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.validate import findings
from graph_builder.validate.checks import run_checks
from graph_builder.validate.compiled import Compiled, compile_shapes
from graph_builder.validate.context import run_pyshacl
from graph_builder.validate.shapes import Shapes

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
class Plan:
    compiled: Compiled  # core constraints as queries
    direct: list[tuple[Node, Node]]  # (node shape, SPARQL constraint) pairs run as one query each
    core: Graph  # the shapes without targets, less both of those: what pySHACL checks
    left: set[Node]  # the targeted shapes pySHACL still has something to check for

    def covered_shapes(self) -> set[Node]:
        """The shapes whose constraints the query engine checks."""
        return {check.shape for check in self.compiled.checks}


_PLANS: dict[int, tuple[Shapes, Plan]] = {}


def plan(shapes: Shapes) -> Plan:
    """How the shapes are checked (made once per Shapes)."""
    known = _PLANS.get(id(shapes))
    if known is not None and known[0] is shapes:
        return known[1]
    compiled = compile_shapes(shapes.graph, sorted(shapes.targets, key=str))
    direct = shapes.direct()
    core = _core(shapes, direct, compiled.covered)
    made = Plan(compiled, direct, core, {shape for shape in shapes.targets if has_checks(core, shape)})
    _PLANS[id(shapes)] = (shapes, made)
    return made


def check_focus(store: ox.Store, data: Graph, shapes: Shapes, targets: dict[Node, set[Node]]) -> Graph:
    """The results on given focus nodes of each shape: the query engine's checks on `store`,
    pySHACL's on `data` (the same statements) for what is left."""
    how = plan(shapes)
    results = Graph()
    results.addN((s, p, o, results) for s, p, o in run_checks(store, shapes, how.compiled, targets))
    for shape, constraint in how.direct:
        found = shapes.direct_results(store, shape, constraint, targets.get(shape, set()))
        results.addN((s, p, o, results) for s, p, o in found)
    left = {shape: nodes for shape, nodes in targets.items() if shape in how.left and nodes}
    if left:
        results += run_pyshacl(data, how.core, left)
    return results


def _core(shapes: Shapes, direct: list[tuple[Node, Node]], covered: set[tuple[Node, Node, Node]]) -> Graph:
    """The shapes without their targets, less the SPARQL constraints run directly and the
    constraints compiled into queries (and the links to property shapes left with none)."""
    core = Graph()
    skipped = {(shape, SH.sparql, constraint) for shape, constraint in direct} | covered
    core.addN((s, p, o, core) for s, p, o in shapes.base if (s, p, o) not in skipped)
    for shape, prop in list(core.subject_objects(SH.property)):
        if not has_checks(core, prop, ignore={SH.path}):
            core.remove((shape, SH.property, prop))
    return core


def has_checks(core: Graph, shape: Node, ignore: set[Node] | None = None) -> bool:
    """Whether a shape has anything left for pySHACL to check."""
    return any(p not in _ANNOTATIONS and p not in (ignore or ()) for p in core.predicates(shape, None))
