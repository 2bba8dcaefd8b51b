"""What the rules of a SHACL shape say, in words: their names, constraints, paths and severity.

A rule is a property shape (`sh:property`), a SPARQL constraint (`sh:sparql`) or the
constraints a node shape states itself (`rules_of`).
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from graph_builder.docs.pages import curie, text_of


def shape_name(graph: Graph, shape: object) -> str:
    if isinstance(shape, BNode):
        return text_of(graph, shape, SH.name) or "(an anonymous shape)"
    return text_of(graph, shape, SH.name) or curie(shape)


def rules_of(graph: Graph, shape: Any) -> list[Any]:
    """The rules of a node shape: its own constraints (if any), property shapes, SPARQL constraints."""
    rules: list[Any] = [shape] if constraints_in_words(graph, shape) else []
    rules += sorted(graph.objects(shape, SH.property), key=lambda r: (shape_name(graph, r), str(r)))
    rules += sorted(graph.objects(shape, SH.sparql), key=lambda r: (shape_name(graph, r), str(r)))
    return rules


_WORDS: dict[Any, str] = {
    SH.minCount: "at least {} value(s)",
    SH.maxCount: "at most {} value(s)",
    SH.datatype: "of datatype {}",
    SH["class"]: "each an instance of {}",
    SH.nodeKind: "each of node kind {}",
    SH.pattern: "matching the pattern {}",
    SH.hasValue: "including the value {}",
    SH.node: "each conforming to {}",
    SH.minInclusive: "at least {}",
    SH.maxInclusive: "at most {}",
    SH.minExclusive: "more than {}",
    SH.maxExclusive: "less than {}",
    SH.minLength: "at least {} characters",
    SH.maxLength: "at most {} characters",
    SH.disjoint: "none shared with {}",
    SH.equals: "the same as {}",
    SH.lessThan: "less than {}",
    SH.lessThanOrEquals: "at most {}",
    SH.closed: "closed: {}",
    SH.uniqueLang: "one per language: {}",
}


def constraints_in_words(graph: Graph, shape: Any) -> list[str]:
    found = [_WORDS[p].format(_show(graph, o)) for p, o in graph.predicate_objects(shape) if p in _WORDS]
    for logic, word in ((SH["or"], "one of"), (SH["xone"], "exactly one of"), (SH["and"], "all of")):
        for members in graph.objects(shape, logic):
            parts = [_nested(graph, m) for m in Collection(graph, members)]
            found.append(f"{word}: " + " | ".join(f"({p})" for p in parts))
    for member in graph.objects(shape, SH["not"]):
        found.append("not: " + _nested(graph, member))
    for values in graph.objects(shape, SH["in"]):
        found.append("one of " + ", ".join(_show(graph, v) for v in Collection(graph, values)))
    return sorted(found)


def _nested(graph: Graph, shape: Any) -> str:
    """A shape inside sh:or / sh:not in words: its path (if any) and its constraints."""
    words = "; ".join(constraints_in_words(graph, shape))
    for member in sorted(graph.objects(shape, SH.property), key=lambda m: _nested(graph, m)):
        words = "; ".join(filter(None, [words, _nested(graph, member)]))
    path = graph.value(shape, SH.path)
    if path is not None:
        words = f"{path_in_words(graph, path)}: {words}"
    return words or shape_name(graph, shape)


def _show(graph: Graph, value: Any) -> str:
    if isinstance(value, URIRef):
        return curie(value)
    if isinstance(value, BNode):
        return shape_name(graph, value)
    return str(value)


def path_in_words(graph: Graph, path: Any) -> str:
    if isinstance(path, URIRef):
        return curie(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_in_words(graph, inverse)
    if (path, RDF.first, None) in graph:
        return "/".join(path_in_words(graph, p) for p in Collection(graph, path))
    return "(a complex path)"


def severity_of(graph: Graph, rule: Any, shape: Any) -> str:
    for holder in (rule, shape):
        value = graph.value(holder, SH.severity)
        if value is not None:
            return str(value).rsplit("#", 1)[-1]
    return "Violation"
