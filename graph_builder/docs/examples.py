"""Examples of failing submissions for the shapes pages, each proven to fail its rule.

An example is the one given in the shapes, where a rule has `skos:example` (Turtle text),
or one made here from the rule's core constraints (`_failing`). All are validated at once
with pySHACL against the shapes (`prove_examples`); only those on which their rule fires
are kept, with the message the report gives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS, XSD

from graph_builder.core.iri import ID
from graph_builder.core.terms import PREFIXES
from graph_builder.docs.pages import text_of
from graph_builder.docs.rules import rules_of

EXAMPLE = ID + "example/"
"""Where the focus nodes and values of the examples made here live."""

_Triple = tuple[Any, Any, Any]


def failing_examples(shapes: Graph) -> dict[Any, tuple[URIRef, list[_Triple] | str]]:
    """Rule → (focus node, triples of a failing submission, or the Turtle of skos:example)."""
    found: dict[Any, tuple[URIRef, list[_Triple] | str]] = {}
    for number, shape in enumerate(sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str)):
        classes = sorted(shapes.objects(shape, SH.targetClass), key=str)
        for index, rule in enumerate(rules_of(shapes, shape)):
            focus = URIRef(f"{EXAMPLE}{number}-{index}")
            given = text_of(shapes, rule, SKOS.example)
            if given:
                found[rule] = (_given_focus(given) or focus, given)
            elif classes and rule != shape and isinstance(shapes.value(rule, SH.path), URIRef):
                triples = _failing(shapes, rule, focus, shapes.value(rule, SH.path))
                if triples is not None:
                    found[rule] = (focus, [(focus, RDF.type, classes[0]), *triples])
    return found


def _given_focus(turtle: str) -> URIRef | None:
    """The first subject of a given example (its focus node)."""
    graph = Graph()
    try:
        graph.parse(data=_prefixed(turtle), format="turtle")
    except Exception:
        return None
    subjects = sorted(s for s in graph.subjects() if isinstance(s, URIRef))
    return subjects[0] if subjects else None


def _prefixed(turtle: str) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + turtle


def _failing(shapes: Graph, rule: Any, focus: URIRef, path: URIRef) -> list[_Triple] | None:
    """Statements that break the rule's first breakable core constraint (None if none is)."""
    value = shapes.value
    if value(rule, SH.minCount) is not None and int(value(rule, SH.minCount)) >= 1:
        return []
    if value(rule, SH.hasValue) is not None:
        return []
    iri_valued = value(rule, SH["class"]) is not None or value(rule, SH.nodeKind) == SH.IRI
    if value(rule, SH.maxCount) is not None:
        count = int(value(rule, SH.maxCount)) + 1
        datatype = value(rule, SH.datatype)
        items = [URIRef(f"{EXAMPLE}value-{i}") if iri_valued else _sample(datatype, i) for i in range(1, count + 1)]
        return [(focus, path, item) for item in items]
    datatype = value(rule, SH.datatype)
    if datatype is not None:
        wrong = Literal("1", datatype=XSD.integer) if datatype == XSD.string else Literal("not a value")
        return [(focus, path, wrong)]
    listed = value(rule, SH["in"])
    if listed is not None:
        first = next(iter(Collection(shapes, listed)), None)
        if isinstance(first, URIRef):
            return [(focus, path, URIRef(str(first).rsplit("/", 1)[0] + "/not-in-the-list"))]
        return [(focus, path, Literal("not in the list"))]
    pattern = value(rule, SH.pattern)
    if pattern is not None:
        flags = re.IGNORECASE if "i" in str(value(rule, SH.flags) or "") else 0
        for candidate in ("not valid!", "X", "", "0"):
            if not re.search(str(pattern), candidate, flags):
                return [(focus, path, Literal(candidate))]
        return None
    if iri_valued:
        return (
            [(focus, path, URIRef(f"{EXAMPLE}of-another-kind"))]
            if value(rule, SH["class"])
            else [(focus, path, Literal("text"))]
        )
    bound = value(rule, SH.minInclusive) or value(rule, SH.minExclusive)
    if isinstance(bound, Literal) and isinstance(bound.toPython(), int | float | Decimal):
        return [(focus, path, Literal(bound.toPython() - 1, datatype=bound.datatype))]
    if value(rule, SH.node) is not None:
        return [(focus, path, Literal("not valid!"))]
    other = value(rule, SH.disjoint)
    if other is not None:
        shared = URIRef(f"{EXAMPLE}shared")
        return [(focus, path, shared), (focus, other, shared)]
    return None


_SAMPLES: dict[Any, str] = {
    XSD.integer: "{}",
    XSD.decimal: "{}.5",
    XSD.date: "2020-01-0{}",
    XSD.gYear: "202{}",
    XSD.gYearMonth: "2020-0{}",
    XSD.boolean: "true",
    XSD.anyURI: "https://example.org/{}",
}


def _sample(datatype: Any, number: int) -> Literal:
    """A well-formed value of a datatype (text where it is not one of `_SAMPLES`)."""
    if datatype in _SAMPLES:
        return Literal(_SAMPLES[datatype].format(number), datatype=datatype)
    return Literal(f"value {number}", datatype=datatype)


def prove_examples(
    shapes: Graph, ontology: Graph, examples: dict[Any, tuple[URIRef, list[_Triple] | str]]
) -> dict[Any, tuple[str, str]]:
    """Validate all examples at once; keep those on which their rule fires, with its message."""
    import pyshacl

    data = Graph()
    for _, (_, content) in sorted(examples.items(), key=lambda kv: str(kv[1][0])):
        if isinstance(content, str):
            try:
                data.parse(data=_prefixed(content), format="turtle")
            except Exception:
                continue
        else:
            for triple in content:
                data.add(triple)
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=_needed(shapes, examples),
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    fired: dict[tuple[str, str], str] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        message = str(report.value(result, SH.resultMessage) or "")
        for source in (report.value(result, SH.sourceShape), report.value(result, SH.sourceConstraint)):
            if source is not None:
                fired.setdefault((focus, _key(report, source)), message)
    proven: dict[Any, tuple[str, str]] = {}
    for rule, (focus, content) in examples.items():
        said = fired.get((str(focus), _key(shapes, rule)))
        if said is not None:
            proven[rule] = (content if isinstance(content, str) else _turtle(content), said)
    return proven


def _needed(shapes: Graph, examples: dict[Any, tuple[URIRef, list[_Triple] | str]]) -> Graph:
    """The shapes without the SPARQL constraints no example is for (pySHACL parses each
    query again and again: the full set takes some 25 s on the examples, this under 2 s)."""
    kept = Graph()
    for triple in shapes:
        if triple[1] == SH.sparql and triple[2] not in examples:
            continue
        kept.add(triple)
    return kept


def _key(graph: Graph, node: Any) -> str:
    """A rule's identity across graphs: its IRI, or its name and description for a blank node."""
    if isinstance(node, URIRef):
        return str(node)
    return "_:" + text_of(graph, node, SH.name) + "|" + text_of(graph, node, SH.description)


def _turtle(triples: Iterable[_Triple]) -> str:
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    graph.bind("ex", EXAMPLE)
    for triple in triples:
        graph.add(triple)
    text = graph.serialize(format="turtle")
    return "\n".join(line for line in text.splitlines() if not line.startswith("@prefix")).strip()
