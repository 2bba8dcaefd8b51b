"""The facts of the nodes of a projection: every literal the graph states about them.

Every literal is kept as a typed attribute (integers as `int`, decimals as `float`,
booleans as `bool`, dates and text as text, dates at the precision the source gives),
named by `NODE_LITERALS` (e.g. `skos:altLabel` → `alt_labels`, `ndk:openDate` →
`open_date`; another property by its local name in snake case). An attribute that has
several values on any node of the graph is a sorted list on every node that has it
(`alt_labels`, `types`). Nodes also carry `types` (their classes of the ontology, e.g.
`NHSTrust`) and `source` (the `;`-joined keys of the sources that list them).

Up to `FEW_NODES` nodes are looked up one by one (the node a constant, as for
successor-of); more are read in bulk. A name that is single on the nodes looked up is
checked against the whole graph (`_SEVERAL`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph_builder.core import iri as mint
from graph_builder.questions import projection_queries as queries
from graph_builder.questions.answers import term_text
from graph_builder.questions.projection import add_relation_edge, select_rows
from graph_builder.questions.projection_queries import RELATION_QUERIES, SPARQL_PREFIXES, scan
from graph_builder.store.embedded import DEFAULT_TIMEOUT, GraphStore

if TYPE_CHECKING:
    import networkx as nx

_NODE_CLASSES = (
    "{ ?iri a ndk:Organisation } UNION { ?iri a ndk:ClinicalSystem } "
    "UNION { ?iri a ndk:Programme } UNION { ?iri a ndk:Blueprint }"
)
_FACTS = f"""
SELECT DISTINCT ?iri ?p ?value WHERE {{
  {_NODE_CLASSES}
  {{ ?iri ?p ?value . FILTER(isLiteral(?value) && ?p != skos:prefLabel) }}
  UNION {{ ?iri a ?value . BIND(rdf:type AS ?p) FILTER(STRSTARTS(STR(?value), STR(ndk:))) }}
  UNION {{ ?iri dcterms:source/dcterms:identifier ?value . BIND(dcterms:source AS ?p) }}
}}"""

_SKOS, _NDK, _ORG, _DCT = (
    "http://www.w3.org/2004/02/skos/core#",
    mint.DEF,
    "http://www.w3.org/ns/org#",
    "http://purl.org/dc/terms/",
)
NODE_LITERALS: dict[str, str] = {
    _SKOS + "altLabel": "alt_labels",
    _SKOS + "note": "note",
    _ORG + "identifier": "identifier",
    _DCT + "identifier": "key",
    _NDK + "odsCode": "ods_code",
    _NDK + "onsCode": "ons_code",
    _NDK + "registerRow": "register_row",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "types",
    _DCT + "source": "source",
}
"""Attribute names of node literals (others: the property's local name in snake case)."""

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS: dict[str, type] = {
    _XSD + "integer": int,
    _XSD + "int": int,
    _XSD + "long": int,
    _XSD + "nonNegativeInteger": int,
    _XSD + "positiveInteger": int,
    _XSD + "decimal": float,
    _XSD + "double": float,
    _XSD + "float": float,
}


def attribute_name(predicate: str) -> str:
    """The node attribute that holds a property's literals: `NODE_LITERALS`, else snake case."""
    if predicate in NODE_LITERALS:
        return NODE_LITERALS[predicate]
    local = re.split(r"[#/]", predicate)[-1]
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", local).lower() or "value"


def _typed(cell: Any) -> Any:
    """A literal as a Python value: numbers and booleans typed, everything else its text."""
    if isinstance(cell, ox.Literal):
        datatype = cell.datatype.value
        try:
            if datatype in _NUMBERS:
                return _NUMBERS[datatype](cell.value)
            if datatype == _XSD + "boolean":
                return cell.value in ("true", "1")
        except ValueError:
            return cell.value
        return cell.value
    return cell.value.removeprefix(_NDK) if isinstance(cell, ox.NamedNode) else term_text(cell)


_FACTS_OF = """
SELECT DISTINCT ?p ?value WHERE {
  { <%(iri)s> a ndk:Organisation } UNION { <%(iri)s> a ndk:ClinicalSystem }
  UNION { <%(iri)s> a ndk:Programme } UNION { <%(iri)s> a ndk:Blueprint }
  { <%(iri)s> ?p ?value . FILTER(isLiteral(?value) && ?p != skos:prefLabel) }
  UNION { <%(iri)s> a ?value . BIND(rdf:type AS ?p) FILTER(STRSTARTS(STR(?value), STR(ndk:))) }
  UNION { <%(iri)s> dcterms:source/dcterms:identifier ?value . BIND(dcterms:source AS ?p) }
}"""

_PROVISIONS_OF = """
SELECT ?n ?provision ?status ?as_of (GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source) WHERE {
  ?n ndk:deployedAt <%(iri)s> .
  ?n a ndk:Deployment ; ndk:provision ?provisionConcept ; ndk:deploymentStatus ?statusConcept ; ndk:asOf ?as_of .
  ?provisionConcept skos:notation ?provision . ?statusConcept skos:notation ?status .
  FILTER NOT EXISTS { ?n ndk:system ?system } FILTER NOT EXISTS { ?n ndk:supplier ?supplier }
  OPTIONAL { ?n dcterms:source ?src . ?src dcterms:identifier ?sourceKey }
} GROUP BY ?n ?provision ?status ?as_of"""

_CLOSURES_OF = """
SELECT ?n ?event ?change ?date (GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source) WHERE {
  ?n org:originalOrganization <%(iri)s> .
  ?n a org:ChangeEvent ; dcterms:identifier ?event ; ndk:changeKind ?kind ; ndk:eventDate ?date .
  ?kind skos:notation ?change .
  FILTER NOT EXISTS { ?n org:resultingOrganization ?v }
  OPTIONAL { ?n dcterms:source ?src . ?src dcterms:identifier ?sourceKey }
} GROUP BY ?n ?event ?change ?date"""

_SEVERAL = """
SELECT ?s WHERE { %(a)s %(b)s FILTER(!sameTerm(?a, ?b) || ?pa != ?pb)
  ?s a ?class . FILTER(?class IN (ndk:Organisation, ndk:ClinicalSystem, ndk:Programme, ndk:Blueprint)) } LIMIT 1"""


def _several(store: GraphStore, predicates: set[str], timeout: float | None) -> bool:
    """Whether some node has two literals of these predicates (one attribute) anywhere in the graph."""

    def side(value: str, pred: str) -> str:
        union = " UNION ".join(f"{{ ?s <{p}> ?{value} BIND(<{p}> AS ?{pred}) }}" for p in sorted(predicates))
        return scan(f"{union} FILTER(isLiteral(?{value}))")

    return any(True for _ in select_rows(store, _SEVERAL % {"a": side("a", "pa"), "b": side("b", "pb")}, timeout))


def add_node_facts(
    graph: nx.MultiDiGraph,
    store: GraphStore,
    timeout: float | None = DEFAULT_TIMEOUT,
    provisions: bool = False,
    closures: bool = False,
) -> None:
    """Give the nodes of `graph` (a view: it is changed) every fact of the graph about them.

    Every literal, class and source as typed attributes (lists where multi-valued anywhere in
    the graph); with `provisions` and `closures`, also those lists, for a graph made without
    reading the deployments or the successions.
    """
    nodes = sorted(graph.nodes)
    if provisions:
        _add_lists(graph, store, nodes, "deployment", _PROVISIONS_OF, timeout)
    if closures:
        _add_lists(graph, store, nodes, "succession", _CLOSURES_OF, timeout)
    found: dict[str, dict[str, list[Any]]] = {}
    names: dict[str, set[str]] = {}
    if len(nodes) > queries.FEW_NODES:
        answer = store.select(SPARQL_PREFIXES + _FACTS, timeout=timeout)
        multi = {"types"}
        everywhere: dict[str, dict[str, int]] = {}
        for subject, predicate, value in answer.rows:
            assert isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode) and value is not None
            name = attribute_name(predicate.value)
            counts = everywhere.setdefault(subject.value, {})
            counts[name] = counts.get(name, 0) + 1
            if counts[name] > 1:
                multi.add(name)
            if subject.value in graph:
                found.setdefault(subject.value, {}).setdefault(name, []).append(_typed(value))
        del everywhere
    else:
        for iri in nodes:
            here = ox.NamedNode(iri).value  # pyoxigraph checks the IRI before it is pasted
            answer = store.select(SPARQL_PREFIXES + _FACTS_OF % {"iri": here}, timeout=timeout)
            for predicate, value in answer.rows:
                assert isinstance(predicate, ox.NamedNode) and value is not None
                name = attribute_name(predicate.value)
                names.setdefault(name, set()).add(predicate.value)
                found.setdefault(iri, {}).setdefault(name, []).append(_typed(value))
        multi = _several_valued(found)
        for name in sorted(set(names) - multi - {"source"}):
            if _several(store, names[name], timeout):
                multi.add(name)
    _apply_facts(graph, found, multi)


def _add_lists(
    graph: nx.MultiDiGraph, store: GraphStore, nodes: list[str], relation: str, query: str, timeout: float | None
) -> None:
    """The `provisions` (deployment) or `closures` (succession) of some nodes, as the projection keeps them."""
    if len(nodes) > queries.FEW_NODES:
        wanted = set(nodes)
        every = select_rows(store, RELATION_QUERIES[relation], timeout)
        rows = (row for row in every if row["v"] is None and row["u"] in wanted)
    else:
        rows = (
            {"u": ox.NamedNode(iri).value, "v": None, **row}
            for iri in nodes
            for row in select_rows(store, query % {"iri": ox.NamedNode(iri).value}, timeout)
        )
    import networkx as nx

    scratch = nx.MultiDiGraph()
    for row in rows:
        u = row["u"]
        assert u is not None
        row.pop("n", None)
        scratch.add_node(u, **{k: [] for k in ("provisions", "closures")})
        add_relation_edge(scratch, relation, row)
    name = "provisions" if relation == "deployment" else "closures"
    for node, data in scratch.nodes(data=True):
        if data[name]:
            graph.nodes[node].setdefault(name, []).extend(data[name])


def _several_valued(found: dict[str, dict[str, list[Any]]]) -> set[str]:
    """The attributes with more than one value on some node (kept as lists on every node)."""
    return {"types"} | {name for facts in found.values() for name, values in facts.items() if len(values) > 1}


def _apply_facts(graph: nx.MultiDiGraph, found: dict[str, dict[str, list[Any]]], multi: set[str]) -> None:
    """Set the facts found on the graph's nodes: sources joined by ';', lists where `multi`."""
    for node_id, facts in found.items():
        node = graph.nodes[node_id]
        for name, values in facts.items():
            values = sorted(set(values), key=str)
            if name == "source":
                node[name] = ";".join(values)
            elif name not in node:
                node[name] = values if name in multi else values[0]
