"""Findings of two SHACL engines as comparable keys: (severity, focus node, node shape, path, value).

Shared by tests/test_shacl_oracle.py and the `oracle` case of benchmarks/run.py. nhskg's
JSON report (`ours`) and a SHACL report graph (`report_keys`: Jena's, pySHACL's) map to the
same keys: a SPARQL constraint is named by the node shape holding it (Jena's sh:sourceShape),
a sequence path nested inside a sequence (as Jena writes a/b/c) reads flat, a skolemised
blank node as _:label, an IRI under a known prefix as prefix:name.
"""

from __future__ import annotations

from typing import Any

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.core import iri as mint
from graph_builder.core.terms import PREFIXES

Key = tuple[str, str, str, str, str]  # severity, focus, node shape, path, value


def ours(report: dict[str, Any], shapes: Graph) -> list[Key]:
    """nhskg's findings about nodes (not rejected rows), the SPARQL constraint named by its node shape."""
    keys = []
    for r in report["results"]:
        if r["focus"] is None:
            continue
        shape = URIRef(r["shape"])
        holder = shapes.value(None, SH.sparql, shape)
        keys.append((r["severity"], r["focus"], str(holder or shape), r["path"] or "", r["value"] or ""))
    return keys


def report_keys(report: Graph) -> list[Key]:
    """The findings of a SHACL report graph (Jena's, pySHACL's)."""
    keys = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        keys.append(
            (
                str(report.value(r, SH.resultSeverity)).rpartition("#")[2],
                show(report.value(r, SH.focusNode)),
                str(report.value(r, SH.sourceShape)),
                written_path(report, path) if path is not None else "",
                show(value) if value is not None else "",
            )
        )
    return keys


def show(node: Node | None) -> str:
    """As the project shows a node: a skolemised blank node as _:label."""
    text = str(node)
    return "_:" + text[len(mint.SKOLEM) :].partition("-")[2] if text.startswith(mint.SKOLEM) else text


def written_path(report: Graph, path: Node) -> str:
    """A SHACL path as the project writes it; a sequence nested inside a sequence (as Jena
    writes a/b/c: a, then (b, c)) reads as the flat sequence it means."""
    if isinstance(path, URIRef):
        text = str(path)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(namespace) and text[len(namespace) :].replace("-", "_").isidentifier():
                return f"{prefix}:{text[len(namespace) :]}"
        return text
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + written_path(report, inverse)
    return "/".join(written_path(report, step) for step in report.items(path))
