"""Pages for the SHACL shapes: one per file of `shapes/`, every rule with its example.

A rule is a property shape (`sh:property`), a SPARQL constraint (`sh:sparql`) or the
constraints a node shape states itself. Each is shown with its name, what it checks
(`sh:description`, and its constraints in words), its severity (its own `sh:severity`,
else its shape's, else Violation), its message, the register column it checks
(`nsh:column`), and an example of a failing submission:

- the example given in the shapes, where a rule has `skos:example` (Turtle text); or
- one made here from the rule's core constraints (a node of the target class without a
  required value, with a value too many, of the wrong datatype, outside a list, not
  matching a pattern, of the wrong class, ...).

Every example is then validated with pySHACL against all the shapes together, and shown
only if the rule really fires on it, with the message the report gives. A rule without a
proven example says so (SPARQL constraints need a `skos:example` in the shapes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SKOS, XSD

from graph_builder.core.iri import ID, SHAPES
from graph_builder.core.terms import PREFIXES
from graph_builder.docs.site import anchor, curie, link, load, page, text_of

SH = Namespace("http://www.w3.org/ns/shacl#")
NSH = Namespace(SHAPES)
EXAMPLE = ID + "example/"

Triple = tuple[Any, Any, Any]


def shape_pages(
    files: list[Path], ontology: Graph, known: set[str]
) -> tuple[dict[str, str], list[tuple[str, str, str, int]], dict[str, list[tuple[str, str]]]]:
    """Pages by name, the index rows (href, file, about, rules) and, per term, the rules that check it."""
    shapes = load(files)
    own = {path.name: load([path]) for path in files}
    examples = _examples(shapes)
    proven = _prove(shapes, ontology, examples)
    pages: dict[str, str] = {}
    summary: list[tuple[str, str, str, int]] = []
    checked_by: dict[str, list[tuple[str, str]]] = {}
    for path in files:
        href = f"shapes-{path.stem}.html"
        body: list[str] = [f"<p>{escape(_about(path))}</p>"]
        count = 0
        for shape in sorted((s for s in own[path.name].subjects(RDF.type, SH.NodeShape)), key=curie):
            rules = _rules(shapes, shape)
            count += len(rules)
            body.append(_shape_html(shapes, shape, rules, proven, known))
            for target in shapes.objects(shape, SH.targetClass):
                checked_by.setdefault(str(target), []).append((f"{href}#{anchor(shape)}", _name(shapes, shape)))
            for rule in rules:
                for path_term in shapes.objects(rule, SH.path):
                    checked_by.setdefault(str(path_term), []).append((f"{href}#{anchor(rule)}", _name(shapes, rule)))
        pages[href] = page(f"Shapes: {path.name}", body)
        summary.append((href, path.name, _about(path), count))
    return pages, summary, checked_by


def _about(path: Path) -> str:
    """The opening comment of a shapes file, as one paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        words = line.lstrip("#").strip()
        if words and not set(words) <= set("=-"):
            lines.append(words)
    return " ".join(lines).removeprefix("SHACL shapes — ").removeprefix("SHACL shapes - ")


def _name(graph: Graph, shape: object) -> str:
    if isinstance(shape, BNode):
        return text_of(graph, shape, SH.name) or "(an anonymous shape)"
    return text_of(graph, shape, SH.name) or curie(shape)


def _rules(graph: Graph, shape: Any) -> list[Any]:
    """The rules of a node shape: its own constraints (if any), property shapes, SPARQL constraints."""
    rules: list[Any] = [shape] if _own_constraints(graph, shape) else []
    rules += sorted(graph.objects(shape, SH.property), key=lambda r: (_name(graph, r), str(r)))
    rules += sorted(graph.objects(shape, SH.sparql), key=lambda r: (_name(graph, r), str(r)))
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


def _own_constraints(graph: Graph, shape: Any) -> list[str]:
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
    words = "; ".join(_own_constraints(graph, shape))
    for member in sorted(graph.objects(shape, SH.property), key=lambda m: _nested(graph, m)):
        words = "; ".join(filter(None, [words, _nested(graph, member)]))
    path = graph.value(shape, SH.path)
    if path is not None:
        words = f"{_path(graph, path)}: {words}"
    return words or _name(graph, shape)


def _show(graph: Graph, value: Any) -> str:
    if isinstance(value, URIRef):
        return curie(value)
    if isinstance(value, BNode):
        return _name(graph, value)
    return str(value)


def _path(graph: Graph, path: Any) -> str:
    if isinstance(path, URIRef):
        return curie(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(graph, inverse)
    if (path, RDF.first, None) in graph:
        return "/".join(_path(graph, p) for p in Collection(graph, path))
    return "(a complex path)"


def _severity(graph: Graph, rule: Any, shape: Any) -> str:
    for holder in (rule, shape):
        value = graph.value(holder, SH.severity)
        if value is not None:
            return str(value).rsplit("#", 1)[-1]
    return "Violation"


def _shape_html(graph: Graph, shape: Any, rules: list[Any], proven: dict[Any, tuple[str, str]], known: set[str]) -> str:
    targets = [f"instances of {link(t, known)}" for t in sorted(graph.objects(shape, SH.targetClass), key=str)]
    targets += [f"subjects of {link(t, known)}" for t in sorted(graph.objects(shape, SH.targetSubjectsOf), key=str)]
    targets += [f"objects of {link(t, known)}" for t in sorted(graph.objects(shape, SH.targetObjectsOf), key=str)]
    targets += [f"the node {link(t, known)}" for t in sorted(graph.objects(shape, SH.targetNode), key=str)]
    targets += [
        f"a SPARQL target ({escape(text_of(graph, t, SH.name, SH.description) or 'a query')})"
        for t in graph.objects(shape, SH.target)
    ]
    target = "; ".join(targets) or "none of its own: it is checked where another shape refers to it (sh:node)"
    title = f'{escape(_name(graph, shape))} <span class="iri">{escape(curie(shape))}</span>'
    out = [
        f'<h2 id="{anchor(shape)}">{title}</h2>',
        f"<p>{escape(text_of(graph, shape, SH.description))}</p>",
        f"<table><tr><th>applies to</th><td>{target}</td></tr>",
        f"<tr><th>message</th><td>{escape(text_of(graph, shape, SH.message))}</td></tr></table>",
    ]
    out += [_rule_html(graph, rule, shape, proven.get(rule), known) for rule in rules]
    return "\n".join(out)


def _rule_html(graph: Graph, rule: Any, shape: Any, example: tuple[str, str] | None, known: set[str]) -> str:
    severity = _severity(graph, rule, shape)
    rows = [f'<tr><th>severity</th><td><span class="sev sev-{severity}">{severity}</span></td></tr>']
    path = graph.value(rule, SH.path)
    if path is not None:
        shown = link(path, known) if isinstance(path, URIRef) else f"<code>{escape(_path(graph, path))}</code>"
        rows.append(f"<tr><th>property</th><td>{shown}</td></tr>")
    column = text_of(graph, rule, NSH.column)
    if column:
        rows.append(f"<tr><th>register column</th><td><code>{escape(column)}</code></td></tr>")
    constraints = _own_constraints(graph, rule)
    if constraints:
        rows.append(f"<tr><th>checks</th><td>{escape('; '.join(constraints))}</td></tr>")
    query = text_of(graph, rule, SH.select, SH.ask)
    message = text_of(graph, rule, SH.message) or text_of(graph, shape, SH.message)
    rows.append(f"<tr><th>message</th><td>{escape(message)}</td></tr>")
    out = [
        f'<div class="rule" id="{anchor(rule) if not isinstance(rule, BNode) else ""}">',
        f"<h3>{escape(_name(graph, rule))}</h3><p>{escape(text_of(graph, rule, SH.description))}</p>",
        f"<table>{''.join(rows)}</table>",
    ]
    if query:
        out.append(f"<details><summary>the SPARQL query</summary><pre>{escape(_dedent(query))}</pre></details>")
    if example:
        turtle, message = example
        out.append(
            f"<p><b>A failing submission</b> (Turtle):</p><pre>{escape(turtle)}</pre>"
            f"<p>The report says: <i>{escape(message)}</i></p>"
        )
    else:
        out.append(
            '<p class="note">No example yet: add one to this rule in the shapes as <code>skos:example</code> '
            "(a Turtle snippet that fails it).</p>"
        )
    out.append("</div>")
    return "\n".join(out)


def _dedent(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    margin = min((len(line) - len(line.lstrip()) for line in lines), default=0)
    return "\n".join(line[margin:] for line in lines)


# --- examples ------------------------------------------------------------------------------


def _examples(shapes: Graph) -> dict[Any, tuple[URIRef, list[Triple] | str]]:
    """Rule → (focus node, triples of a failing submission, or the Turtle of skos:example)."""
    found: dict[Any, tuple[URIRef, list[Triple] | str]] = {}
    for number, shape in enumerate(sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str)):
        classes = sorted(shapes.objects(shape, SH.targetClass), key=str)
        for index, rule in enumerate(_rules(shapes, shape)):
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


def _failing(shapes: Graph, rule: Any, focus: URIRef, path: URIRef) -> list[Triple] | None:
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


def _prove(
    shapes: Graph, ontology: Graph, examples: dict[Any, tuple[URIRef, list[Triple] | str]]
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


def _needed(shapes: Graph, examples: dict[Any, tuple[URIRef, list[Triple] | str]]) -> Graph:
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


def _turtle(triples: Iterable[Triple]) -> str:
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    graph.bind("ex", EXAMPLE)
    for triple in triples:
        graph.add(triple)
    text = graph.serialize(format="turtle")
    return "\n".join(line for line in text.splitlines() if not line.startswith("@prefix")).strip()
