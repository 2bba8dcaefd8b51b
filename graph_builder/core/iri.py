"""Identifiers: one function mints each kind of IRI, and keys are checked before minting.

Things: `https://w3id.org/nhs-dkg/id/{kind}/{key}`; organisations by ODS code (or ONS
code for a footprint that never had an ODS code); everything else by a lowercase slug.
N-ary relation nodes are named by the key columns of their register row.
Concepts: `https://w3id.org/nhs-dkg/def/{scheme}/{slug}`. Named graphs:
`https://w3id.org/nhs-dkg/graph/{register}`. The ontology's terms: `def#{local}`; the SHACL
shapes: `shapes#{name}`; skolemised blank nodes: `.well-known/genid/{id}`.

Python code writes these IRIs only through this module (SPARQL and Turtle files keep their
PREFIX lines).
"""

from __future__ import annotations

import re

BASE = "https://w3id.org/nhs-dkg/"
DEF = BASE + "def#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
CONCEPT = BASE + "def/"
SHAPES = BASE + "shapes#"
SKOLEM = BASE + ".well-known/genid/"

ODS_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
ONS_CODE = re.compile(r"^[EWSN]\d{8}$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")

BODY_KINDS = {
    "national-body": "body",
    "overseas-organisation": "body",
    "supplier": "supplier",
    "place": "place",
}


def is_org_code(code: str) -> bool:
    """An ODS code, or an ONS code (STP footprints of 2017/18 have only that)."""
    return bool(ODS_CODE.match(code) or ONS_CODE.match(code))


def _check(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise ValueError(f"{value!r} is not a valid {what}")
    return value


def org(code: str) -> str:
    """An organisation with an ODS (or ONS) code: `id/org/RAL`."""
    if not is_org_code(code):
        raise ValueError(f"{code!r} is not an ODS or ONS code")
    return f"{ID}org/{code}"


def body(kind: str, key: str) -> str:
    """An organisation or place without an ODS code: `id/supplier/tpp`, `id/body/nhs-england`."""
    return f"{ID}{BODY_KINDS[kind]}/{_check(key, SLUG, 'slug')}"


def thing(kind: str, key: str) -> str:
    """Any slug-keyed thing: `id/programme/global-digital-exemplar`, `id/source/hsj-12`."""
    return f"{ID}{_check(kind, SLUG, 'kind')}/{_check(key, SLUG, 'slug')}"


def relation(kind: str, *parts: str) -> str:
    """An n-ary relation node named by its key columns: `id/membership/RAL/QMJ/nhsx-etr-2022`."""
    segments = [_check(p.replace(";", "+"), _SEGMENT, "key segment") for p in parts if p]
    return f"{ID}{_check(kind, SLUG, 'kind')}/" + "/".join(segments)


def concept(scheme: str, slug: str) -> str:
    """A SKOS concept of one of the ontology's schemes: `def/status/confirmed`."""
    return f"{CONCEPT}{_check(scheme, SLUG, 'scheme')}/{_check(slug, SLUG, 'slug')}"


def graph(register: str) -> str:
    """The named graph of a register (or `ontology`, `provenance`)."""
    return f"{GRAPH}{_check(register, SLUG, 'register name')}"


def ontology_term(local: str) -> str:
    """A term of the project's ontology: `ndk:follows`."""
    return DEF + local
