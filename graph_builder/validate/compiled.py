"""SHACL core constraints as queries on the store: the checks that dominate validation, run by
the query engine instead of pySHACL, with pySHACL's results.

    compile_shapes(shapes)   the checks each targeted shape's constraints become (a Check each),
                             and the shape statements they stand for (left out of pySHACL's graph)
    run_checks(...)          (checks.py) runs them on a store, on every target or on given focus nodes

A constraint over a shape's value nodes is one SELECT of the (?this, ?value) that violate it,
with the focus nodes put in where `%FOCUS%` stands: the shape's targets as graph patterns (the
whole graph) or a VALUES block (a submission). Compiled: sh:minCount, sh:maxCount, sh:datatype,
sh:class, sh:nodeKind, sh:pattern, sh:in, sh:hasValue, sh:minInclusive, sh:maxInclusive,
sh:disjoint, sh:lessThanOrEquals, and sh:node, sh:not and sh:or on shapes made of those (a
shape's conformance as a pattern with solutions exactly where it has a result). Paths: a
predicate, sh:inversePath and sequences. Anything else stays with pySHACL, as does a shape
without sh:message (pySHACL writes its own), one another shape refers to, or one deactivated.

Where the engine's reading of a value can differ from pySHACL's (rdflib's lexical checks of a
datatype, Python's regular expressions, comparisons of literals), the query selects a superset
and `Check.decide` gives pySHACL's verdict on each candidate (checks.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.validate import verdicts

_TYPE = f"<{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
_LOGICAL = (SH.node, SH["not"], SH["or"], SH["and"], SH.xone, SH.qualifiedValueShape)
_CASTS = {XSD.integer, XSD.decimal, XSD.date, XSD.dateTime, XSD.boolean, XSD.gYear, XSD.gYearMonth, XSD.double}
_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPONENTS: dict[Node, URIRef] = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
}
# What a shape may say besides its constraints (a shape saying anything else is left to pySHACL).
_QUIET = {
    RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.property, SH.order, SH.group,
    SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target, SH.flags, SH.deactivated,
    SH.sparql, SH.prefixes, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), URIRef("https://w3id.org/nhs-dkg/shapes#column"),
}  # fmt: skip


Walk = Callable[[str, str], str]  # (start, end) -> the triple patterns of a path between them


def _number(value: Node) -> int:
    return int(str(value))


class NotCompiled(Exception):
    """A constraint (or a shape it refers to) the compiler leaves to pySHACL."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a query over the focus nodes of the shape that targets them."""

    targeted: Node  # the shape whose targets give the focus nodes
    shape: Node  # the shape the results are from (sh:sourceShape): `targeted` or one of its property shapes
    component: URIRef  # sh:sourceConstraintComponent
    query: str  # SELECT DISTINCT ?this ?value [?other]: %FOCUS% stands for the focus nodes' pattern
    path: Node | None  # sh:resultPath (a node of the shapes graph)
    reports_value: bool  # whether the results name a value (sh:minCount, sh:maxCount, sh:hasValue do not)
    decide: Callable[[Node | None, Node | None], bool] | None = None  # pySHACL's verdict on (value, other)


@dataclass
class Compiled:
    checks: list[Check] = field(default_factory=list)
    covered: set[tuple[Node, Node, Node]] = field(default_factory=set)  # shape statements the checks stand for


class _Compiler:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.fresh = itertools.count()
        self.referred = {o for p in _LOGICAL for o in graph.objects(None, p)}
        self.referred |= {m for lst in graph.objects(None, SH["or"]) for m in Collection(graph, lst)}

    def var(self) -> str:
        return f"?v{next(self.fresh)}"

    def path(self, node: Node) -> Walk:
        """A SHACL path as a chain of triple patterns from a node to its values (the engine joins
        those better than a property path inside NOT EXISTS)."""
        steps = self.steps(node)

        def walk(start: str, end: str) -> str:
            ends = [start, *(self.var() for _ in steps[1:]), end]
            return " . ".join(
                f"{ends[i + 1]} <{p}> {ends[i]}" if inverse else f"{ends[i]} <{p}> {ends[i + 1]}"
                for i, (p, inverse) in enumerate(steps)
            )

        return walk

    def steps(self, node: Node) -> list[tuple[URIRef, bool]]:
        """A path's predicates, each with whether it is followed backwards."""
        if isinstance(node, URIRef):
            return [(node, False)]
        inverse = self.g.value(node, SH.inversePath)
        if isinstance(inverse, URIRef):
            return [(inverse, True)]
        if (node, RDF.first, None) in self.g:
            return [step for member in Collection(self.g, node) for step in self.steps(member)]
        raise NotCompiled(f"path {node}")

    def constraints(self, shape: Node) -> list[tuple[Node, Node]]:
        """The shape's constraint parameters, or NotCompiled if it says anything not understood."""
        found = []
        for p, o in self.g.predicate_objects(shape):
            if p in _COMPONENTS:
                found.append((p, o))
            elif p not in _QUIET or (p == SH.sparql and shape in self.referred):
                raise NotCompiled(f"{shape} {p}")
        if (shape, SH.deactivated, Literal(True)) in self.g:
            raise NotCompiled(f"{shape} is deactivated")
        return sorted(found)

    # -- the pattern with solutions exactly where a node violates a shape ---------------------

    def violates(self, shape: Node, node: str) -> str:
        if self.g.value(shape, SH.sparql) is not None:
            raise NotCompiled(f"{shape} has a SPARQL constraint")
        path = self.g.value(shape, SH.path)
        steps = self.path(path) if path is not None else None
        parts = [self.nested(shape, p, o, node, steps) for p, o in self.constraints(shape)]
        for prop in self.g.objects(shape, SH.property):
            parts.append(self.violates(prop, node))
        if not parts:
            return "FILTER(false)"
        return " UNION ".join(f"{{ {part} }}" for part in parts)

    def nested(self, shape: Node, p: Node, o: Node, node: str, steps: Walk | None) -> str:
        """One constraint as a pattern of the violations of `node` (inside another shape's check)."""
        if p == SH.minCount:
            if _number(o) > 1 or steps is None:
                raise NotCompiled("sh:minCount over 1, or without a path, in a nested shape")
            return "FILTER(false)" if _number(o) < 1 else f"FILTER NOT EXISTS {{ {steps(node, self.var())} }}"
        if p == SH.maxCount:
            if _number(o) > 1 or steps is None:
                raise NotCompiled("sh:maxCount over 1, or without a path, in a nested shape")
            if _number(o) == 0:
                return steps(node, self.var())
            a, b = self.var(), self.var()
            return f"{steps(node, a)} . {steps(node, b)} FILTER(!sameTerm({a}, {b}))"
        if p == SH.hasValue:
            return f"FILTER NOT EXISTS {{ {steps(node, o.n3())} }}" if steps else f"FILTER(!sameTerm({node}, {o.n3()}))"
        value = self.var() if steps else node
        if p in (SH.disjoint, SH.lessThanOrEquals):
            raise NotCompiled(f"{p} in a nested shape")
        head = f"{steps(node, value)} . " if steps else ""
        return head + f"FILTER({self.condition(shape, p, o, value)})"

    def condition(self, shape: Node, p: Node, o: Node, v: str) -> str:
        """The filter true of a value `v` that violates the constraint (p, o)."""
        if p == SH.datatype:
            if o == URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"):
                return f"!isLiteral({v})"
            fits = f"isLiteral({v}) && datatype({v}) = <{o}>"
            if o in _CASTS:  # the engine's lexical check (pySHACL's: rdflib's, decided after)
                fits += f" && COALESCE(<{o}>(STR({v})) = {v}, false)"
            return f"!({fits})"
        if p == SH["class"]:
            return f"NOT EXISTS {{ {v} {_TYPE} <{o}> }}"
        if p == SH.nodeKind:
            return "!" + _KINDS[o].format(v=v) if o in _KINDS else "true"
        if p == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            args = f"{Literal(str(o)).n3()}" + (f", {Literal(str(flags)).n3()}" if flags is not None else "")
            # Python's $ also matches before a final newline and its . never matches one: such values are candidates
            return f'isBlank({v}) || !REGEX(STR({v}), {args}) || CONTAINS(STR({v}), "\\n")'
        if p == SH["in"]:
            members = " || ".join(f"sameTerm({v}, {m.n3()})" for m in Collection(self.g, o))
            return f"!({members or 'false'})"
        if p in (SH.minInclusive, SH.maxInclusive):
            op = ">=" if p == SH.minInclusive else "<="
            return f"!COALESCE(isLiteral({v}) && {v} {op} {o.n3()}, false)"
        if p == SH.node:
            return f"EXISTS {{ {self.violates(o, v)} }}"
        if p == SH["not"]:
            return f"NOT EXISTS {{ {self.violates(o, v)} }}"
        if p == SH["or"]:
            return " && ".join(f"EXISTS {{ {self.violates(m, v)} }}" for m in Collection(self.g, o)) or "true"
        raise NotCompiled(str(p))

    # -- a targeted shape's own constraints, each a query -------------------------------------

    def checks(self, targeted: Node, shape: Node) -> list[Check]:
        """The checks of a shape (a targeted node shape or one of its property shapes)."""
        if shape in self.referred or not list(self.g.objects(shape, SH.message)):
            raise NotCompiled(f"{shape} is referred to, or has no sh:message")
        path = self.g.value(shape, SH.path)
        steps = self.path(path) if path is not None else None
        found = []
        for p, o in self.constraints(shape):
            found.append(self.check(targeted, shape, p, o, path, steps))
        return found

    def check(self, targeted: Node, shape: Node, p: Node, o: Node, path: Node | None, steps: Walk | None) -> Check:
        """One constraint of a targeted shape as a query. (Where the values are missing, MINUS:
        the engine evaluates FILTER NOT EXISTS anew for each focus node, a hundred times slower.)"""
        component = _COMPONENTS[p]
        if p in (SH.minCount, SH.maxCount, SH.hasValue):
            return Check(targeted, shape, component, self.whole_node(p, o, steps), path, reports_value=False)
        value = "?value" if steps else "?this"
        head = f"{steps('?this', '?value')} . " if steps else ""
        decide: verdicts.Verdict | None = None
        if p == SH.disjoint:
            body = f"?this <{o}> {value}"
        elif p == SH.lessThanOrEquals:
            body = f"?this <{o}> ?other FILTER(!COALESCE({value} <= ?other, false))"
            decide = verdicts.less_than_or_equals
        elif p == SH["class"]:
            body = f"MINUS {{ {value} {_TYPE} <{o}> }}"
        else:
            body = f"FILTER({self.condition(shape, p, o, value)})"
            decide = verdicts.deciding(self.g, shape, p, o)
        other = " ?other" if p == SH.lessThanOrEquals else ""
        projection = "?this ?value" if steps else "?this (?this AS ?value)"
        query = f"SELECT DISTINCT {projection}{other} WHERE {{ %FOCUS% {head}{body} }}"
        return Check(targeted, shape, component, query, path, True, decide)

    def whole_node(self, p: Node, o: Node, steps: Walk | None) -> str:
        """A query of the focus nodes whose values as a whole violate sh:minCount, sh:maxCount or sh:hasValue."""
        if p == SH.hasValue:
            test = f"MINUS {{ {steps('?this', o.n3())} }}" if steps else f"FILTER(!sameTerm(?this, {o.n3()}))"
            return f"SELECT DISTINCT ?this WHERE {{ %FOCUS% {test} }}"
        n = _number(o)
        if steps is None:
            raise NotCompiled("a cardinality without a path")
        if p == SH.minCount and n < 1:
            return "SELECT ?this WHERE { FILTER(false) }"
        if p == SH.minCount and n == 1:  # the usual cases, without counting
            return f"SELECT DISTINCT ?this WHERE {{ %FOCUS% MINUS {{ {steps('?this', '?any')} }} }}"
        if p == SH.maxCount and n == 0:
            return f"SELECT DISTINCT ?this WHERE {{ %FOCUS% {steps('?this', '?any')} }}"
        if p == SH.maxCount and n == 1:
            pair = f"{steps('?this', '?a')} . {steps('?this', '?b')}"
            return f"SELECT DISTINCT ?this WHERE {{ %FOCUS% {pair} FILTER(!sameTerm(?a, ?b)) }}"
        optional, op = ("OPTIONAL", "<") if p == SH.minCount else ("", ">")
        return (
            f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ %FOCUS% "
            f"{optional} {{ {steps('?this', '?value')} }} }} GROUP BY ?this }} FILTER(?n {op} {n}) }}"
        )


def compile_shapes(graph: Graph, targeted: list[Node]) -> Compiled:
    """The checks of the targeted shapes' constraints that the query engine can run."""
    compiler = _Compiler(graph)
    compiled = Compiled()
    for shape in targeted:
        if (shape, SH.deactivated, Literal(True)) in graph:
            continue
        for member in [shape, *graph.objects(shape, SH.property)]:
            if isinstance(member, BNode):
                continue  # a blank property shape has no name to report: pySHACL's
            try:
                checks = compiler.checks(shape, member)
            except NotCompiled:
                continue
            compiled.checks += checks
            compiled.covered |= {(member, p, o) for p, o in compiler.constraints(member)}
            if (member, SH.pattern, None) in graph:
                compiled.covered |= {(member, SH.flags, o) for o in graph.objects(member, SH.flags)}
    return compiled
