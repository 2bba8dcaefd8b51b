"""The analyses that follow chains of relations: shortest-path and successor-of."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph_builder.core import iri as mint
from graph_builder.core.errors import UsageError
from graph_builder.questions.model import AskContext, Rows
from graph_builder.questions.projection import code_of, label_of, project
from graph_builder.questions.successions import successions_from, successors
from graph_builder.questions.temporal import at, dated_in_effect, in_effect

if TYPE_CHECKING:
    pass


def shortest_path(ctx: AskContext) -> Rows:
    import networkx as nx

    via = tuple(v.strip() for v in ctx.params.get("via", ",".join(DEFAULT_VIA)).split(",") if v.strip())
    unknown = [v for v in via if v not in VIA]
    if unknown:
        raise UsageError(f"shortest-path: via {unknown[0]!r} is not one of {', '.join(VIA)}")
    relations = tuple(r for v in via for r in VIA[v])
    source, target = mint.org(ctx.params["from"]), mint.org(ctx.params["to"])
    graph = project(ctx.store, relations, ctx.timeout)
    if source == target and source not in graph:  # a path of one step: the organisation alone
        graph = project(ctx.store, (), ctx.timeout, nodes=(source,))
    view = at(graph, ctx.as_of, relations).to_undirected(as_view=True)
    try:
        path = nx.shortest_path(view, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return (_PATH_COLUMNS, [])
    rows = []
    for step, node in enumerate(path):
        how = ""
        if step:
            prev = path[step - 1]
            edges = [(d, "→") for d in graph.get_edge_data(prev, node, default={}).values()]
            edges += [(d, "←") for d in graph.get_edge_data(node, prev, default={}).values()]
            edges = [(d, arrow) for d, arrow in edges if d["relation"] in relations and in_effect(d, ctx.as_of)]
            how = "; ".join(sorted(_describe_edge(d, arrow) for d, arrow in edges))
        rows.append([step, code_of(graph, node), label_of(graph, node), graph.nodes[node]["kind"], how])
    return (_PATH_COLUMNS, rows)


_PATH_COLUMNS = ["step", "code", "name", "kind", "link"]
VIA: dict[str, tuple[str, ...]] = {
    "partnership": ("partnership",),
    "succession": ("succession",),
    "deployment": ("deployment", "supplied-by"),
    "blueprint": ("adoption", "authorship", "for-system"),
    "membership": ("membership",),
    "participation": ("participation",),
}
DEFAULT_VIA = ("partnership", "succession", "deployment", "blueprint")


def _describe_edge(data: dict[str, Any], arrow: str) -> str:
    detail = [str(data[k]) for k in ("status", "change", "role", "start", "date", "as_of", "end") if data.get(k)]
    source = f"; source {data['source']}" if data.get("source") else ""
    if detail:
        return f"{arrow} {data['relation']} ({', '.join(detail)}{source})"
    return f"{arrow} {data['relation']}{source}"


def successor_of(ctx: AskContext) -> Rows:
    start = mint.org(ctx.params["code"])
    graph = successions_from(ctx.store, start, ctx.timeout)
    rows = []
    for path in successors(graph, start, ctx.as_of):
        last = path[-1][0]
        events = "; ".join(f"{d['event']} ({d['change']}, {d['date']})" for _, d in path[1:])
        sources = ";".join(sorted({s for _, d in path[1:] for s in str(d.get("source") or "").split(";") if s}))
        closures = [c for c in graph.nodes[last].get("closures", []) if dated_in_effect("succession", c[1], ctx.as_of)]
        if closures:
            note = "; ".join(f"closed {when} ({event}); no successor stated" for event, when, _ in closures)
            sources = ";".join(sorted(set(sources.split(";") if sources else []) | {c[2] for c in closures}))
        else:
            note = "no change recorded" if len(path) == 1 else "current"
        dates = [d["date"] for _, d in path[1:]]
        rows.append(
            [
                code_of(graph, last),
                label_of(graph, last),
                " → ".join(code_of(graph, n) for n, _ in path),
                len(path) - 1,
                events,
                max(dates) if dates else "",
                note,
                sources,
            ]
        )
    rows.sort(key=lambda r: (r[0], r[2]))
    return (["successor_code", "successor", "path", "changes", "events", "last_change", "status", "source"], rows)
