"""The SPARQL the projection reads: one query per relation, and the nodes' kind, label and code.

Each query reads each property of a class in bulk (`scan`), with every required pattern
before any OPTIONAL; sources of a small class are looked up from its nodes. At 100,000
organisations: deployments 11 s (47 s as one basic graph pattern), partnerships 0.15 s,
participations 0.9 s, every node's kind, label and code 8 s. Up to `FEW_NODES` nodes are
looked up one by one instead (`NODE_INFO_OF`, the node a constant).
"""

from __future__ import annotations

import re

from graph_builder.core import iri as mint

SPARQL_PREFIXES = f"""
PREFIX ndk:     <{mint.DEF}>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX time:    <http://www.w3.org/2006/time#>
PREFIX schema:  <https://schema.org/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
"""The prefixes every query of the projection is read with."""

_SOURCES = '(GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source)'

FEW_NODES = 1000
"""Up to this many nodes are looked up one by one (`NODE_INFO_OF`, facts by `node_facts`); more are read in bulk."""


def scan(patterns: str) -> str:
    """A group pattern as a subquery of its own, so the engine reads it in bulk and hash-joins it.

    pyoxigraph joins two triple patterns that share a variable by looking the second up once
    per row of the first (a RocksDB seek each, ~25 µs: 9 s for 90,000 deployments and four
    properties); patterns in separate subqueries are each read once and joined in memory
    (1.1 s for the same rows).
    """
    names = " ".join(dict.fromkeys(re.findall(r"\?\w+", patterns)))
    return f"{{ SELECT {names} WHERE {{ {patterns} }} }}"


def _lean(
    select: str, required: tuple[str, ...], optional: tuple[str, ...] = (), tail: str = "", group: str = ""
) -> str:
    """A whole-class read: each pattern scanned on its own, OPTIONALs after every required one."""
    body = " ".join(scan(p) for p in required) + " " + " ".join(f"OPTIONAL {scan(p)}" for p in optional)
    return f"SELECT {select} WHERE {{ {body} {tail} }}" + (f" GROUP BY {group}" if group else "")


def _sourced(node: str = "?n", few: str = "") -> str:
    """The sources of the relation nodes, as the projection keeps them (an OPTIONAL: identifier and date).

    For a large class every dcterms:source of the graph is scanned once and hash-joined; for
    a class of a few thousand nodes (`few` names it), a subquery looks them up from each node.
    """
    if few:
        return (
            f"OPTIONAL {{ SELECT {node} ?sourceKey ?srcDate WHERE {{ {node} a {few} . {node} dcterms:source ?src . "
            "?src dcterms:identifier ?sourceKey . OPTIONAL { ?src dcterms:date ?srcDate } } }"
        )
    return (
        f"OPTIONAL {{ {scan(node + ' dcterms:source ?src')} {scan('?src dcterms:identifier ?sourceKey')} "
        f"OPTIONAL {scan('?src dcterms:date ?srcDate')} }}"
    )


def _notation(link: str, var: str, node: str = "?n") -> tuple[str, str]:
    return f"{node} {link} ?{var}Concept", f"?{var}Concept skos:notation ?{var}"


RELATION_QUERIES: dict[str, str] = {
    "partnership": _lean(
        f"?n ?u ?v ?status ?start ?end ?programme {_SOURCES} (MIN(STR(?srcDate)) AS ?earliest)",
        (
            "?n a ndk:Partnership",
            "?n ndk:follower ?u",
            "?n ndk:exemplar ?v",
            *_notation("ndk:status", "status"),
            "?n ndk:programme ?prog",
            "?prog dcterms:identifier ?programme",
        ),
        ("?n ndk:startDate ?start", "?n ndk:endDate ?end"),
        _sourced(few="ndk:Partnership"),
        "?n ?u ?v ?status ?start ?end ?programme",
    ),
    "membership": _lean(
        f"?n ?u ?v ?start ?end {_SOURCES}",
        (
            "?n a org:Membership",
            "?n org:member ?u",
            "?n org:organization ?v",
            "?n org:memberDuring ?i",
            "?i time:hasBeginning ?b",
            "?b time:inXSDDate ?start",
            "?i time:hasEnd ?e",
            "?e time:inXSDDate ?end",
        ),
        (),
        _sourced(),
        "?n ?u ?v ?start ?end",
    ),
    "deployment": _lean(
        f"?n ?u ?v ?system ?supplier ?provision ?status ?as_of {_SOURCES}",
        (
            "?n a ndk:Deployment",
            "?n ndk:deployedAt ?u",
            *_notation("ndk:provision", "provision"),
            *_notation("ndk:deploymentStatus", "status"),
            "?n ndk:asOf ?as_of",
        ),
        ("?n ndk:system ?system", "?n ndk:supplier ?named", "?n ndk:system ?s2 . ?s2 ndk:suppliedBy ?systemSupplier"),
        "BIND(COALESCE(?named, ?systemSupplier) AS ?supplier) BIND(COALESCE(?system, ?named) AS ?v) " + _sourced(),
        "?n ?u ?v ?system ?supplier ?provision ?status ?as_of",
    ),
    "succession": _lean(
        f"?n ?u ?v ?event ?change ?date {_SOURCES}",
        (
            "?n a org:ChangeEvent",
            "?n org:originalOrganization ?u",
            "?n dcterms:identifier ?event",
            *_notation("ndk:changeKind", "change"),
            "?n ndk:eventDate ?date",
        ),
        ("?n org:resultingOrganization ?v",),
        _sourced(few="org:ChangeEvent"),
        "?n ?u ?v ?event ?change ?date",
    ),
    "participation": _lean(
        f"?n ?u ?v ?role ?cohort ?status ?announced {_SOURCES}",
        (
            "?n a ndk:Participation",
            "?n ndk:participant ?u",
            "?n ndk:programme ?v",
            *_notation("ndk:role", "role"),
            *_notation("ndk:status", "status"),
        ),
        ("?n ndk:cohort ?cohortConcept . ?cohortConcept skos:notation ?cohort", "?n ndk:announcedDate ?announced"),
        _sourced(few="ndk:Participation"),
        "?n ?u ?v ?role ?cohort ?status ?announced",
    ),
    "adoption": _lean(
        f"?n ?u ?v ?date {_SOURCES}",
        ("?n a ndk:BlueprintAdoption", "?n ndk:adopter ?u", "?n ndk:blueprint ?v"),
        ("?n ndk:adoptionDate ?date",),
        _sourced(few="ndk:BlueprintAdoption"),
        "?n ?u ?v ?date",
    ),
    "authorship": _lean(
        f"?n ?u ?v ?published {_SOURCES}",
        ("?v a ndk:Blueprint", "?v ndk:author ?u"),
        ("?v dcterms:issued ?published",),
        "BIND(?v AS ?n) " + _sourced("?v", few="ndk:Blueprint"),
        "?n ?u ?v ?published",
    ),
    "for-system": _lean("?u ?v", ("?u a ndk:Blueprint", "?u ndk:forSystem ?v")),
    "supplied-by": _lean("?u ?v", ("?u a ndk:ClinicalSystem", "?u ndk:suppliedBy ?v")),
}
"""The query of each relation: rows of `?n` (the relation node, where it has one), `?u` → `?v`
and the relation's attributes, which `projection.add_relation_edge` makes an edge."""

RELATIONS = tuple(RELATION_QUERIES)
"""The relation kinds that become edges, in the order they are projected."""

NODE_SCAN = (
    "SELECT ?iri ?kind ?label ?code WHERE { { "
    + scan("?iri a ndk:Organisation")
    + " OPTIONAL "
    + scan("?iri ndk:organisationType ?type . ?type skos:notation ?kind")
    + " } UNION { "
    + scan("?iri a ndk:ClinicalSystem")
    + ' BIND("system" AS ?kind) }'
    + " UNION { "
    + scan("?iri a ndk:Programme")
    + ' BIND("programme" AS ?kind) }'
    + " UNION { "
    + scan("?iri a ndk:Blueprint")
    + ' BIND("blueprint" AS ?kind) } '
    + " ".join(
        "OPTIONAL " + scan(p)
        for p in (
            "?iri skos:prefLabel ?label",
            "?iri ndk:odsCode ?ods",
            "?iri ndk:onsCode ?ons",
            "?iri dcterms:identifier ?slug",
        )
    )
    + " BIND(COALESCE(?ods, ?ons, ?slug) AS ?code) }"
)
"""Every node's kind, label and code, read in bulk."""

NODE_INFO_OF = """
SELECT ?kind ?label ?code WHERE {
  { <%(iri)s> a ndk:Organisation .
    OPTIONAL { <%(iri)s> ndk:organisationType ?type } OPTIONAL { ?type skos:notation ?kind } }
  UNION { <%(iri)s> a ndk:ClinicalSystem . BIND("system" AS ?kind) }
  UNION { <%(iri)s> a ndk:Programme . BIND("programme" AS ?kind) }
  UNION { <%(iri)s> a ndk:Blueprint . BIND("blueprint" AS ?kind) }
  OPTIONAL { <%(iri)s> skos:prefLabel ?label }
  OPTIONAL { <%(iri)s> ndk:odsCode ?ods }
  OPTIONAL { <%(iri)s> ndk:onsCode ?ons }
  OPTIONAL { <%(iri)s> dcterms:identifier ?slug }
  BIND(COALESCE(?ods, ?ons, ?slug) AS ?code)
}"""
"""One node's kind, label and code (`%(iri)s`: an IRI of the graph, checked by pyoxigraph)."""

_CODES = """
  OPTIONAL { ?iri skos:prefLabel ?label }
  OPTIONAL { ?iri ndk:odsCode ?ods }
  OPTIONAL { ?iri ndk:onsCode ?ons }
  OPTIONAL { ?iri dcterms:identifier ?slug }
}"""

ORGANISATIONS_IN = (
    """
SELECT ?iri ?kind ?label ?ods ?ons ?slug WHERE {
  VALUES ?iri { %(iris)s }
  ?iri a ndk:Organisation .
  OPTIONAL { ?iri ndk:organisationType ?type . ?type skos:notation ?kind }"""
    + _CODES
)
"""Some organisations' kind, label and codes (`%(iris)s`: IRIs of the graph, checked by pyoxigraph,
`BATCH` at most). Given first in VALUES, each node is looked up: 0.45 s for 1,000 of the
100,000 organisations, where reading every node (`NODE_SCAN`) and keeping some takes 8-40 s."""

BATCH = 1000
"""Nodes a VALUES block of `ORGANISATIONS_IN` names."""

MANY_NODES = 20_000
"""Beyond this many nodes, reading every node (`NODE_SCAN`) costs less than the VALUES blocks
(at 100,000 organisations a block takes 0.45-1.4 s, the whole scan about 8-40 s, loaded machine)."""

OTHER_NODES = (
    """
SELECT ?iri ?kind ?label ?ods ?ons ?slug WHERE {
  { ?iri a ndk:ClinicalSystem . BIND("system" AS ?kind) }
  UNION { ?iri a ndk:Programme . BIND("programme" AS ?kind) }
  UNION { ?iri a ndk:Blueprint . BIND("blueprint" AS ?kind) }"""
    + _CODES
)
"""Every system, programme and blueprint (a few hundred) with its label and codes."""
