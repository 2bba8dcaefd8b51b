"""The succession neighbourhood of one organisation, and the walks along it.

A lookup must not read the whole graph. These queries name the node as a constant (an IRI
of the graph, checked by pyoxigraph, so nothing a user typed reaches the text): the planner
then knows it is bound and every pattern is a lookup from it (0.5 ms each), where the same
query with the node substituted, given by VALUES, or reached by a property path is planned
as if it were unknown and reads whole predicates. The walk goes outward one node at a time.
Sources are joined, not OPTIONAL: every register row cites at least one source.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph_builder.questions.projection import add_node_row, add_relation_edge, node_rows, select_rows
from graph_builder.questions.temporal import dated_in_effect, in_effect
from graph_builder.store.embedded import DEFAULT_TIMEOUT, GraphStore

if TYPE_CHECKING:
    import networkx as nx

_SUCCESSIONS_OF = """
SELECT ?n ?v ?event ?change ?date (GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source) WHERE {
  ?n org:originalOrganization <%s> .
  ?n a org:ChangeEvent ; dcterms:identifier ?event ; ndk:changeKind ?kind ; ndk:eventDate ?date .
  ?kind skos:notation ?change .
  ?n dcterms:source ?src . ?src dcterms:identifier ?sourceKey .
  OPTIONAL { ?n org:resultingOrganization ?v }
} GROUP BY ?n ?v ?event ?change ?date"""


def successions_from(store: GraphStore, start: str, timeout: float | None = DEFAULT_TIMEOUT) -> nx.MultiDiGraph:
    """The succession edges reachable from `start` (an organisation IRI), with their nodes.

    Nodes and edges are those the projection makes for the succession relation (closures kept on
    the node as `closures`), restricted to the change events reachable from `start` by
    following predecessor to successor, so `successors` walks it alike.
    """
    import networkx as nx

    graph = nx.MultiDiGraph()
    edges: list[dict[str, str | None]] = []
    seen, todo = {start}, [start]
    while todo:
        here = ox.NamedNode(todo.pop()).value  # pyoxigraph checks the IRI before it is pasted
        for row in node_rows(store, [here], timeout):
            add_node_row(graph, row)
        if here not in graph:
            graph.add_node(here, kind="", label=here, code="")
        for row in select_rows(store, _SUCCESSIONS_OF % here, timeout):
            edges.append({"u": here, **row})
            if row["v"] and row["v"] not in seen:
                seen.add(row["v"])
                todo.append(row["v"])
    for row in edges:
        add_relation_edge(graph, "succession", row)
    return graph


def successors(graph: nx.MultiDiGraph, node: str, as_of: date | None) -> list[list[tuple[str, dict[str, Any]]]]:
    """Every path of change events from `node` to an organisation with no later change.

    A path is a list of (organisation, edge data of the event that led to it); the first
    step has empty data. Splits give several paths, repeated events (sources that date the
    same change differently) one path each.
    """
    paths: list[list[tuple[str, dict[str, Any]]]] = []

    def walk(path: list[tuple[str, dict[str, Any]]], seen: frozenset[str]) -> None:
        here = path[-1][0]
        nexts = [
            (v, data)
            for _, v, data in graph.out_edges(here, data=True)
            if data["relation"] == "succession" and in_effect(data, as_of) and v not in seen
        ]
        if not nexts:
            paths.append(path)
        for v, data in sorted(nexts, key=lambda item: (item[0], item[1]["event"])):
            walk([*path, (v, data)], seen | {v})

    walk([(node, {})], frozenset({node}))
    return paths


def holders(graph: nx.MultiDiGraph, node: str, as_of: date | None) -> set[str]:
    """The organisation itself if it has deployment records, else its current successor(s)."""
    dated = [d["as_of"] for _, _, d in graph.out_edges(node, data=True) if d["relation"] == "deployment"]
    dated += [p[2] for p in graph.nodes[node].get("provisions", [])]
    if any(dated_in_effect("deployment", when, as_of) for when in dated):
        return {node}
    return {path[-1][0] for path in successors(graph, node, as_of)}
