"""Findings: the results of a validation, read from pySHACL's report graph.

Each result names its node (IRI and name), the register file and row it was built from
where known, the property and register column, the value, the message and the shape;
the Report holds them in a stable order with the standard SHACL report graph of the same
results. Used by validate.py; rendered by report.py.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sized
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.core import iri as mint
from graph_builder.core.errors import Problem
from graph_builder.core.terms import PREFIXES

NDK = mint.DEF
NSH = mint.SHAPES
SEVERITIES = ("Violation", "Warning", "Info")
_COLUMN = URIRef(NSH + "column")
_ROW = URIRef(NDK + "registerRow")
_IN_REGISTER = URIRef(NDK + "inRegister")
_REGISTER_FILE = URIRef(NDK + "registerFile")
_RECORD_OF = URIRef(NDK + "recordOf")
_REGISTER_CHECK = URIRef(NDK + "RegisterRowConstraintComponent")
_LABELS = (
    URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
    URIRef(NDK + "listedName"),
    URIRef("http://purl.org/dc/terms/identifier"),
)


@dataclass(frozen=True)
class Finding:
    """One finding, about one node (or, for a row its register rejected, one row)."""

    severity: str  # Violation, Warning or Info
    focus: str | None  # IRI of the node; None for a rejected row
    label: str | None  # the node's name (skos:prefLabel, listed name or key), if it has one
    path: str | None  # the property, as a prefixed name where possible
    value: str | None  # the offending value (IRI or lexical form), if any
    message: str  # what is wrong and what to change
    shape: str  # IRI of the SHACL shape or constraint; register:<name> for a register's own check
    source: str | None  # file:row where known
    column: str | None  # the register column, where known
    row: tuple[tuple[str, str], ...] | None = None  # a rejected row's key: (column, value) of its register's key


@dataclass
class Report:
    results: list[Finding]
    files: list[str]
    focus_nodes: int
    shapes: dict[str, int]
    seconds: float = 0.0
    graph: Graph = field(default_factory=Graph)  # the standard SHACL report of these results
    nodes: list[Node] = field(default_factory=list)  # each result's node in `graph`, in the order of `results`
    baseline: str | None = None  # the baseline file the results were compared with (baseline.py)
    hidden: int = 0  # the findings it hid
    gone: list[str] = field(default_factory=list)  # its entries that no longer occur

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def counts(self) -> dict[str, int]:
        return {s: sum(r.severity == s for r in self.results) for s in SEVERITIES}

    def failed(self, fail_on: str = "violation") -> bool:
        counts = self.counts()
        return counts["Violation"] > 0 or (fail_on == "warning" and counts["Warning"] > 0)


def order(result: Finding) -> tuple[str, int, str, int, str, str, str]:
    """Results by file and row (numerically), node, severity, property, shape and value."""
    file, _, rows = (result.source or "~").rpartition(":")
    first = rows.split(",")[0]
    row = int(first) if first.isdigit() else 0
    return (
        file,
        row,
        result.focus or "",
        SEVERITIES.index(result.severity),
        result.path or "",
        result.shape,
        result.value or "",
    )


def report(
    results: Graph,
    data: Graph,
    shapes: Graph,
    focus: Container[Node],
    rows: dict[Node, str],
    files: list[str],
    counts: dict[str, int],
    checked: int | None = None,
) -> Report:
    """The results about the focus nodes, in a stable order, with their SHACL report graph.

    `data` need only hold what is said about the nodes with results (their names and rows);
    `checked` is the number of nodes checked, where `focus` cannot be counted cheaply.
    """
    columns = _columns_by_path(shapes)
    found: list[tuple[Finding, Node]] = []
    for node in results.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in results or results.value(node, SH.focusNode) not in focus:
            continue
        found.append((_result(results, node, data, shapes, columns, rows), node))
    found.sort(key=lambda item: order(item[0]))
    checked = checked if checked is not None else len(focus) if isinstance(focus, Sized) else 0
    report = Report([r for r, _ in found], files, checked, counts, nodes=[n for _, n in found])
    report.graph = report_graph(results, report.nodes, report.conforms)
    return report


def _result(
    results: Graph, node: Node, data: Graph, shapes: Graph, columns: dict[Node, str], rows: dict[Node, str]
) -> Finding:
    focus = results.value(node, SH.focusNode)
    shape = results.value(node, SH.sourceShape)
    constraint = results.value(node, SH.sourceConstraint)
    path = results.value(node, SH.resultPath)
    value = results.value(node, SH.value)
    severity = str(results.value(node, SH.resultSeverity) or SH.Violation).rpartition("#")[2]
    own = {str(m) for m in shapes.objects(shape, SH.message)} if shape is not None else set()
    messages = sorted(str(m) for m in results.objects(node, SH.resultMessage))
    specific = [m for m in messages if m not in own] or messages
    column = next(
        (
            str(c)
            for c in (
                shapes.value(constraint, _COLUMN) if constraint is not None else None,
                shapes.value(shape, _COLUMN) if shape is not None else None,
                columns.get(path) if path is not None else None,
            )
            if c is not None
        ),
        None,
    )
    named = constraint if isinstance(constraint, URIRef) else shape
    return Finding(
        severity=severity,
        focus=_show(focus),
        label=_label(data, focus),
        path=_path_text(results, path) if path is not None else None,
        value=_value_text(data, value) if value is not None else None,
        message=specific[0] if specific else "does not conform",
        shape=str(named) if named is not None else "",
        source=_source(data, focus, rows),
        column=column,
    )


def _columns_by_path(shapes: Graph) -> dict[Node, str]:
    """Property -> register column, where every property shape of that property agrees."""
    found: dict[Node, set[str]] = {}
    for shape, column in shapes.subject_objects(_COLUMN):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef):
            found.setdefault(path, set()).add(str(column))
    return {path: next(iter(cols)) for path, cols in found.items() if len(cols) == 1}


def _show(node: Node | None) -> str | None:
    if node is None:
        return None
    text = str(node)
    if text.startswith(mint.SKOLEM):
        return "_:" + text[len(mint.SKOLEM) :].partition("-")[2]
    return text


def _label(data: Graph, node: Node | None) -> str | None:
    if not isinstance(node, URIRef):
        return None
    for predicate in _LABELS:
        label = data.value(node, predicate)
        if label is not None:
            return str(label)
    return None


def _short(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w-]*", iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _path_text(results: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return _short(str(path))
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(results, inverse)
    if (path, RDF.first, None) in results:
        return "/".join(_path_text(results, step) for step in results.items(path))
    return str(path)


def _value_text(data: Graph, value: Node) -> str:
    if isinstance(value, Literal):
        return str(value)
    return _show(value) or str(value)


def _source(data: Graph, focus: Node | None, rows: dict[Node, str]) -> str | None:
    """file:row of the row a node was built from: its own, its parent node's (IRI below it),
    or, for an organisation, its listing's; a submitted CSV names its own file."""
    if focus is None:
        return None
    candidates: list[Node] = [focus]
    text = str(focus)
    for _ in range(3):
        text = text.rpartition("/")[0]
        candidates.append(URIRef(text))
    candidates += sorted(data.subjects(_RECORD_OF, focus), key=str)
    for node in candidates:
        if node in rows:
            return rows[node]
    for node in candidates:
        lines = sorted(int(str(n)) for n in data.objects(node, _ROW) if str(n).isdecimal())  # a submission: anything
        register = data.value(node, _IN_REGISTER)
        file = data.value(register, _REGISTER_FILE) if register is not None else None
        if lines and file is not None:
            return f"{file}:{','.join(map(str, lines))}"
    return None


def add_rejected(
    report: Report,
    problems: list[Problem],
    registers: dict[str, str],
    keys: dict[tuple[str, int], tuple[tuple[str, str], ...]] | None = None,
) -> None:
    """Add the rows a register's own checks rejected to a report: each a Violation among its
    results (in order) and a sh:ValidationResult of its report graph, so every format has them.
    `keys` are the rejected rows' keys, by file and line, where the row could be read."""
    [node] = report.graph.subjects(RDF.type, SH.ValidationReport)
    for problem in problems:
        register = registers.get(problem.file)
        report.results.append(
            Finding(
                "Violation",
                None,
                None,
                None,
                None,
                problem.message,
                f"register:{register or 'unknown'}",
                f"{problem.file}:{problem.line}",
                problem.column or None,
                (keys or {}).get((problem.file, problem.line)),
            )
        )
        report.nodes.append(_rejected_row(report.graph, problem, register))
        report.graph.add((node, SH.result, report.nodes[-1]))
    paired = sorted(zip(report.results, report.nodes, strict=True), key=lambda pair: order(pair[0]))
    report.results, report.nodes = [r for r, _ in paired], [n for _, n in paired]
    report.graph.set((node, SH.conforms, Literal(report.conforms)))


def _rejected_row(graph: Graph, problem: Problem, register: str | None) -> BNode:
    """A rejected row as a SHACL result: its focus node is the row (its register and line, as a
    node built from it would say), its component ndk:RegisterRowConstraintComponent (no SHACL
    component fits a check made before any node is built), its message `file:row: column: ...`."""
    row, result = BNode(), BNode()
    graph.add((row, _ROW, Literal(problem.line)))
    if register is not None:
        graph.add((row, _IN_REGISTER, URIRef(mint.thing("register", register))))
    graph.add((result, RDF.type, SH.ValidationResult))
    graph.add((result, SH.focusNode, row))
    graph.add((result, SH.resultSeverity, SH.Violation))
    graph.add((result, SH.sourceConstraintComponent, _REGISTER_CHECK))
    graph.add((result, SH.resultMessage, Literal(str(problem))))
    return result


def report_graph(results: Graph, nodes: list[Node], conforms: bool) -> Graph:
    """The standard SHACL report, holding only the reported results (and what they describe)."""
    graph = Graph()
    for prefix, namespace in {**PREFIXES, "sh": str(SH), "nsh": NSH}.items():
        graph.bind(prefix, namespace)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for node in nodes:
        graph.add((report, SH.result, node))
    graph.addN((s, p, o, graph) for s, p, o in closure(results, nodes))
    return graph


def closure(graph: Graph, nodes: list[Node]) -> list[tuple[Node, Node, Node]]:
    """The statements about these nodes and the blank nodes they lead to."""
    triples = []
    todo, seen = list(nodes), set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in graph.triples((node, None, None)):
            triples.append((s, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return triples
