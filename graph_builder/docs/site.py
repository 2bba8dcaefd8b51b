"""Documentation pages: the ontology and the SHACL shapes as HTML, linked from one index page.

    write_docs(out_dir) -> list of page names

`nhskg docs -o DIR` writes `index.html`, `ontology.html` (every class, property,
datatype and concept scheme of `ontology/`, with labels, comments, domains, ranges and
the shapes that check each term: generated here, in the manner of pyLODE, because the
pages must be deterministic and built offline) and one `shapes-<file>.html` per file of
`shapes/` (shapes.py: each rule with what it checks, its severity, its message and
an example of a failing submission). The pages are plain HTML with one inline style
sheet: no script, nothing fetched. They are written to a folder beside `out_dir` and
swapped in only when all are written; `out_dir` must be absent, empty or a previous
docs folder (one whose index.html nhskg wrote).
"""

from __future__ import annotations

import os
import shutil
from html import escape
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from graph_builder.core import resources
from graph_builder.core.errors import UsageError
from graph_builder.core.folders import swap_folder
from graph_builder.core.terms import PREFIXES
from graph_builder.docs.pages import anchor, curie, link, load_turtle, page, text_of
from graph_builder.docs.shapes import shape_pages

_KINDS = (
    ("Classes", OWL.Class),
    ("Object properties", OWL.ObjectProperty),
    ("Datatype properties", OWL.DatatypeProperty),
    ("Annotation properties", OWL.AnnotationProperty),
    ("Datatypes", RDFS.Datatype),
    ("Constraint components", SH.ConstraintComponent),
)


def ontology_terms(graph: Graph) -> set[str]:
    """Every term the ontology pages describe (for links)."""
    found = {str(s) for _, kind in _KINDS for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    found |= {str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)}
    return found


def ontology_page(graph: Graph, checked_by: dict[str, list[tuple[str, str]]]) -> str:
    """The ontology page: header, contents, every term by kind, then the concept schemes."""
    known = ontology_terms(graph)
    onto = next(iter(sorted(graph.subjects(RDF.type, OWL.Ontology), key=str)), None)
    body = []
    if onto is not None:
        body.append(f"<p>{escape(text_of(graph, onto, DCTERMS.description, RDFS.comment))}</p>")
        body.append(f'<p class="note">{escape(text_of(graph, onto, RDFS.comment))}</p>')
        body.append(
            f"<table><tr><th>IRI</th><td><code>{escape(str(onto))}</code></td></tr>"
            f"<tr><th>version</th><td>{escape(text_of(graph, onto, OWL.versionInfo))}</td></tr>"
            f"<tr><th>licence</th><td>{escape(text_of(graph, onto, DCTERMS.license))}</td></tr></table>"
        )
    body.append("<h2>Prefixes</h2><table>")
    body += [
        f"<tr><th><code>{escape(p)}:</code></th><td><code>{escape(ns)}</code></td></tr>" for p, ns in PREFIXES.items()
    ]
    body.append("</table>")
    sections = [
        (title, sorted((s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)), key=curie))
        for title, kind in _KINDS
    ]
    schemes = sorted((s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)), key=curie)
    body.append("<h2>Contents</h2><nav>")
    for title, terms in [*sections, ("Concept schemes", schemes)]:
        body.append(f"<h3>{escape(title)} ({len(terms)})</h3><ul>")
        body += [f'<li><a href="#{anchor(t)}">{escape(curie(t))}</a></li>' for t in terms]
        body.append("</ul>")
    body.append("</nav>")
    for title, terms in sections:
        body.append(f"<h2>{escape(title)}</h2>")
        body += [_term_html(graph, term, known, checked_by.get(str(term), [])) for term in terms]
    body.append("<h2>Concept schemes</h2>")
    body += [_scheme_html(graph, scheme) for scheme in schemes]
    return page("Ontology of the NHS digital knowledge graph", body)


_RELATIONS = (
    ("subclass of", RDFS.subClassOf),
    ("equivalent to", OWL.equivalentClass),
    ("subproperty of", RDFS.subPropertyOf),
    ("domain", RDFS.domain),
    ("range", RDFS.range),
    ("inverse of", OWL.inverseOf),
    ("defined by", RDFS.isDefinedBy),
)


def _term_html(graph: Graph, term: URIRef, known: set[str], checked_by: list[tuple[str, str]]) -> str:
    label = text_of(graph, term, RDFS.label, SKOS.prefLabel) or curie(term)
    rows = [f"<tr><th>IRI</th><td><code>{escape(str(term))}</code></td></tr>"]
    for name, predicate in _RELATIONS:
        values = [v for v in graph.objects(term, predicate)]
        if values:
            shown = ", ".join(sorted(_class_expression(graph, v, known) for v in values))
            rows.append(f"<tr><th>{name}</th><td>{shown}</td></tr>")
    subclasses = sorted(s for s in graph.subjects(RDFS.subClassOf, term) if isinstance(s, URIRef))
    if subclasses:
        rows.append(f"<tr><th>subclasses</th><td>{', '.join(link(s, known) for s in subclasses)}</td></tr>")
    if checked_by:
        shapes = ", ".join(f'<a href="{escape(href)}">{escape(name)}</a>' for href, name in sorted(set(checked_by)))
        rows.append(f"<tr><th>checked by</th><td>{shapes}</td></tr>")
    return (
        f'<div class="term" id="{anchor(term)}"><h3>{escape(label)} <span class="iri">{escape(curie(term))}'
        f"</span></h3><p>{escape(text_of(graph, term, RDFS.comment, SKOS.definition))}</p>"
        f"<table>{''.join(rows)}</table></div>"
    )


def _class_expression(graph: Graph, value: Any, known: set[str]) -> str:
    """A term, or a blank-node class expression (unions, restrictions) in words."""
    if isinstance(value, URIRef):
        return link(value, known)
    if isinstance(value, Literal):
        return escape(str(value))
    members = graph.value(value, OWL.unionOf)
    if members is not None:
        from rdflib.collection import Collection

        return "one of " + ", ".join(_class_expression(graph, m, known) for m in Collection(graph, members))
    on = graph.value(value, OWL.onDatatype)
    if on is not None:
        return f"{link(on, known)} (restricted)"
    return "(an anonymous class)"


def _scheme_html(graph: Graph, scheme: URIRef) -> str:
    label = text_of(graph, scheme, SKOS.prefLabel, RDFS.label) or curie(scheme)
    concepts = sorted(
        set(graph.subjects(SKOS.inScheme, scheme)) | set(graph.objects(scheme, SKOS.hasTopConcept)), key=str
    )
    rows = "".join(
        f"<tr><th><code>{escape(text_of(graph, c, SKOS.notation) or curie(c))}</code></th>"
        f"<td>{escape(text_of(graph, c, SKOS.prefLabel))}: {escape(text_of(graph, c, SKOS.definition))}</td></tr>"
        for c in concepts
    )
    return (
        f'<div class="term" id="{anchor(scheme)}"><h3>{escape(label)} <span class="iri">{escape(str(scheme))}'
        f"</span></h3><p>{escape(text_of(graph, scheme, SKOS.definition, RDFS.comment))}</p>"
        f"<table>{rows}</table></div>"
    )


def index_page(shape_files: list[tuple[str, str, str, int]], counts: dict[str, int]) -> str:
    """The index: what the pages are, and a list of the shape files with their rule counts."""
    body = [
        "<p>The ontology of the graph and the SHACL shapes that check submissions to it. "
        "Every rule says what it checks, its severity, the message a submitter sees and, where one "
        "could be made, an example of a submission that fails it.</p>",
        '<h2>Ontology</h2><p><a href="ontology.html">Classes, properties, datatypes and concept schemes</a> '
        f"({counts['classes']} classes, {counts['properties']} properties, {counts['schemes']} concept "
        "schemes).</p>",
        "<h2>Shapes</h2><table><tr><th>file</th><th>rules</th><th>about</th></tr>",
    ]
    body += [
        f'<tr><td><a href="{escape(href)}">{escape(name)}</a></td><td>{rules}</td><td>{escape(about)}</td></tr>'
        for href, name, about, rules in shape_files
    ]
    body.append("</table>")
    return page("NHS digital knowledge graph: documentation", body)


def build_pages() -> dict[str, str]:
    """Every page, by file name (nothing written)."""
    ontology = load_turtle(resources.ontology_files())
    shapes_files = sorted(resources.resource_dir("shapes").glob("*.ttl"))
    known = ontology_terms(ontology)
    pages, summary, checked_by = shape_pages(shapes_files, ontology, known)
    pages["ontology.html"] = ontology_page(ontology, checked_by)
    counts = {
        "classes": len(set(ontology.subjects(RDF.type, OWL.Class))),
        "properties": sum(
            len(set(ontology.subjects(RDF.type, k)))
            for k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        ),
        "schemes": len(set(ontology.subjects(RDF.type, SKOS.ConceptScheme))),
    }
    pages["index.html"] = index_page(summary, counts)
    return dict(sorted(pages.items()))


def write_docs(out_dir: Path) -> list[str]:
    """Write every page into `out_dir` (swapped in whole); return the page names."""
    _check_out_dir(out_dir)
    pages = build_pages()
    staging = out_dir.parent / f".{out_dir.name}.docs-{os.getpid()}"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, html in pages.items():
            (staging / name).write_text(html, encoding="utf-8")
        swap_folder(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UsageError(f"{out_dir}: cannot be written ({exc.strerror or exc})") from None
    return list(pages)


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder; choose another -o")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        index = out_dir / "index.html"
        if not (index.is_file() and 'content="nhskg' in index.read_text(encoding="utf-8", errors="replace")[:2000]):
            raise UsageError(
                f"{out_dir}: is not empty and holds no previous docs (no index.html by nhskg); choose another -o"
            )
