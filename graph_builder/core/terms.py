"""RDF terms as N-Triples text, and the namespaces the builders write.

Builders yield quads as tuples of already formatted terms, so the streaming writer
only joins strings (DESIGN.md: `Graph.add` one triple at a time is ~90x slower).
`iri(x)` gives `<x>`; `lit(value, datatype)` gives a quoted, escaped literal.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from graph_builder.core import iri as mint

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
TIME = "http://www.w3.org/2006/time#"

PREFIXES: dict[str, str] = {
    "ndk": mint.DEF,
    "org": ORG,
    "prov": PROV,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "skos": SKOS,
    "schema": SCHEMA,
    "time": TIME,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}


class Quad(NamedTuple):
    """One statement in a named graph; every part is N-Triples text."""

    s: str
    p: str
    o: str
    g: str


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')


_NOT_IN_IRI = re.compile(r'[<>"{}|^`\\ ]').search  # characters N-Triples forbids in IRIs


def iri(value: str) -> str:
    """An IRI term. The value must not contain characters N-Triples forbids in IRIs."""
    if not value or _NOT_IN_IRI(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def lit(value: str, datatype: str | None = None) -> str:
    """A literal; `datatype` is a full IRI or an `xsd:` local name, None for xsd:string."""
    text = _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], value)
    if datatype is None:
        return f'"{text}"'
    full = datatype if ":" in datatype and "//" in datatype else XSD + datatype
    return f'"{text}"^^<{full}>'


def decimal_lit(value: str) -> str:
    """An xsd:decimal in its XSD 1.1 canonical form (`5000000`, `7.5`, `0`): the form a
    SPARQL store answers with, so graph.nq, graph.trig and every engine's answers agree."""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return lit(text, "decimal")


def date_lit(value: str) -> str:
    """An ISO date at the precision given: xsd:date, xsd:gYearMonth or xsd:gYear."""
    kind = {10: "date", 7: "gYearMonth", 4: "gYear"}[len(value)]
    return lit(value, kind)


@cache  # vocabulary terms: few, made for every row
def ndk(local: str) -> str:
    return iri(mint.ontology_term(local))


@cache  # vocabulary terms: few, made for every row
def org_(local: str) -> str:
    return iri(ORG + local)


@cache  # vocabulary terms: few, made for every row
def prov(local: str) -> str:
    return iri(PROV + local)


@cache  # vocabulary terms: few, made for every row
def dcterms(local: str) -> str:
    return iri(DCTERMS + local)


@cache  # vocabulary terms: few, made for every row
def skos(local: str) -> str:
    return iri(SKOS + local)


@cache  # vocabulary terms: few, made for every row
def schema(local: str) -> str:
    return iri(SCHEMA + local)


@cache  # vocabulary terms: few, made for every row
def time(local: str) -> str:
    return iri(TIME + local)


A = iri(RDF + "type")
