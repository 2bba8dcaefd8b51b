"""The named views the exports draw: documented subsets of the one projection (questions/projection.py).

| view      | nodes                                                            | edges                      |
|-----------|------------------------------------------------------------------|----------------------------|
| followers | GDE exemplars (announced or confirmed), both ends of partnerships | partnerships, every status |
| systems   | every system and supplier, organisations with a deployment       | deployments, system → supplier |
| areas     | both ends of every membership (trusts, CCGs in STPs, ICBs, regions) | memberships, with intervals |
| all       | every node of the projection                                     | every relation             |

With an as-of date a view keeps the edges in effect on that day (`temporal.in_effect`)
and the nodes they join, plus its anchors: the nodes it shows even without an edge
(followers: exemplars whose participation was announced by then; systems: every system
and supplier, and the organisations whose deployments name none, in-house or no EPR, from
their date; all: every node). Anchors carry `anchor=True` and, where dated,
`anchor_from`; every edge carries `valid_from` and `valid_until` (ISO days, `valid_until`
exclusive, absent where open), the rule of `in_effect` written as an interval so that a
viewer can filter by date by itself. In the followers view, nodes carry `role`
(`exemplar`, `follower`, or `exemplar;follower`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph_builder.core import iri as mint
from graph_builder.questions.exemplars import exemplars_since
from graph_builder.questions.node_facts import add_node_facts
from graph_builder.questions.projection import nodes_of_kind, project
from graph_builder.questions.projection_queries import RELATIONS
from graph_builder.questions.temporal import Period, in_effect, validity
from graph_builder.store.embedded import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    import networkx as nx

    from graph_builder.store.embedded import GraphStore

VIEWS: dict[str, str] = {
    "followers": "Exemplars of the Global Digital Exemplar programme (announced or confirmed) and their fast "
    "followers, with every partnership as an edge (confirmed, proposed and dropped; the status is "
    "on the edge).",
    "systems": "Organisations and the clinical systems and suppliers they deploy: deployments as edges "
    "(organisation → system, or → supplier where the source names no product), and system → "
    "supplier. Every system and supplier is shown, deployed or not.",
    "areas": "Organisations in their areas: memberships of trusts and CCGs in STPs, ICBs and regions as "
    "edges, each with its interval and source.",
    "all": "Every organisation, programme, blueprint, system and supplier, and every relation between them.",
}
"""The named views, with what each shows (the CLI's --view choices)."""

VIEW_RELATIONS: dict[str, tuple[str, ...]] = {
    "followers": ("partnership",),
    "systems": ("deployment", "supplied-by"),
    "areas": ("membership",),
    "all": RELATIONS,
}
"""The relations each view draws as edges; the first defines it: a view with no edge of
its first relation on a date selects nothing."""

VIEW_READS: dict[str, tuple[str, ...]] = {
    "followers": ("partnership", "participation"),
    "systems": ("deployment", "supplied-by"),
    "areas": ("membership",),
    "all": RELATIONS,
}
"""The relations each view reads from the graph: its edges' and those that say its anchors
(followers: the participations that make an exemplar)."""


def projection(store: GraphStore, name: str, timeout: float | None = DEFAULT_TIMEOUT) -> nx.MultiDiGraph:
    """The part of the projection a view is selected from: its relations, their nodes and its anchors.

    Nodes carry kind, label and code only (`projection.project`); `add_facts` gives the
    nodes of a selection the rest of what the graph says about them.
    """
    if name not in VIEWS:
        raise KeyError(name)
    nodes = nodes_of_kind(store, ("system", "supplier"), timeout) if name == "systems" else ()
    return project(store, VIEW_READS[name], timeout, nodes=nodes, every_node=name == "all")


def add_facts(view: nx.MultiDiGraph, store: GraphStore, name: str, timeout: float | None = DEFAULT_TIMEOUT) -> None:
    """Give the nodes of a selection (`select` of `projection`) every fact the graph states about them."""
    read = VIEW_READS[name]
    add_node_facts(view, store, timeout, provisions="deployment" not in read, closures="succession" not in read)


_NODE_COUNT = (
    f"PREFIX ndk: <{mint.DEF}>\n"
    + """SELECT (COUNT(DISTINCT ?iri) AS ?nodes) WHERE { { SELECT ?iri WHERE {
  { ?iri a ndk:Organisation } UNION { ?iri a ndk:ClinicalSystem } UNION { ?iri a ndk:Programme }
  UNION { ?iri a ndk:Blueprint } } } }"""
)


def at_least(store: GraphStore, name: str, timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """A count the view's nodes reach on any date, read without projecting (0 where none is cheap).

    The all view shows every organisation, programme, blueprint and system whatever the date.
    """
    if name != "all":
        return 0
    answer = store.select(_NODE_COUNT, timeout=timeout)
    cell = answer.rows[0][0] if answer.rows else None
    return int(cell.value) if isinstance(cell, ox.Literal) else 0


def anchors(graph: nx.MultiDiGraph, name: str) -> dict[str, date | None]:
    """The nodes a view shows even without an edge, with the day they start to count."""
    if name == "all":
        return dict.fromkeys(graph.nodes)
    if name == "systems":
        shown: dict[str, date | None] = {
            n: None for n, d in graph.nodes(data=True) if d["kind"] in ("system", "supplier")
        }
        return shown | {n: _first_provision(d["provisions"]) for n, d in graph.nodes(data=True) if d.get("provisions")}
    return exemplars_since(graph) if name == "followers" else {}


def _first_provision(provisions: list[tuple[str, str, str, str]]) -> date | None:
    """The day an organisation's first in-house or no-EPR deployment holds from (its as-of date)."""
    days = [validity({"relation": "deployment", "as_of": as_of})[0] for _, _, as_of, _ in provisions]
    return None if None in days else min(d for d in days if d is not None)


def select(graph: nx.MultiDiGraph, name: str, as_of: date | None = None) -> nx.MultiDiGraph:
    """A view of the projection as a new graph (attributes copied; the projection is untouched)."""
    import networkx as nx

    if name not in VIEWS:
        raise KeyError(name)
    wanted = set(VIEW_RELATIONS[name])
    view = nx.MultiDiGraph(view=name, as_of=as_of.isoformat() if as_of else "")
    pinned = anchors(graph, name)
    for node, since in sorted(pinned.items()):
        if as_of is None or since is None or since <= as_of:
            view.add_node(node, **graph.nodes[node], anchor=True)
            if since is not None:
                view.nodes[node]["anchor_from"] = since.isoformat()
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if data["relation"] not in wanted or not in_effect(data, as_of):
            continue
        for end in (u, v):
            if end not in view:
                view.add_node(end, **graph.nodes[end])
        start, until = validity(data)
        view.add_edge(u, v, key=key, **data)
        if start:
            view.edges[u, v, key]["valid_from"] = start.isoformat()
        if until:
            view.edges[u, v, key]["valid_until"] = until.isoformat()
    if name == "followers":
        for node in view.nodes:
            roles = (["exemplar"] if node in pinned else []) + (["follower"] if view.out_degree(node) else [])
            view.nodes[node]["role"] = ";".join(roles)
    return view


def defining_edges(view: nx.MultiDiGraph, name: str) -> int:
    """How many edges of the view's defining relation it has (0: the selection is empty)."""
    first = VIEW_RELATIONS[name][0]
    return sum(1 for *_, d in view.edges(data=True) if name == "all" or d["relation"] == first)


_HELD = {"followers": "partnerships", "systems": "deployments", "areas": "memberships", "all": "relations"}


def periods(graph: nx.MultiDiGraph, name: str) -> list[Period]:
    """When the view has an edge of its defining relation: their intervals (`validity`) merged, in order.

    Memberships are snapshots (a source lists an area's members over a year or a quarter), so
    the areas view has gaps: dates on which no membership is known.
    """
    first = VIEW_RELATIONS[name][0]
    spans = sorted(
        (validity(d) for *_, d in graph.edges(data=True) if name == "all" or d["relation"] == first),
        key=lambda span: (span[0] or date.min, span[1] or date.max),
    )
    merged: list[Period] = []
    for start, until in spans:
        if merged and (merged[-1][1] is None or start is None or start <= merged[-1][1]):
            last_start, last_until = merged[-1]
            later = None if last_until is None or until is None else max(last_until, until)
            merged[-1] = (last_start, later)
        else:
            merged.append((start, until))
    return merged


def describe_period(span: Period) -> str:
    """A period in words, its last day included: `from 2017-04-01 to 2018-03-31`."""
    start, until = span
    begin = f"from {start.isoformat()}" if start else "always"
    if until is None:
        return f"{begin} on" if start else "always"
    return f"{begin} to {(until - timedelta(days=1)).isoformat()}" if start else f"before {until.isoformat()}"


def nothing_on(name: str, as_of: date, spans: list[Period]) -> str:
    """The one-line error for a date on which a view selects nothing: when it does select something."""
    said = [describe_period(span) for span in spans]
    if not said:
        return f"the {name} view selects nothing on {as_of.isoformat()}: the build has no {_HELD[name]}"
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    snapshots = " (snapshots)" if name == "areas" else ""
    return (
        f"the {name} view selects nothing on {as_of.isoformat()}: its {_HELD[name]} hold {listed}{snapshots}; "
        "choose --as-of within one"
    )
