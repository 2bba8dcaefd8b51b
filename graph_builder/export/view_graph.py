"""A view of a build as a property graph (graph.py): the views' selection, with every node's facts.

    property_graph(store, view, as_of=None) -> PropertyGraph

The view reads only its own relations and nodes (views.py, over the one projection of
questions/network.py), then the facts of the nodes it selected and the sources they cite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from graph_builder.core import iri as mint
from graph_builder.core.errors import UsageError
from graph_builder.export import views
from graph_builder.export.graph import PropertyEdge, PropertyGraph, PropertyNode, Value
from graph_builder.export.style import caption, display_name
from graph_builder.questions.answers import term_text
from graph_builder.store.embedded import DEFAULT_TIMEOUT, GraphStore


def check_view(view: str) -> str:
    name = view.strip().lower()
    if name not in views.VIEWS:
        raise UsageError(f"unknown view {view!r}; one of {', '.join(views.VIEWS)}")
    return name


Limit = Callable[[str, int, bool], None]
"""Called with the view, its node count and whether that is a lower bound; raises to refuse it."""


def property_graph(
    store: GraphStore,
    view: str,
    as_of: date | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    whole: bool = False,
    limit: Limit | None = None,
) -> PropertyGraph:
    """A view of a loaded build as a property graph; a UsageError if it selects nothing.

    The view reads only its own relations and nodes (`views.projection`), then the
    facts of the nodes it selected. With `whole`, the graph holds the view at every date
    (`as_of` is still checked, and kept as the date a viewer opens at). `limit` is given the
    node count before the nodes' facts are read (and, for the all view, a cheap lower bound
    before anything is projected).
    """
    name = check_view(view)
    if limit is not None and (least := views.at_least(store, name, timeout)):
        limit(name, least, True)
    graph = views.projection(store, name, timeout)
    selected = views.select(graph, name, as_of)
    periods = views.periods(graph, name)
    if as_of is not None and not views.defining_edges(selected, name):
        raise UsageError(views.nothing_on(name, as_of, periods))
    if whole and as_of is not None:
        selected = views.select(graph, name, None)
    if limit is not None:
        limit(name, selected.number_of_nodes(), False)
    views.add_facts(selected, store, name, timeout)
    nodes = []
    for node, data in selected.nodes(data=True):
        attrs = {k: _value(v, k) for k, v in data.items() if v is not None and v != []}
        attrs["name"] = display_name(data)
        attrs["caption"] = caption(data)
        nodes.append(PropertyNode(node, dict(sorted(attrs.items()))))
    edges = _edges(selected, {n.id for n in nodes})
    nodes.sort(key=lambda n: n.id)
    cited = {
        key
        for item in [*(n.attrs for n in nodes), *(e.attrs for e in edges)]
        for key in str(item.get("source") or "").split(";")
        if key
    }
    return PropertyGraph(name, as_of, nodes, edges, _sources(store, cited, timeout), store, periods=periods)


def _edges(view: Any, node_ids: set[str]) -> list[PropertyEdge]:
    """The view's edges, sorted, each with an id no node or other edge of the view has.

    The id is the relation node's IRI. Where that is one of the edge's ends (an authorship:
    the blueprint states its author), the id is `authorship:<author>:<blueprint>`, as for the
    structural links; where one relation node gives several edges (a merger's change event:
    an edge per predecessor), each adds its ends: `<event IRI>#<predecessor>-<successor>`.
    """
    rows = sorted(view.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    shared = Counter(key for _, _, key, _ in rows)
    taken = set(node_ids)
    edges = []
    for u, v, key, data in rows:
        if key in (u, v):
            wanted = f"{data['relation']}:{u}:{v}"
        elif shared[key] > 1 or key in taken:
            wanted = f"{key}#{_tail(u)}-{_tail(v)}"
        else:
            wanted = key
        unique, n = wanted, 1
        while unique in taken:
            n += 1
            unique = f"{wanted}-{n}"
        taken.add(unique)
        attrs = dict(sorted((k, _value(val, k)) for k, val in data.items() if val is not None))
        edges.append(PropertyEdge(unique, u, v, attrs, key))
    edges.sort(key=lambda e: (e.source, e.target, e.id))
    return edges


def _tail(iri: str) -> str:
    """The last segment of an IRI: an organisation's code, a system's slug."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


_TUPLES = {"provisions": ("provision", "status", "as_of", "source"), "closures": ("event", "date", "source")}


def _value(value: Any, name: str) -> Value:
    """Projection values as export values: tuples of `provisions`/`closures` become records."""
    if isinstance(value, list):
        fields = _TUPLES.get(name)
        items = [dict(zip(fields, item, strict=True)) if fields and isinstance(item, tuple) else item for item in value]
        return sorted(items, key=str)
    if isinstance(value, str | int | float | bool | dict):
        return value
    return str(value)


def _sources(store: GraphStore, keys: set[str], timeout: float | None) -> dict[str, dict[str, str]]:
    """Title, publisher, date and address of the cited sources, by key."""
    query = (
        f"PREFIX ndk: <{mint.DEF}>\n"
        + """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/>
SELECT ?key ?title ?publisher ?date ?url WHERE { ?s a ndk:Source ; dcterms:identifier ?key .
  OPTIONAL { ?s dcterms:title ?title } OPTIONAL { ?s dcterms:publisher ?publisher }
  OPTIONAL { ?s dcterms:date ?date } OPTIONAL { ?s schema:url ?url } }"""
    )
    found: dict[str, dict[str, str]] = {}
    answer = store.select(query, timeout=timeout)
    for row in answer.rows:
        cells = {name: term_text(cell) for name, cell in zip(answer.variables, row, strict=True) if cell is not None}
        key = cells.pop("key", "")
        if key in keys and key not in found:
            found[key] = cells
    return dict(sorted(found.items()))
