"""Run the compiled checks (compiled.py) on a store and state their results as pySHACL does.

    target_patterns(store, shapes)                        -> each shape's targets as a graph pattern
    run_checks(store, shapes, compiled, focus, progress)  -> the results' triples

`focus` gives each shape's focus nodes: its targets as a graph pattern (the whole graph: nothing
is listed in memory) or the nodes (a submission: named in VALUES blocks). The checks run on two
threads (the engine does not hold the GIL while it evaluates); each thread reads its answers to
the end before the next query.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.core.errors import InputError, Problem
from graph_builder.validate import intake as sub
from graph_builder.validate.compiled import Check, Compiled
from graph_builder.validate.findings import closure
from graph_builder.validate.shapes import Shapes

Triple = tuple[Node, Node, Node]
_CHUNK = 500  # focus nodes a VALUES block names
_THREADS = 2
_PATTERNS: dict[Node, str] = {
    SH.targetSubjectsOf: "?this <{}> ?target_any .",
    SH.targetObjectsOf: "?target_any <{}> ?this .",
}
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_CLASSES = re.compile(r"%CLASSES <([^>]*)>%")


def run_checks(
    store: ox.Store,
    shapes: Shapes,
    compiled: Compiled,
    focus: dict[Node, set[Node]] | dict[Node, str],
    progress: Callable[[str, int, int | None], None] | None = None,
) -> Iterator[Triple]:
    """The validation results of the compiled checks, as pySHACL's report states them, on each
    shape's focus nodes: given, or as a graph pattern binding ?this (`target_patterns`)."""
    queries: list[tuple[Check, str]] = []
    closures: dict[str, str] = {}
    for check in compiled.checks:
        given = focus.get(check.targeted)
        if given is None:
            continue
        check = _with_classes(store, check, closures)
        if isinstance(given, str):
            queries.append((check, check.query.replace("%FOCUS%", given)))
            continue
        nodes = sorted((n for n in given if not isinstance(n, BNode)), key=str)
        for start in range(0, len(nodes), _CHUNK):
            block = "VALUES ?this { " + " ".join(n.n3() for n in nodes[start : start + _CHUNK]) + " } "
            queries.append((check, check.query.replace("%FOCUS%", block)))
    paths = _path_statements(shapes.graph, compiled)
    with ThreadPoolExecutor(_THREADS) as pool:
        for done, answers in enumerate(pool.map(lambda cq: _answers(store, *cq), queries), 1):
            for check, rows in answers:
                yield from _results(shapes.graph, check, rows, paths)
            if progress:
                progress("running the compiled checks", done, len(queries))


def target_patterns(store: ox.Store, shapes: Shapes) -> dict[Node, str]:
    """Each targeted shape's focus nodes as a graph pattern binding ?this. Class targets become
    the instances of the classes and their subclasses, listed (the engine joins a VALUES list
    of classes far faster than a union of rdf:type/rdfs:subClassOf* paths); SPARQL targets
    (narrow by design) and node targets, their nodes, found once each, on two threads."""
    kinds = {pair for targets in shapes.targets.values() for pair in targets}
    listed = sorted((pair for pair in kinds if pair[0] not in _PATTERNS and pair[0] != SH.targetClass), key=str)
    with ThreadPoolExecutor(_THREADS) as pool:
        found_nodes = dict(zip(listed, pool.map(lambda kv: shapes.resolve_one(store, *kv), listed), strict=True))
    found = {}
    closure: dict[Node, list[str]] = {}
    for shape, targets in shapes.targets.items():
        parts, classes = [], set()
        for kind, value in targets:
            if kind == SH.targetClass:
                if value not in closure:
                    closure[value] = _subclasses(store, value)
                classes.update(closure[value])
            elif kind in _PATTERNS:
                parts.append(_PATTERNS[kind].format(value))
            else:
                nodes = sorted(found_nodes[(kind, value)], key=str)
                parts.append("VALUES ?this { " + " ".join(n.n3() for n in nodes) + " }")
        if classes:
            parts.append(f"VALUES ?target_class {{ {' '.join(sorted(classes))} }} ?this {_TYPE} ?target_class .")
        found[shape] = parts[0] if len(parts) == 1 else " UNION ".join(f"{{ {p} }}" for p in parts)
    return found


def _with_classes(store: ox.Store, check: Check, closures: dict[str, str]) -> Check:
    """The check with each `%CLASSES <C>%` replaced by C and its subclasses in the store."""

    def listed(match: re.Match[str]) -> str:
        cls = match.group(1)
        if cls not in closures:
            closures[cls] = " ".join(_subclasses(store, URIRef(cls)))
        return closures[cls]

    return dataclasses.replace(check, query=_CLASSES.sub(listed, check.query))


def _subclasses(store: ox.Store, cls: Node) -> list[str]:
    """A class and its subclasses in the store (as SPARQL terms)."""
    query = f"SELECT DISTINCT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
    answer = store.query(query, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    found = {f"<{row['c'].value}>" for row in answer if isinstance(row["c"], ox.NamedNode)}
    return sorted(found | {f"<{cls}>"})


def _answers(store: ox.Store, check: Check, query: str) -> list[tuple[Check, list[Row]]]:
    """A check's answers, and its detail's on the focus nodes it screened out (?more)."""
    rows = _solutions(store, check, query)
    found = [(check, rows)]
    detail = check.detail
    if detail is not None:
        nodes = sorted({this for this, _, _, flags in rows if "more" in flags}, key=str)
        for start in range(0, len(nodes), _CHUNK):
            block = "VALUES ?this { " + " ".join(n.n3() for n in nodes[start : start + _CHUNK]) + " } "
            found.append((detail, _solutions(store, detail, detail.query.replace("%FOCUS%", block))))
    return found


Row = tuple[Node, Node | None, Node | None, frozenset[str]]  # focus, value, other, the flags that are true


def _solutions(store: ox.Store, check: Check, query: str) -> list[Row]:
    """(focus, value, other, flags) of each solution: read to the end on the thread that asked."""
    try:
        answer = store.query(query, use_default_graph_as_union=True)
    except (SyntaxError, OSError, RuntimeError) as exc:
        raise InputError([Problem("shapes", 0, "", f"the shape {check.shape} cannot be checked: {exc}")]) from None
    assert isinstance(answer, ox.QuerySolutions)
    names = {v.value for v in answer.variables}
    flags = [part.flag for part in check.parts if part.flag is not None and part.flag in names]
    flags += ["more"] if "more" in names else []
    rows = []
    for solution in answer:
        this, value, other = (solution[n] if n in names else None for n in ("this", "value", "other"))
        true = frozenset(f for f in flags if solution[f] is not None and solution[f].value == "true")
        rows.append((sub.term(this), _term(value), _term(other), true))
    del answer
    return rows


def _term(node: object) -> Node | None:
    return sub.term(node) if node is not None else None


def _results(graph: Graph, check: Check, rows: list[Row], paths: dict[Node, list[Triple]]) -> Iterator[Triple]:
    severity = graph.value(check.shape, SH.severity) or SH.Violation
    messages = list(graph.objects(check.shape, SH.message))
    for this, value, other, flags in rows:
        for part in check.parts:
            if part.flag is not None and part.flag not in flags:
                continue
            if part.decide is not None and not part.decide(value, other):
                continue
            result = BNode()
            yield result, RDF.type, SH.ValidationResult
            yield result, SH.sourceConstraintComponent, part.component
            yield result, SH.sourceShape, check.shape
            yield result, SH.resultSeverity, severity
            yield result, SH.focusNode, this
            if part.reports_value and value is not None:
                yield result, SH.value, value
            if check.path is not None:
                yield result, SH.resultPath, check.path
                yield from paths.get(check.path, ())
            for message in messages:
                yield result, SH.resultMessage, message


def _path_statements(graph: Graph, compiled: Compiled) -> dict[Node, list[Triple]]:
    """The statements of each blank-node path (a result copies its path's structure)."""
    return {path: closure(graph, [path]) for path in {c.path for c in compiled.checks if isinstance(c.path, BNode)}}
