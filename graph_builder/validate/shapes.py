"""The SHACL shapes: loading them, counting them, and resolving their targets.

`load(dir, mode)` reads shapes/*.ttl, plus (mode add) or instead of (mode replace) a
folder of the user's. `Shapes.resolve(store, focus)` resolves every target with the
query engine (pyoxigraph) into each shape's focus nodes (kept only where they are among
`focus`), which pySHACL is given as sh:targetNode statements:

- class, subjects-of and objects-of targets, and implicit class targets, one query each;
- SHACL-AF SPARQL targets (sh:target [ a sh:SPARQLTarget ; sh:select ... ]), which pick
  the few nodes a rule about a large class can find fault with, in one whole-graph query
  (rdflib takes seconds for such a join, pyoxigraph milliseconds).

pySHACL then checks exactly those nodes. (Its own focus-node option compares every
target with every focus node: quadratic for a large submission.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from graph_builder.core import resources
from graph_builder.core.errors import InputError, Problem, UsageError
from graph_builder.store.policy import check_read_only
from graph_builder.validate import intake as sub

MODES = ("add", "replace")
_TARGET_KINDS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
_QUERIES: dict[Node, str] = {
    SH.targetClass: f"SELECT DISTINCT ?this WHERE {{{{ ?this a/<{RDFS.subClassOf}>* {{}} }}}}",
    SH.targetSubjectsOf: "SELECT DISTINCT ?this WHERE {{ ?this {} ?any }}",
    SH.targetObjectsOf: "SELECT DISTINCT ?this WHERE {{ ?any {} ?this }}",
}
_VALUES_LIMIT = 500  # focus nodes named in a target query; beyond that, filter the answers
_DIRECT_CHUNK = 50  # focus nodes a direct constraint query names (the engine's plans degrade past ~100)
_PER_NODE = re.compile(
    r"\b(LIMIT|OFFSET|ORDER|GROUP|HAVING|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\b", re.IGNORECASE
)


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

    def resolve(
        self, store: ox.Store, focus: set[URIRef] | None, only: set[Node] | None = None
    ) -> dict[Node, set[Node]]:
        """Each shape's focus nodes on `store` (only those among `focus`, if given; only the
        shapes among `only`, if given)."""
        wanted = {str(f) for f in focus} if focus is not None else None
        done: dict[tuple[Node, Node], set[Node]] = {}
        found: dict[Node, set[Node]] = {}
        for shape, pairs in self.targets.items():
            if only is not None and shape not in only:
                continue
            nodes = found.setdefault(shape, set())
            for pair in pairs:
                if pair not in done:
                    done[pair] = self._nodes(store, *pair, wanted)
                nodes |= done[pair]
        return found

    def resolve_one(self, store: ox.Store, kind: Node, value: Node) -> set[Node]:
        """The focus nodes of one target (kind, value) on the whole store."""
        return self._nodes(store, kind, value, None)

    def _nodes(self, store: ox.Store, kind: Node, value: Node, wanted: set[str] | None) -> set[Node]:
        if kind == SH.targetNode:
            return {value} if wanted is None or str(value) in wanted else set()
        if kind in _QUERIES:
            return _select(store, _QUERIES[kind].format(f"<{value}>"), value, wanted)
        if self.graph.value(value, SH.select) is None:
            raise InputError(
                [
                    Problem(
                        "shapes",
                        0,
                        "",
                        f"the target {value} is not a SPARQL target with "
                        "sh:select; only those SHACL-AF targets are supported",
                    )
                ]
            )
        text = self.query_text(value)
        try:
            check_read_only(text)  # a user's shape must not call SERVICE or read FROM a URL
        except UsageError as exc:
            raise InputError([Problem("shapes", 0, "", f"the target {value} cannot run: {exc}")]) from None
        return _select(store, text, value, wanted)

    def objects_of(self) -> set[Node]:
        """The predicates of sh:targetObjectsOf targets (their focus nodes are found through others' statements)."""
        return {value for pairs in self.targets.values() for kind, value in pairs if kind == SH.targetObjectsOf}

    def query_text(self, node: Node) -> str:
        """The sh:select of a SPARQL target or constraint, with its sh:prefixes declared."""
        prefixes = {
            str(self.graph.value(d, SH.prefix)): str(self.graph.value(d, SH.namespace))
            for p in self.graph.objects(node, SH.prefixes)
            for d in self.graph.objects(p, SH.declare)
        }
        declared = "".join(f"PREFIX {k}: <{v}>\n" for k, v in sorted(prefixes.items()))
        return declared + str(self.graph.value(node, SH.select))

    def direct(self) -> list[tuple[Node, Node]]:
        """The (node shape, SPARQL constraint) pairs the query engine can run once for the whole
        graph, giving pySHACL's results (see `direct_results`): a constraint of a node shape (no
        sh:path) that has a message, selects $this, and reads nothing pre-bound but $this (no
        subquery, $value, $PATH, $currentShape, $shapesGraph, ?failure); neither deactivated."""
        g = self.graph
        found = []
        for shape, constraint in g.subject_objects(SH.sparql):
            if not isinstance(constraint, URIRef) or g.value(constraint, SH.select) is None:
                continue
            if (shape, SH.path, None) in g or (constraint, SH.message, None) not in g:
                continue
            if any(_true(g.value(n, SH.deactivated)) for n in (shape, constraint)):
                continue
            if _direct_query(str(g.value(constraint, SH.select))):
                found.append((shape, constraint))
        return sorted(found)

    def per_node(self, constraint: Node) -> bool:
        """Whether a direct constraint's query must run once per focus node: it limits, orders or
        aggregates its solutions (per focus node in pySHACL), or selects * (a focus pattern's
        own variables would join its answers)."""
        select = str(self.graph.value(constraint, SH.select))
        return bool(_PER_NODE.search(select) or re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", select, re.I))

    def direct_results(
        self, store: ox.Store, shape: Node, constraint: Node, focus: Iterable[Node] | str
    ) -> Iterator[tuple[Node, Node, Node]]:
        """The validation results of a `direct` constraint, as pySHACL states them, on the focus
        nodes of its shape: a graph pattern binding ?this (its targets: one query for all, where
        not `per_node`) or the nodes, named in VALUES blocks of a few dozen (pySHACL runs one
        rdflib query per node)."""
        g = self.graph
        severity = g.value(shape, SH.severity) or SH.Violation
        own = list(g.objects(shape, SH.message))
        extra = [m for m in g.objects(constraint, SH.message) if m not in own]
        text = self.query_text(constraint)
        try:
            check_read_only(text)  # a user's shape must not call SERVICE or read FROM a URL
        except UsageError as exc:
            raise InputError([Problem("shapes", 0, "", f"the constraint {constraint} cannot run: {exc}")]) from None
        if isinstance(focus, str):
            blocks = [f" {focus} "]
        else:
            nodes = sorted({n for n in focus if not isinstance(n, BNode)}, key=str)
            size = 1 if self.per_node(constraint) else _DIRECT_CHUNK
            blocks = [
                " VALUES ?this { " + " ".join(n.n3() for n in nodes[start : start + size]) + " } "
                for start in range(0, len(nodes), size)
            ]
        where = re.search(r"\bWHERE\s*\{", text, flags=re.IGNORECASE)
        for block in blocks:
            query = text if where is None else text[: where.end()] + block + text[where.end() :]
            yield from _sparql_results(_answers(store, query, constraint), shape, constraint, severity, extra + own)


def read_shapes(shapes_dir: Path | None = None, mode: str = "add") -> Shapes:
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
        query = re.sub(
            r"\bWHERE\s*\{",
            lambda m: m.group(0) + f" VALUES ?this {{ {values} }} ",
            query,
            count=1,
            flags=re.IGNORECASE,
        )
    try:
        solutions = store.query(query, use_default_graph_as_union=True)
        if not isinstance(solutions, ox.QuerySolutions):
            raise TypeError("a target must be a SELECT query")
        found = [row["this"] for row in solutions]
    except (SyntaxError, OSError, TypeError) as exc:
        raise InputError([Problem("shapes", 0, "", f"the target {target} cannot run: {exc}")]) from exc
    return {sub.term(n) for n in found if n is not None and (wanted is None or n.value in wanted)}


def _true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


_PRE_BOUND = re.compile(r"[?$](PATH|currentShape|shapesGraph|failure)\b")


def _direct_query(select: str) -> bool:
    """Whether a constraint's query gives the same solutions with $this unbound, then joined
    with the focus nodes, as with $this bound first (pySHACL): one SELECT whose projection has
    $this, and no other variable that pySHACL binds beforehand."""
    if len(re.findall(r"\bSELECT\b", select, flags=re.IGNORECASE)) != 1 or re.search(r"\$(?!this\b)\w", select):
        return False
    head = re.split(r"\bWHERE\b", select, maxsplit=1, flags=re.IGNORECASE)[0]
    if not re.search(r"[?$]this\b", head) or _PRE_BOUND.search(select):
        return False
    return not re.search(r"\b(SERVICE|GRAPH|FROM)\b", select, flags=re.IGNORECASE)


def _message(message: Node, variables: dict[str, Node]) -> Node:
    """A message with {?var} and {$var} replaced by the solution's values, as pySHACL does."""
    if not isinstance(message, Literal):
        return message
    text = str(message.value)
    for name, value in variables.items():
        text = re.sub(f"{{[?$]{name}}}", str(value), text)
    return Literal(text)


def _answers(store: ox.Store, query: str, constraint: Node) -> list[dict[str, Node]]:
    """A constraint's solutions, each as its bound variables (rdflib terms): read to the end
    here, so the engine's objects are dropped on the thread that made them."""
    try:
        solutions = store.query(query, use_default_graph_as_union=True)
    except (SyntaxError, OSError) as exc:
        raise InputError([Problem("shapes", 0, "", f"the constraint {constraint} cannot run: {exc}")]) from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise InputError([Problem("shapes", 0, "", f"the constraint {constraint} is not a SELECT query")])
    names = [v.value for v in solutions.variables]
    found = [{name: sub.term(s[name]) for name in names if s[name] is not None} for s in solutions]
    del solutions
    return found


def _sparql_results(
    solutions: list[dict[str, Node]], shape: Node, constraint: Node, severity: Node, messages: list[Node]
) -> Iterator[tuple[Node, Node, Node]]:
    """A SPARQL constraint's solutions as pySHACL's results: one per distinct solution (with
    ?this), the value ?value or else the focus node, the path ?path if bound."""
    seen: set[tuple[object, ...]] = set()
    for solution in solutions:
        bound = dict(solution)
        this = bound.pop("this", None)
        if this is None:
            continue
        path, value = bound.pop("path", None), bound.pop("value", None)
        key = (this, path, value, *sorted(bound.items()))
        if key in seen:
            continue
        seen.add(key)
        value = value if value is not None else this
        # pySHACL formats the messages with the other variables, then this, path and value
        variables = {**bound, "this": this, **({"path": path} if path is not None else {}), "value": value}
        result = BNode()
        yield result, RDF.type, SH.ValidationResult
        yield result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent
        yield result, SH.sourceShape, shape
        yield result, SH.resultSeverity, severity
        yield result, SH.focusNode, this
        yield result, SH.value, value
        if path is not None:
            yield result, SH.resultPath, path
        yield result, SH.sourceConstraint, constraint
        for message in messages:
            yield result, SH.resultMessage, _message(message, variables)
