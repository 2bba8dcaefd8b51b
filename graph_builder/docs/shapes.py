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

from html import escape
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF, SH

from graph_builder.core.iri import SHAPES
from graph_builder.docs.examples import failing_examples, prove_examples
from graph_builder.docs.pages import anchor, curie, link, load_turtle, page, text_of
from graph_builder.docs.rules import constraints_in_words, path_in_words, rules_of, severity_of, shape_name

_NSH = Namespace(SHAPES)


def shape_pages(
    files: list[Path], ontology: Graph, known: set[str]
) -> tuple[dict[str, str], list[tuple[str, str, str, int]], dict[str, list[tuple[str, str]]]]:
    """Pages by name, the index rows (href, file, about, rules) and, per term, the rules that check it."""
    shapes = load_turtle(files)
    own = {path.name: load_turtle([path]) for path in files}
    examples = failing_examples(shapes)
    proven = prove_examples(shapes, ontology, examples)
    pages: dict[str, str] = {}
    summary: list[tuple[str, str, str, int]] = []
    checked_by: dict[str, list[tuple[str, str]]] = {}
    for path in files:
        href = f"shapes-{path.stem}.html"
        body: list[str] = [f"<p>{escape(_about(path))}</p>"]
        count = 0
        for shape in sorted((s for s in own[path.name].subjects(RDF.type, SH.NodeShape)), key=curie):
            rules = rules_of(shapes, shape)
            count += len(rules)
            body.append(_shape_html(shapes, shape, rules, proven, known))
            for target in shapes.objects(shape, SH.targetClass):
                checked_by.setdefault(str(target), []).append((f"{href}#{anchor(shape)}", shape_name(shapes, shape)))
            for rule in rules:
                for path_term in shapes.objects(rule, SH.path):
                    checked_by.setdefault(str(path_term), []).append(
                        (f"{href}#{anchor(rule)}", shape_name(shapes, rule))
                    )
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
    title = f'{escape(shape_name(graph, shape))} <span class="iri">{escape(curie(shape))}</span>'
    out = [
        f'<h2 id="{anchor(shape)}">{title}</h2>',
        f"<p>{escape(text_of(graph, shape, SH.description))}</p>",
        f"<table><tr><th>applies to</th><td>{target}</td></tr>",
        f"<tr><th>message</th><td>{escape(text_of(graph, shape, SH.message))}</td></tr></table>",
    ]
    out += [_rule_html(graph, rule, shape, proven.get(rule), known) for rule in rules]
    return "\n".join(out)


def _rule_html(graph: Graph, rule: Any, shape: Any, example: tuple[str, str] | None, known: set[str]) -> str:
    severity = severity_of(graph, rule, shape)
    rows = [f'<tr><th>severity</th><td><span class="sev sev-{severity}">{severity}</span></td></tr>']
    path = graph.value(rule, SH.path)
    if path is not None:
        shown = link(path, known) if isinstance(path, URIRef) else f"<code>{escape(path_in_words(graph, path))}</code>"
        rows.append(f"<tr><th>property</th><td>{shown}</td></tr>")
    column = text_of(graph, rule, _NSH.column)
    if column:
        rows.append(f"<tr><th>register column</th><td><code>{escape(column)}</code></td></tr>")
    constraints = constraints_in_words(graph, rule)
    if constraints:
        rows.append(f"<tr><th>checks</th><td>{escape('; '.join(constraints))}</td></tr>")
    query = text_of(graph, rule, SH.select, SH.ask)
    message = text_of(graph, rule, SH.message) or text_of(graph, shape, SH.message)
    rows.append(f"<tr><th>message</th><td>{escape(message)}</td></tr>")
    out = [
        f'<div class="rule" id="{anchor(rule) if not isinstance(rule, BNode) else ""}">',
        f"<h3>{escape(shape_name(graph, rule))}</h3><p>{escape(text_of(graph, rule, SH.description))}</p>",
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
