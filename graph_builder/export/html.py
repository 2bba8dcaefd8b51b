"""The HTML viewer: one self-contained file that draws a view offline, in any modern browser.

The page is `viewer/viewer.html` with `viewer.css`, `viewer.js` (written for this
project, no library, nothing fetched: a Content-Security-Policy forbids any connection)
and the view as JSON filled in. It draws the nodes at the export's layout, coloured by
kind, with a legend (click a kind to hide it), search by name or code, a panel with a
clicked node's facts, relations and sources (title, publisher, date, address), and a
date field with a slider: with a date set, only the edges that held on that day and the
nodes they join (and the view's anchors) are shown, by the same rule as `--as-of`; the
periods in which the view's relation holds are listed (memberships are snapshots: the areas
view is empty between them), and a date outside them says so. The
file always holds the whole view; `--as-of` sets the date it opens at. The address may
carry `#select=RAL&date=2018-01-31&q=text` to open in that state.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from html import escape
from importlib.resources import files
from typing import Any

from graph_builder import __version__
from graph_builder.export.graph import PropertyEdge, PropertyGraph, PropertyNode
from graph_builder.export.style import KIND_NAMES, colour, edge_style, legend, short_name
from graph_builder.export.views import VIEW_RELATIONS, describe_period

_NODE_FIELDS = ("kind", "name", "caption", "code", "anchor", "anchor_from")


def viewer_data(graph: PropertyGraph) -> dict[str, Any]:
    """What the page draws: nodes with positions, edges by node index, legend, sources, dates."""
    data = _summary(graph)
    positions = graph.positions()
    data["nodes"] = [_node_item(node, positions) for node in graph.nodes]
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    data["edges"] = [_edge_item(edge, index) for edge in graph.edges]
    return data


def _node_item(node: PropertyNode, positions: dict[str, tuple[float, float]]) -> dict[str, Any]:
    x, y = positions[node.id]
    item: dict[str, Any] = {"id": node.id, "x": x, "y": y, "colour": colour(str(node.attrs.get("kind", "")))}
    item.update({k: node.attrs[k] for k in _NODE_FIELDS if k in node.attrs})
    item.setdefault("code", "")
    item["short"] = short_name(node.attrs)
    item["exemplar"] = "exemplar" in str(node.attrs.get("role", ""))
    item["attrs"] = {k: v for k, v in node.attrs.items() if k not in ("caption", "anchor", "anchor_from")}
    return item


def _edge_item(edge: PropertyEdge, index: dict[str, int]) -> dict[str, Any]:
    line_colour, dash = edge_style(edge.attrs)
    item = {
        "id": edge.id,
        "s": index[edge.source],
        "t": index[edge.target],
        "relation": edge.attrs["relation"],
        "colour": line_colour,
        "dash": dash,
        "attrs": {k: v for k, v in edge.attrs.items() if k not in ("valid_from", "valid_until")},
    }
    for bound in ("valid_from", "valid_until"):
        if bound in edge.attrs:
            item[bound] = edge.attrs[bound]
    if "status" in edge.attrs:
        item["status"] = edge.attrs["status"]
    return item


def _summary(graph: PropertyGraph) -> dict[str, Any]:
    """The page's data but the nodes and edges."""
    dates = [str(e.attrs[bound]) for e in graph.edges for bound in ("valid_from", "valid_until") if bound in e.attrs]
    dates += [str(n.attrs["anchor_from"]) for n in graph.nodes if "anchor_from" in n.attrs]
    kinds = Counter(str(n.attrs.get("kind", "")) for n in graph.nodes)
    styles = Counter((str(e.attrs["relation"]), str(e.attrs.get("status") or "")) for e in graph.edges)
    return {
        "title": graph.title,
        "view": graph.view,
        "as_of": graph.as_of.isoformat() if graph.as_of else None,
        "generated_by": f"nhskg {__version__}",
        "sources": graph.sources,
        "dates": {"min": min(dates) if dates else None, "max": max(dates) if dates else None},
        "periods": [
            {
                "from": start.isoformat() if start else None,
                "until": until.isoformat() if until else None,
                "text": describe_period((start, until)),
            }
            for start, until in graph.periods
            if start or until
        ],
        "relation": VIEW_RELATIONS[graph.view][0] if graph.view != "all" else "relation",
        "legend": [{"kind": k, "name": name, "colour": c, "count": kinds[k]} for k, name, c in legend(kinds)],
        "kind_names": KIND_NAMES,
        "edge_legend": [
            {
                "name": f"{relation} ({status})" if status else relation,
                "colour": edge_style({"status": status})[0],
                "dash": edge_style({"status": status})[1],
                "count": count,
            }
            for (relation, status), count in sorted(styles.items())
        ],
    }


_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no `</script>`, no line separators)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, safe in _UNSAFE:
        text = text.replace(raw, safe)
    return text


def _script_json_pieces(graph: PropertyGraph) -> Iterator[str]:
    """`_script_json(viewer_data(graph))` in pieces, a node or an edge at a time: the same text
    (the keys in sorted order, the compact separators), without the whole document in memory."""
    data: dict[str, Any] = _summary(graph)
    data["nodes"] = data["edges"] = None
    positions = graph.positions()
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    items: dict[str, Iterator[dict[str, Any]]] = {
        "nodes": (_node_item(node, positions) for node in graph.nodes),
        "edges": (_edge_item(edge, index) for edge in graph.edges),
    }
    for i, key in enumerate(sorted(data)):
        yield ("{" if i == 0 else ",") + _script_json(key) + ":"
        if key not in items:
            yield _script_json(data[key])
            continue
        yield "["
        for j, item in enumerate(items[key]):
            yield ("," if j else "") + _script_json(item)
        yield "]"
    yield "}"


def html(graph: PropertyGraph) -> bytes:
    return b"".join(stream_html(graph))


def stream_html(graph: PropertyGraph) -> Iterator[bytes]:
    """The page in pieces of about a megabyte (the export writes them as they come)."""
    viewer = files("graph_builder.export") / "viewer"
    template = (viewer / "viewer.html").read_text(encoding="utf-8")
    parts = {
        "generator": escape(f"nhskg {__version__}"),
        "title": escape(graph.title),
        "css": (viewer / "viewer.css").read_text(encoding="utf-8"),
        "js": (viewer / "viewer.js").read_text(encoding="utf-8"),
    }
    pieces = template.split("{{")
    pending = [pieces[0]]
    length = 0
    for piece in pieces[1:]:
        name, _, rest = piece.partition("}}")
        for text in _script_json_pieces(graph) if name == "data" else (parts[name],):
            pending.append(text)
            length += len(text)
            if length >= 1 << 20:
                yield "".join(pending).encode("utf-8")
                pending, length = [], 0
        pending.append(rest)
    yield "".join(pending).encode("utf-8")
