"""SHACL constraints as SPARQL: the conditions the compiled checks (compiled.py) are made of.

    Conditions(graph)       reads the shapes graph
      .path(node)           a SHACL path as triple patterns between two variables (a Walk)
      .constraints(shape)   a shape's constraint parameters, or NotCompiled
      .condition(...)       the filter true of a value that violates one constraint
      .violates(shape, v)   a pattern with solutions exactly where node v has a result for a
                            shape (its constraints and its property shapes): sh:node, sh:not
                            and sh:or are written with it

Compiled: sh:minCount, sh:maxCount, sh:datatype, sh:class, sh:nodeKind, sh:pattern, sh:in,
sh:hasValue, sh:minInclusive, sh:maxInclusive, sh:disjoint, sh:lessThanOrEquals, and sh:node,
sh:not and sh:or on shapes made of those. Paths: a predicate, sh:inversePath and sequences.
Anything else raises NotCompiled: the shape stays with pySHACL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.core import iri as mint

TYPE = f"<{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
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
COMPONENTS: dict[Node, URIRef] = {
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
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), URIRef(mint.SHAPES + "column"),
}  # fmt: skip


Walk = Callable[[str, str], str]  # (start, end) -> the triple patterns of a path between them


def number(value: Node) -> int:
    return int(str(value))


class NotCompiled(Exception):
    """A constraint (or a shape it refers to) the compiler leaves to pySHACL."""


class Conditions:
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
            if p in COMPONENTS:
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
            if number(o) > 1 or steps is None:
                raise NotCompiled("sh:minCount over 1, or without a path, in a nested shape")
            return "FILTER(false)" if number(o) < 1 else f"FILTER NOT EXISTS {{ {steps(node, self.var())} }}"
        if p == SH.maxCount:
            if number(o) > 1 or steps is None:
                raise NotCompiled("sh:maxCount over 1, or without a path, in a nested shape")
            if number(o) == 0:
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
            return f"NOT EXISTS {{ {v} {TYPE} <{o}> }}"
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
