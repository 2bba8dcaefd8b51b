"""The one projection of the RDF graph to networkx, shared by the analyses and the exports.

`project(store)` returns a `networkx.MultiDiGraph` whose node ids are IRIs (text), with
attributes `kind` (an organisation type such as `acute-trust`, `stp`, `region`,
`supplier`; or `system`, `programme`, `blueprint`), `label` and `code` (ODS/ONS code or
slug key). Every n-ary relation node of the graph becomes one edge whose key is the
relation node's IRI, with the relation's attributes (dates as ISO text at the precision
the source gives, `source` as `;`-joined source keys):

| relation      | edge                       | attributes                                   |
|---------------|----------------------------|----------------------------------------------|
| partnership   | follower → exemplar        | status, start, end, known, programme, source |
| membership    | member → group             | start, end, source                           |
| deployment    | organisation → system (or supplier) | system, supplier, provision, status, as_of, source |
| succession    | predecessor → successor    | event, change, date, source                  |
| participation | organisation → programme   | role, cohort, status, announced, source      |
| adoption      | adopter → blueprint        | date, source                                 |
| authorship    | author → blueprint         | published, source                            |
| for-system    | blueprint → system         |                                              |
| supplied-by   | system → supplier          |                                              |

A closure with no successor is kept on the closed organisation's node as `closures`
(a list of (event, date, source)). `known` on a partnership is its start date or, where
the sources give none, the date of its earliest dated source. In-house and no-EPR
deployments name no system: they are kept on the organisation's node as `provisions`
(a list of (provision, status, as_of, source)).

Every literal the graph states about a node is kept as a typed attribute (integers as
`int`, decimals as `float`, booleans as `bool`, dates and text as text, dates at the
precision the source gives), named by `NODE_LITERALS` (e.g. `skos:altLabel` →
`alt_labels`, `ndk:openDate` → `open_date`; another property by its local name in
snake case). An attribute that has several values on any node is a sorted list on every
node that has it (`alt_labels`, `types`). Nodes also carry `types` (their classes of the
ontology, e.g. `NHSTrust`) and `source` (the `;`-joined keys of the sources that list
them). On edges too, `source` is the sorted, `;`-joined source keys.

`in_effect(data, as_of)` says whether an edge held on a date; `at(graph, as_of)` is the
view of the edges that did; `validity(data)` is the same rule as a half-open interval of
days. Dates at month or year precision count from their first day. The named views the
exports draw (followers, systems, areas, all) are in `export_views.py`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph_builder.core import iri as mint
from graph_builder.questions.answers import text
from graph_builder.store.embedded import DEFAULT_TIMEOUT, GraphStore

if TYPE_CHECKING:  # networkx is imported when a projection is made (it takes ~0.15 s)
    import networkx as nx

_PREFIXES = f"""
PREFIX ndk:     <{mint.DEF}>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX time:    <http://www.w3.org/2006/time#>
PREFIX schema:  <https://schema.org/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

_SOURCES = '(GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source)'
_SOURCE = """OPTIONAL { ?n dcterms:source ?src . ?src dcterms:identifier ?sourceKey .
  OPTIONAL { ?src dcterms:date ?srcDate } }"""

_NODES = """
SELECT ?iri ?kind ?label ?code WHERE {
  { ?iri a ndk:Organisation . OPTIONAL { ?iri ndk:organisationType/skos:notation ?kind } }
  UNION { ?iri a ndk:ClinicalSystem . BIND("system" AS ?kind) }
  UNION { ?iri a ndk:Programme . BIND("programme" AS ?kind) }
  UNION { ?iri a ndk:Blueprint . BIND("blueprint" AS ?kind) }
  OPTIONAL { ?iri skos:prefLabel ?label }
  OPTIONAL { ?iri ndk:odsCode ?ods }
  OPTIONAL { ?iri ndk:onsCode ?ons }
  OPTIONAL { ?iri dcterms:identifier ?slug }
  BIND(COALESCE(?ods, ?ons, ?slug) AS ?code)
}"""

_EDGES: dict[str, str] = {
    "partnership": f"""
SELECT ?n ?u ?v ?status ?start ?end ?programme {_SOURCES} (MIN(STR(?srcDate)) AS ?earliest) WHERE {{
  ?n a ndk:Partnership ; ndk:follower ?u ; ndk:exemplar ?v ; ndk:status/skos:notation ?status ;
     ndk:programme/dcterms:identifier ?programme .
  OPTIONAL {{ ?n ndk:startDate ?start }} OPTIONAL {{ ?n ndk:endDate ?end }} {_SOURCE}
}} GROUP BY ?n ?u ?v ?status ?start ?end ?programme""",
    "membership": f"""
SELECT ?n ?u ?v ?start ?end {_SOURCES} WHERE {{
  ?n a org:Membership ; org:member ?u ; org:organization ?v ; org:memberDuring ?i .
  ?i time:hasBeginning/time:inXSDDate ?start ; time:hasEnd/time:inXSDDate ?end . {_SOURCE}
}} GROUP BY ?n ?u ?v ?start ?end""",
    "deployment": f"""
SELECT ?n ?u ?v ?system ?supplier ?provision ?status ?as_of {_SOURCES} WHERE {{
  ?n a ndk:Deployment ; ndk:deployedAt ?u ; ndk:provision/skos:notation ?provision ;
     ndk:deploymentStatus/skos:notation ?status ; ndk:asOf ?as_of .
  OPTIONAL {{ ?n ndk:system ?system }}
  OPTIONAL {{ ?n ndk:supplier ?named }}
  OPTIONAL {{ ?n ndk:system/ndk:suppliedBy ?systemSupplier }}
  BIND(COALESCE(?named, ?systemSupplier) AS ?supplier)
  BIND(COALESCE(?system, ?named) AS ?v) {_SOURCE}
}} GROUP BY ?n ?u ?v ?system ?supplier ?provision ?status ?as_of""",
    "succession": f"""
SELECT ?n ?u ?v ?event ?change ?date {_SOURCES} WHERE {{
  ?n a org:ChangeEvent ; org:originalOrganization ?u ; dcterms:identifier ?event ;
     ndk:changeKind/skos:notation ?change ; ndk:eventDate ?date .
  OPTIONAL {{ ?n org:resultingOrganization ?v }} {_SOURCE}
}} GROUP BY ?n ?u ?v ?event ?change ?date""",
    "participation": f"""
SELECT ?n ?u ?v ?role ?cohort ?status ?announced {_SOURCES} WHERE {{
  ?n a ndk:Participation ; ndk:participant ?u ; ndk:programme ?v ; ndk:role/skos:notation ?role ;
     ndk:status/skos:notation ?status .
  OPTIONAL {{ ?n ndk:cohort/skos:notation ?cohort }} OPTIONAL {{ ?n ndk:announcedDate ?announced }} {_SOURCE}
}} GROUP BY ?n ?u ?v ?role ?cohort ?status ?announced""",
    "adoption": f"""
SELECT ?n ?u ?v ?date {_SOURCES} WHERE {{
  ?n a ndk:BlueprintAdoption ; ndk:adopter ?u ; ndk:blueprint ?v .
  OPTIONAL {{ ?n ndk:adoptionDate ?date }} {_SOURCE}
}} GROUP BY ?n ?u ?v ?date""",
    "authorship": f"""
SELECT ?n ?u ?v ?published {_SOURCES} WHERE {{
  ?v a ndk:Blueprint ; ndk:author ?u . BIND(?v AS ?n)
  OPTIONAL {{ ?v dcterms:issued ?published }} {_SOURCE}
}} GROUP BY ?n ?u ?v ?published""",
    "for-system": "SELECT ?u ?v WHERE { ?u a ndk:Blueprint ; ndk:forSystem ?v }",
    "supplied-by": "SELECT ?u ?v WHERE { ?u a ndk:ClinicalSystem ; ndk:suppliedBy ?v }",
}

RELATIONS = tuple(_EDGES)
"""The relation kinds that become edges, in the order they are projected."""

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

_PROJECTIONS: weakref.WeakKeyDictionary[GraphStore, nx.MultiDiGraph] = weakref.WeakKeyDictionary()


def project(store: GraphStore, timeout: float | None = DEFAULT_TIMEOUT) -> nx.MultiDiGraph:
    """The graph as a networkx MultiDiGraph (built once per loaded store; do not mutate it)."""
    import networkx as nx

    cached = _PROJECTIONS.get(store)
    if cached is not None:
        return cached
    graph = nx.MultiDiGraph()
    for row in _rows(store, _NODES, timeout):
        iri = row["iri"]
        assert iri is not None
        if iri not in graph:
            label = row["label"] or row["code"] or iri
            graph.add_node(iri, kind=row["kind"] or "", label=label, code=row["code"] or "")
        elif row["kind"] and not graph.nodes[iri]["kind"]:
            graph.nodes[iri]["kind"] = row["kind"]
    for relation, query in _EDGES.items():
        for row in _rows(store, query, timeout):
            _add_edge(graph, relation, row)
    _add_facts(graph, store, timeout)
    _PROJECTIONS[store] = graph
    return graph


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
    return cell.value.removeprefix(_NDK) if isinstance(cell, ox.NamedNode) else text(cell)


def _add_facts(graph: nx.MultiDiGraph, store: GraphStore, timeout: float | None) -> None:
    """Every literal, class and source of the nodes, as typed attributes (lists where multi-valued)."""
    found: dict[str, dict[str, list[Any]]] = {}
    answer = store.select(_PREFIXES + _FACTS, timeout=timeout)
    for subject, predicate, value in answer.rows:
        assert isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode) and value is not None
        if subject.value in graph:
            found.setdefault(subject.value, {}).setdefault(attribute_name(predicate.value), []).append(_typed(value))
    _apply_facts(graph, found, _several_valued(found))


def _rows(store: GraphStore, query: str, timeout: float | None) -> Iterator[dict[str, str | None]]:
    answer = store.select(_PREFIXES + query, timeout=timeout)
    for row in answer.rows:
        yield {
            name: (text(cell) if cell is not None else None) for name, cell in zip(answer.variables, row, strict=True)
        }


def _add_edge(graph: nx.MultiDiGraph, relation: str, row: dict[str, str | None]) -> None:
    u, v = row.pop("u"), row.pop("v")
    key = row.pop("n", None) or f"{relation}:{u}:{v}"
    if row.get("source"):
        row["source"] = ";".join(sorted(set(str(row["source"]).split(";"))))
    attrs: dict[str, Any] = {k: val for k, val in row.items() if k != "earliest"}
    attrs["relation"] = relation
    if relation == "partnership":
        attrs["known"] = row["start"] or row.get("earliest")
    assert u is not None
    if u not in graph:
        graph.add_node(u, kind="", label=u, code="")
    if v is None:
        if relation == "succession":
            graph.nodes[u].setdefault("closures", []).append((row["event"], row["date"], row["source"]))
        elif relation == "deployment":
            graph.nodes[u].setdefault("provisions", []).append(
                (row["provision"], row["status"], row["as_of"], row["source"])
            )
        return
    if v not in graph:
        graph.add_node(v, kind="", label=v, code="")
    graph.add_edge(u, v, key=key, **attrs)


def first_day(value: str) -> date:
    """The first day of a date at the precision given: 2017 → 2017-01-01, 2017-09 → 2017-09-01."""
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _on_or_before(value: str | None, as_of: date) -> bool:
    """An undated fact is not excluded by a date (nothing says it came later)."""
    return value is None or first_day(value) <= as_of


def in_effect(data: dict[str, Any], as_of: date | None) -> bool:
    """Whether an edge held on `as_of` (always, without a date).

    Partnerships hold from their `known` date until (not on) their end; memberships from
    start to end inclusive; successions, participations, deployments, adoptions and
    authorships from their date on. Structural edges (for-system, supplied-by) always hold.
    """
    if as_of is None:
        return True
    relation = data["relation"]
    if relation == "partnership":
        ended = data.get("end") is not None and first_day(data["end"]) <= as_of
        return _on_or_before(data.get("known"), as_of) and not ended
    if relation == "membership":
        return first_day(data["start"]) <= as_of <= first_day(data["end"])
    dated = {
        "succession": "date",
        "participation": "announced",
        "deployment": "as_of",
        "adoption": "date",
        "authorship": "published",
    }
    if relation in dated:
        return _on_or_before(data.get(dated[relation]), as_of)
    return True


def at(graph: nx.MultiDiGraph, as_of: date | None, relations: tuple[str, ...] = RELATIONS) -> nx.MultiDiGraph:
    """A read-only view of the edges of the given relations that held on `as_of`."""
    import networkx as nx

    wanted = set(relations)

    def keep(u: str, v: str, key: str) -> bool:
        data = graph.edges[u, v, key]
        return bool(data["relation"] in wanted and in_effect(data, as_of))

    return nx.subgraph_view(graph, filter_edge=keep)


def edges_of(graph: nx.MultiDiGraph, relation: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every edge of one relation kind: (u, v, attributes)."""
    for u, v, data in graph.edges(data=True):
        if data["relation"] == relation:
            yield u, v, data


def validity(data: dict[str, Any]) -> tuple[date | None, date | None]:
    """The days an edge holds as a half-open interval [from, until); None where open.

    The same rule as `in_effect`: `in_effect(data, d)` is `from <= d < until` (bounds that
    are None do not limit), so a viewer can filter by date without this module.
    """
    relation = data["relation"]
    if relation == "partnership":
        end = data.get("end")
        return (_first(data.get("known")), first_day(end) if end else None)
    if relation == "membership":
        return first_day(data["start"]), first_day(data["end"]) + timedelta(days=1)
    dated = {
        "succession": "date",
        "participation": "announced",
        "deployment": "as_of",
        "adoption": "date",
        "authorship": "published",
    }
    if relation in dated:
        return _first(data.get(dated[relation])), None
    return None, None


def _first(value: str | None) -> date | None:
    return first_day(value) if value else None


# --- Projections of a few relations, for the analyses -------------------------------------
#
# `project` reads every node, relation and literal of the graph (the exports need them all);
# an analysis needs a few relations and the code, label and kind of the nodes they touch.
# These queries give the rows `_EDGES` and `_NODES` give, but read each property of a class
# in bulk (`_scan`), with every required pattern before any OPTIONAL; sources of a small
# class are looked up from its nodes. At 100,000 organisations: deployments 11 s (were 47 s),
# partnerships 0.15 s, participations 0.9 s, every node's kind, label and code 8 s.


def _scan(patterns: str) -> str:
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
    body = " ".join(_scan(p) for p in required) + " " + " ".join(f"OPTIONAL {_scan(p)}" for p in optional)
    return f"SELECT {select} WHERE {{ {body} {tail} }}" + (f" GROUP BY {group}" if group else "")


def _sourced(node: str = "?n", few: str = "") -> str:
    """The sources of the relation nodes, as `project` reads them (an OPTIONAL: identifier and date).

    For a large class every dcterms:source of the graph is scanned once and hash-joined; for
    a class of a few thousand nodes (`few` names it), a subquery looks them up from each node.
    """
    if few:
        return (
            f"OPTIONAL {{ SELECT {node} ?sourceKey ?srcDate WHERE {{ {node} a {few} . {node} dcterms:source ?src . "
            "?src dcterms:identifier ?sourceKey . OPTIONAL { ?src dcterms:date ?srcDate } } }"
        )
    return (
        f"OPTIONAL {{ {_scan(node + ' dcterms:source ?src')} {_scan('?src dcterms:identifier ?sourceKey')} "
        f"OPTIONAL {_scan('?src dcterms:date ?srcDate')} }}"
    )


def _notation(link: str, var: str, node: str = "?n") -> tuple[str, str]:
    return f"{node} {link} ?{var}Concept", f"?{var}Concept skos:notation ?{var}"


_LEAN_EDGES: dict[str, str] = {
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
"""The relations as `_EDGES` reads them, each property scanned in bulk (`_scan`)."""

_NODE_SCAN = (
    "SELECT ?iri ?kind ?label ?code WHERE { { "
    + _scan("?iri a ndk:Organisation")
    + " OPTIONAL "
    + _scan("?iri ndk:organisationType ?type . ?type skos:notation ?kind")
    + " } UNION { "
    + _scan("?iri a ndk:ClinicalSystem")
    + ' BIND("system" AS ?kind) }'
    + " UNION { "
    + _scan("?iri a ndk:Programme")
    + ' BIND("programme" AS ?kind) }'
    + " UNION { "
    + _scan("?iri a ndk:Blueprint")
    + ' BIND("blueprint" AS ?kind) } '
    + " ".join(
        "OPTIONAL " + _scan(p)
        for p in (
            "?iri skos:prefLabel ?label",
            "?iri ndk:odsCode ?ods",
            "?iri ndk:onsCode ?ons",
            "?iri dcterms:identifier ?slug",
        )
    )
    + " BIND(COALESCE(?ods, ?ons, ?slug) AS ?code) }"
)
"""`_NODES` read in bulk: every node's kind, label and code."""

_FEW_NODES = 1000
"""Up to this many nodes are looked up one by one (`_NODE_INFO_OF`); more are read in bulk."""


def _node_rows(store: GraphStore, iris: list[str], timeout: float | None) -> Iterator[dict[str, str | None]]:
    """The kind, label and code rows of some nodes, as `_NODES` gives them."""
    if len(iris) > _FEW_NODES:
        wanted = set(iris)
        for row in _rows(store, _NODE_SCAN, timeout):
            if row["iri"] in wanted:
                yield row
        return
    for iri in iris:
        here = ox.NamedNode(iri).value  # pyoxigraph checks the IRI before it is pasted
        for row in _rows(store, _NODE_INFO_OF % {"iri": here}, timeout):
            yield {"iri": here, **row}


_PARTS: weakref.WeakKeyDictionary[GraphStore, dict[tuple[str, ...], nx.MultiDiGraph]] = weakref.WeakKeyDictionary()


def project_relations(
    store: GraphStore,
    relations: tuple[str, ...],
    timeout: float | None = DEFAULT_TIMEOUT,
    nodes: tuple[str, ...] = (),
    every_node: bool = False,
) -> nx.MultiDiGraph:
    """The projection restricted to some relations, the nodes they touch and `nodes` (no node facts).

    Nodes, edges and their attributes are those `project` makes for these relations, so an
    analysis that reads only them answers alike; with `every_node`, every node `project`
    makes is there too (with every relation: `project` without the node facts, which
    `add_node_facts` adds to the nodes that need them). Built once per loaded store,
    relations and extra nodes. Do not mutate it.
    """
    import networkx as nx

    cached = _PARTS.setdefault(store, {})
    key = (*sorted(set(relations)), "", *nodes, *(("", "every-node") if every_node else ()))
    if key in cached:
        return cached[key]
    edges = {r: list(_rows(store, _LEAN_EDGES[r], timeout)) for r in RELATIONS if r in relations}
    ends = {row[end] for rows in edges.values() for row in rows for end in ("u", "v")}
    ends |= {row[named] for row in edges.get("deployment", []) for named in ("system", "supplier")}
    touched = sorted({iri for iri in ends if iri} | set(nodes))
    graph = nx.MultiDiGraph()
    node_rows = _rows(store, _NODE_SCAN, timeout) if every_node else _node_rows(store, touched, timeout)
    for row in node_rows:
        _add_node(graph, row)
    for relation, rows in edges.items():
        for row in rows:
            _add_edge(graph, relation, row)
    cached[key] = graph
    return graph


def nodes_of_kind(
    store: GraphStore, kinds: tuple[str, ...], timeout: float | None = DEFAULT_TIMEOUT
) -> tuple[str, ...]:
    """The nodes that may have one of these kinds (`system`, or an organisation type such as `supplier`).

    A superset: an organisation with several types is listed for each; its `kind` in a
    projection is the one `project` gives it.
    """
    found: set[str] = set()
    types = [k for k in kinds if k not in ("system", "programme", "blueprint")]
    classes = {"system": "ndk:ClinicalSystem", "programme": "ndk:Programme", "blueprint": "ndk:Blueprint"}
    for kind in kinds:
        if kind in classes:
            found |= {str(r["iri"]) for r in _rows(store, f"SELECT ?iri WHERE {{ ?iri a {classes[kind]} }}", timeout)}
    if types:
        notations = " ".join(str(ox.Literal(t)) for t in types)
        query = (
            f"SELECT ?iri WHERE {{ {_scan('?type skos:notation ?kind')} VALUES ?kind {{ {notations} }} "
            f"{_scan('?iri ndk:organisationType ?type')} {_scan('?iri a ndk:Organisation')} }}"
        )
        found |= {str(r["iri"]) for r in _rows(store, query, timeout)}
    return tuple(sorted(found))


# --- The facts of some nodes, for the exports ----------------------------------------------
#
# `project` reads every literal of every node; a view of a few hundred nodes needs theirs.
# Up to `_FEW_NODES` nodes are looked up one by one (the node a constant, as for successor-of);
# more are read in bulk as `project` reads them. An attribute is a list on every node where it
# has several values on any node of the graph (the rule of `project`): a name that is single
# on the nodes looked up is checked against the whole graph (`_SEVERAL`).

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
        return _scan(f"{union} FILTER(isLiteral(?{value}))")

    return any(True for _ in _rows(store, _SEVERAL % {"a": side("a", "pa"), "b": side("b", "pb")}, timeout))


def add_node_facts(
    graph: nx.MultiDiGraph,
    store: GraphStore,
    timeout: float | None = DEFAULT_TIMEOUT,
    provisions: bool = False,
    closures: bool = False,
) -> None:
    """Give the nodes of `graph` (a view: it is changed) the facts `project` gives them.

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
    if len(nodes) > _FEW_NODES:
        answer = store.select(_PREFIXES + _FACTS, timeout=timeout)
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
            answer = store.select(_PREFIXES + _FACTS_OF % {"iri": here}, timeout=timeout)
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
    """The `provisions` (deployment) or `closures` (succession) of some nodes, as `project` keeps them."""
    if len(nodes) > _FEW_NODES:
        wanted = set(nodes)
        rows = (row for row in _rows(store, _LEAN_EDGES[relation], timeout) if row["v"] is None and row["u"] in wanted)
    else:
        rows = (
            {"u": ox.NamedNode(iri).value, "v": None, **row}
            for iri in nodes
            for row in _rows(store, query % {"iri": ox.NamedNode(iri).value}, timeout)
        )
    import networkx as nx

    scratch = nx.MultiDiGraph()
    for row in rows:
        u = row["u"]
        assert u is not None
        row.pop("n", None)
        scratch.add_node(u, **{k: [] for k in ("provisions", "closures")})
        _add_edge(scratch, relation, row)
    name = "provisions" if relation == "deployment" else "closures"
    for node, data in scratch.nodes(data=True):
        if data[name]:
            graph.nodes[node].setdefault(name, []).extend(data[name])


def _add_node(graph: nx.MultiDiGraph, row: dict[str, str | None]) -> None:
    iri = row["iri"]
    assert iri is not None
    if iri not in graph:
        label = row["label"] or row["code"] or iri
        graph.add_node(iri, kind=row["kind"] or "", label=label, code=row["code"] or "")
    elif row["kind"] and not graph.nodes[iri]["kind"]:
        graph.nodes[iri]["kind"] = row["kind"]


# --- The succession neighbourhood of one organisation, for successor-of --------------------
#
# A lookup must not read the whole graph. These queries name the node as a constant (an IRI
# of the graph, checked by pyoxigraph, so nothing a user typed reaches the text): the planner
# then knows it is bound and every pattern is a lookup from it (0.5 ms each), where the same
# query with the node substituted, given by VALUES, or reached by a property path is planned
# as if it were unknown and reads whole predicates. The walk goes outward one node at a time.
# Sources are joined, not OPTIONAL: every register row cites at least one source.

_SUCCESSIONS_OF = """
SELECT ?n ?v ?event ?change ?date (GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source) WHERE {
  ?n org:originalOrganization <%s> .
  ?n a org:ChangeEvent ; dcterms:identifier ?event ; ndk:changeKind ?kind ; ndk:eventDate ?date .
  ?kind skos:notation ?change .
  ?n dcterms:source ?src . ?src dcterms:identifier ?sourceKey .
  OPTIONAL { ?n org:resultingOrganization ?v }
} GROUP BY ?n ?v ?event ?change ?date"""

_NODE_INFO_OF = """
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


def successions_from(store: GraphStore, start: str, timeout: float | None = DEFAULT_TIMEOUT) -> nx.MultiDiGraph:
    """The succession edges reachable from `start` (an organisation IRI), with their nodes.

    Nodes and edges are those `project` makes for the succession relation (closures kept on
    the node as `closures`), restricted to the change events reachable from `start` by
    following predecessor to successor, so `analyses.successors` walks it alike.
    """
    import networkx as nx

    graph = nx.MultiDiGraph()
    edges: list[dict[str, str | None]] = []
    seen, todo = {start}, [start]
    while todo:
        here = ox.NamedNode(todo.pop()).value  # pyoxigraph checks the IRI before it is pasted
        for row in _node_rows(store, [here], timeout):
            _add_node(graph, row)
        if here not in graph:
            graph.add_node(here, kind="", label=here, code="")
        for row in _rows(store, _SUCCESSIONS_OF % here, timeout):
            edges.append({"u": here, **row})
            if row["v"] and row["v"] not in seen:
                seen.add(row["v"])
                todo.append(row["v"])
    for row in edges:
        _add_edge(graph, "succession", row)
    return graph


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
