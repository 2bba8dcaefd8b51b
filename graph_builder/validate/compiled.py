"""SHACL core constraints as queries on the store: the checks that dominate validation, run by
the query engine instead of pySHACL, with pySHACL's results.

    compile_shapes(graph, targeted)  the checks the targeted shapes' constraints become, and the
                                     shape statements they stand for (left out of pySHACL's graph)
    run_checks(...)                  (checks.py) runs them on a store: every target, or given nodes

A check is one SELECT over one shape's focus nodes (`%FOCUS%` stands for them: the shape's
targets as graph patterns for the whole graph, a VALUES block for a submission). The engine
reads a path once per check, so a property shape's constraints share checks: its
cardinalities one (a count per focus node), its constraints on single values one (a flag
each), and sh:class, sh:hasValue, sh:disjoint, sh:lessThanOrEquals one each (written with
MINUS or a join: the engine evaluates FILTER NOT EXISTS anew per focus node, far slower).
A shape without sh:message (pySHACL writes its own), one another shape refers to, a blank
property shape or a deactivated one stays with pySHACL, as does any constraint conditions.py
cannot write.

Where the engine's reading of a value can differ from pySHACL's (rdflib's lexical checks of a
datatype, Python's regular expressions, comparisons of literals), the query selects a superset
and each Part's `decide` gives pySHACL's verdict on the candidates (verdicts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.validate import verdicts
from graph_builder.validate.conditions import COMPONENTS, TYPE, Conditions, NotCompiled, Walk, number

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

_SINGLE = {
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH["in"],
    SH.minInclusive,
    SH.maxInclusive,
    SH.node,
    SH["not"],
    SH["or"],
}


@dataclass(frozen=True)
class Part:
    """One constraint a check reports on."""

    component: URIRef  # sh:sourceConstraintComponent
    flag: str | None  # the answer's variable that is true where this constraint is violated (None: every answer)
    reports_value: bool  # whether a result names the value (not for cardinalities or sh:hasValue)
    decide: verdicts.Verdict | None = None  # pySHACL's verdict on a candidate (value, other)


@dataclass(frozen=True)
class Check:
    """A query over the focus nodes of the shape that targets them, answering ?this, and
    ?value, ?other and the parts' flags where they apply."""

    targeted: Node  # the shape whose targets give the focus nodes
    shape: Node  # the shape the results are from (sh:sourceShape): `targeted` or one of its property shapes
    query: str
    path: Node | None  # sh:resultPath (a node of the shapes graph)
    parts: tuple[Part, ...]
    detail: Check | None = None  # run on the focus nodes whose answer has ?more true


@dataclass
class Compiled:
    checks: list[Check] = field(default_factory=list)
    covered: set[tuple[Node, Node, Node]] = field(default_factory=set)  # shape statements the checks stand for


class _Checks:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.sql = Conditions(graph)

    def of(self, targeted: Node, shape: Node) -> list[Check]:
        """The checks of a shape (a targeted node shape or one of its property shapes)."""
        if shape in self.sql.referred or not list(self.g.objects(shape, SH.message)):
            raise NotCompiled(f"{shape} is referred to, or has no sh:message")
        path = self.g.value(shape, SH.path)
        steps = self.sql.path(path) if path is not None else None
        constraints = self.sql.constraints(shape)

        def check(query: str, *parts: Part) -> Check:
            return Check(targeted, shape, query, path, parts)

        def checks(query: str, parts: list[Part]) -> Check:
            return check(query, *parts)

        found = []
        counts = [(p, o) for p, o in constraints if p in (SH.minCount, SH.maxCount)]
        single = [(p, o) for p, o in constraints if p in _SINGLE]
        classes = [(p, o) for p, o in constraints if p == SH["class"]] if steps and counts else []
        if steps is not None and counts and (single or classes):  # the path read once: counted and screened
            detail = checks(*self.single(shape, single + classes, steps))
            screen = [c for c, _ in self.conditions(shape, single, steps)]
            typed = "".join(
                f" OPTIONAL {{ ?value {RDF_TYPE} ?k{i} . VALUES ?k{i} {{ %CLASSES <{o}>% }} }}"
                for i, (_, o) in enumerate(classes)
            )
            screen += [f"!BOUND(?k{i})" for i in range(len(classes))]
            query, parts = self.cardinality(counts, steps, screen, typed)
            found.append(Check(targeted, shape, query, path, tuple(parts), detail))
        else:
            if counts:
                found.append(checks(*self.cardinality(counts, steps)))
            if single:
                found.append(checks(*self.single(shape, single, steps)))
        value = "?value" if steps else "?this"
        head = f"{steps('?this', '?value')} . " if steps else ""
        projection = "?this ?value" if steps else "?this (?this AS ?value)"
        for p, o in constraints:
            part = Part(COMPONENTS[p], None, True)
            if p == SH.hasValue:
                test = f"MINUS {{ {steps('?this', o.n3())} }}" if steps else f"FILTER(!sameTerm(?this, {o.n3()}))"
                found.append(
                    check(f"SELECT DISTINCT ?this WHERE {{ %FOCUS% {test} }}", Part(COMPONENTS[p], None, False))
                )
            elif p == SH["class"] and not classes:
                body = f"{head}MINUS {{ {value} {TYPE} <{o}> }}"
                found.append(check(f"SELECT DISTINCT {projection} WHERE {{ %FOCUS% {body} }}", part))
            elif p == SH.disjoint:
                found.append(check(f"SELECT DISTINCT {projection} WHERE {{ %FOCUS% {head}?this <{o}> {value} }}", part))
            elif p == SH.lessThanOrEquals:
                body = f"{head}?this <{o}> ?other FILTER(!COALESCE({value} <= ?other, false))"
                part = Part(COMPONENTS[p], None, True, verdicts.less_than_or_equals)
                found.append(check(f"SELECT DISTINCT {projection} ?other WHERE {{ %FOCUS% {body} }}", part))
        return found

    def cardinality(
        self, counts: list[tuple[Node, Node]], steps: Walk | None, screen: list[str] | None = None, typed: str = ""
    ) -> tuple[str, list[Part]]:
        """sh:minCount and sh:maxCount: the focus nodes with too few or too many values; with
        `screen` (conditions on ?value, reading what `typed` adds: the value's types among a
        class's), also those with a value that may violate one (?more)."""
        if steps is None:
            raise NotCompiled("a cardinality without a path")
        parts: list[Part] = []
        tests: list[str] = []
        for i, (p, o) in enumerate(counts):
            tests.append(f"?n {'<' if p == SH.minCount else '>'} {number(o)}")
            parts.append(Part(COMPONENTS[p], f"f{i}", False))
        if counts == [(SH.minCount, Literal(1))] and not screen:  # the usual case, without counting
            query = f"SELECT DISTINCT ?this (true AS ?f0) WHERE {{ %FOCUS% MINUS {{ {steps('?this', '?any')} }} }}"
            return query, parts
        flags = " ".join(f"({test} AS ?f{i})" for i, test in enumerate(tests))
        bad = ""
        if screen:
            bad = f" (SUM(IF(COALESCE({' || '.join(screen)}, false), 1, 0)) AS ?bad)"
            tests.append("?bad > 0")
            flags += " (?bad > 0 AS ?more)"
        query = (
            f"SELECT ?this {flags} WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n){bad} WHERE {{ %FOCUS% "
            f"OPTIONAL {{ {steps('?this', '?value')}{typed} }} }} GROUP BY ?this }} FILTER({' || '.join(tests)}) }}"
        )
        return query, parts

    def conditions(self, shape: Node, single: list[tuple[Node, Node]], steps: Walk | None) -> list[tuple[str, Part]]:
        """Each single-value constraint's condition on the value, with the part it reports."""
        value = "?value" if steps else "?this"
        return [
            (
                self.sql.condition(shape, p, o, value),
                Part(COMPONENTS[p], f"f{i}", True, verdicts.deciding(self.g, shape, p, o)),
            )
            for i, (p, o) in enumerate(single)
        ]

    def single(self, shape: Node, single: list[tuple[Node, Node]], steps: Walk | None) -> tuple[str, list[Part]]:
        """The constraints on each value alone, in one query with a flag each."""
        head = f"{steps('?this', '?value')} . " if steps else ""
        conditions = [c for c, _ in self.conditions(shape, single, steps)]
        parts = [part for _, part in self.conditions(shape, single, steps)]
        flags = " ".join(f"(COALESCE({c}, false) AS ?f{i})" for i, c in enumerate(conditions))
        projection = "?this ?value" if steps else "?this (?this AS ?value)"
        test = " || ".join(f"COALESCE({c}, false)" for c in conditions)
        return f"SELECT DISTINCT {projection} {flags} WHERE {{ %FOCUS% {head}FILTER({test}) }}", parts


def compile_shapes(graph: Graph, targeted: list[Node]) -> Compiled:
    """The checks of the targeted shapes' constraints that the query engine can run."""
    checks = _Checks(graph)
    compiled = Compiled()
    for shape in targeted:
        if (shape, SH.deactivated, Literal(True)) in graph:
            continue
        for member in [shape, *graph.objects(shape, SH.property)]:
            if isinstance(member, BNode):
                continue  # a blank property shape has no name to report: pySHACL's
            try:
                compiled.checks += checks.of(shape, member)
            except NotCompiled:
                continue
            compiled.covered |= {(member, p, o) for p, o in checks.sql.constraints(member)}
            if (member, SH.pattern, None) in graph:
                compiled.covered |= {(member, SH.flags, o) for o in graph.objects(member, SH.flags)}
    return compiled
