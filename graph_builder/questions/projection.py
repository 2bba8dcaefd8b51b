"""The one projection of the RDF graph to networkx, shared by the analyses and the exports.

`project(store, relations)` returns a `networkx.MultiDiGraph` whose node ids are IRIs
(text), with attributes `kind` (an organisation type such as `acute-trust`, `stp`,
`region`, `supplier`; or `system`, `programme`, `blueprint`), `label` and `code` (ODS/ONS
code or slug key). Every n-ary relation node of the given relations becomes one edge whose
key is the relation node's IRI, with the relation's attributes (dates as ISO text at the
precision the source gives, `source` as `;`-joined source keys). The queries are in
`projection_queries`:

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

`node_facts.add_node_facts` gives nodes every literal the graph states about them;
`temporal` says when an edge holds; `successions.successions_from` reads the succession
neighbourhood of one organisation alone. The named views the exports draw (followers,
systems, areas, all) are in `graph_builder.export.views`.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph_builder.questions import projection_queries as queries
from graph_builder.questions.answers import term_text
from graph_builder.questions.projection_queries import NODE_INFO_OF, NODE_SCAN, RELATION_QUERIES, RELATIONS, scan
from graph_builder.store.embedded import DEFAULT_TIMEOUT, GraphStore

if TYPE_CHECKING:  # networkx is imported when a projection is made (it takes ~0.15 s)
    import networkx as nx


def select_rows(store: GraphStore, query: str, timeout: float | None) -> Iterator[dict[str, str | None]]:
    """The rows of a query of the projection, as text (None where unbound)."""
    answer = store.select(queries.SPARQL_PREFIXES + query, timeout=timeout)
    for row in answer.rows:
        yield {
            name: (term_text(cell) if cell is not None else None)
            for name, cell in zip(answer.variables, row, strict=True)
        }


def add_relation_edge(graph: nx.MultiDiGraph, relation: str, row: dict[str, str | None]) -> None:
    """One row of a relation query as an edge (closures and no-system deployments: lists on the node)."""
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


def add_node_row(graph: nx.MultiDiGraph, row: dict[str, str | None]) -> None:
    """One row of a node query: the node, its kind, label and code (a kind found later fills an empty one)."""
    iri = row["iri"]
    assert iri is not None
    if iri not in graph:
        label = row["label"] or row["code"] or iri
        graph.add_node(iri, kind=row["kind"] or "", label=label, code=row["code"] or "")
    elif row["kind"] and not graph.nodes[iri]["kind"]:
        graph.nodes[iri]["kind"] = row["kind"]


def node_rows(store: GraphStore, iris: list[str], timeout: float | None) -> Iterator[dict[str, str | None]]:
    """The kind, label and code rows of some nodes, as `NODE_SCAN` gives them."""
    if len(iris) > queries.MANY_NODES:
        wanted = set(iris)
        for row in select_rows(store, NODE_SCAN, timeout):
            if row["iri"] in wanted:
                yield row
        return
    if len(iris) > queries.FEW_NODES:  # looked up in VALUES batches, not the whole class
        wanted = set(iris)
        for row in select_rows(store, queries.OTHER_NODES, timeout):
            if row["iri"] in wanted:
                yield _coded(row)
        for start in range(0, len(iris), queries.BATCH):
            named = " ".join(str(ox.NamedNode(iri)) for iri in iris[start : start + queries.BATCH])
            for row in select_rows(store, queries.ORGANISATIONS_IN % {"iris": named}, timeout):
                yield _coded(row)
        return
    for iri in iris:
        here = ox.NamedNode(iri).value  # pyoxigraph checks the IRI before it is pasted
        for row in select_rows(store, NODE_INFO_OF % {"iri": here}, timeout):
            yield {"iri": here, **row}


def _coded(row: dict[str, str | None]) -> dict[str, str | None]:
    """A row of `ORGANISATIONS_IN` or `OTHER_NODES` as `NODE_SCAN` gives it: the first code found."""
    return {
        "iri": row["iri"],
        "kind": row["kind"],
        "label": row["label"],
        "code": row["ods"] or row["ons"] or row["slug"],
    }


_PARTS: weakref.WeakKeyDictionary[GraphStore, dict[tuple[str, ...], nx.MultiDiGraph]] = weakref.WeakKeyDictionary()


def project(
    store: GraphStore,
    relations: tuple[str, ...],
    timeout: float | None = DEFAULT_TIMEOUT,
    nodes: tuple[str, ...] = (),
    every_node: bool = False,
) -> nx.MultiDiGraph:
    """The projection of some relations: their edges, the nodes they touch and `nodes`.

    Nodes carry kind, label and code; `node_facts.add_node_facts` adds the rest to a copy or
    a selection. With `every_node`, every node of the graph is there, with or without an
    edge (with every relation: the whole graph). Built once per loaded store, relations and
    extra nodes. Do not mutate it.
    """
    import networkx as nx

    cached = _PARTS.setdefault(store, {})
    key = (*sorted(set(relations)), "", *nodes, *(("", "every-node") if every_node else ()))
    if key in cached:
        return cached[key]
    edges = {r: list(select_rows(store, RELATION_QUERIES[r], timeout)) for r in RELATIONS if r in relations}
    ends = {row[end] for rows in edges.values() for row in rows for end in ("u", "v")}
    ends |= {row[named] for row in edges.get("deployment", []) for named in ("system", "supplier")}
    touched = sorted({iri for iri in ends if iri} | set(nodes))
    graph = nx.MultiDiGraph()
    found = select_rows(store, NODE_SCAN, timeout) if every_node else node_rows(store, touched, timeout)
    for row in found:
        add_node_row(graph, row)
    for relation, rows in edges.items():
        for row in rows:
            add_relation_edge(graph, relation, row)
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
            query = f"SELECT ?iri WHERE {{ ?iri a {classes[kind]} }}"
            found |= {str(r["iri"]) for r in select_rows(store, query, timeout)}
    if types:
        notations = " ".join(str(ox.Literal(t)) for t in types)
        query = (
            f"SELECT ?iri WHERE {{ {scan('?type skos:notation ?kind')} VALUES ?kind {{ {notations} }} "
            f"{scan('?iri ndk:organisationType ?type')} {scan('?iri a ndk:Organisation')} }}"
        )
        found |= {str(r["iri"]) for r in select_rows(store, query, timeout)}
    return tuple(sorted(found))


def edges_of(graph: nx.MultiDiGraph, relation: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every edge of one relation kind: (u, v, attributes)."""
    for u, v, data in graph.edges(data=True):
        if data["relation"] == relation:
            yield u, v, data


def code_of(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's code (ODS/ONS code or key), else its IRI."""
    return str(graph.nodes[node].get("code") or node)


def label_of(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's label, else its IRI."""
    return str(graph.nodes[node].get("label") or node)
