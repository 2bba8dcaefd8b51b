"""Cytoscape.js JSON (`.cyjs`), which Cytoscape desktop imports too (File → Import → Network).

    {"format_version": "1.0", "generated_by": "nhskg …", "target_cytoscapejs_version": "~3",
     "data": {"name": …, "view": …, "as_of": …}, "directed": true, "multigraph": true,
     "elements": {"nodes": [{"data": {"id": IRI, "value": IRI, …}, "position": {"x": …, "y": …}}],
                  "edges": [{"data": {"id": …, "key": …, "source": IRI, "target": IRI, "sources": …, …}}]}}

`source` and `target` are an edge's ends, so the citation keys that the other formats call
`source` are `sources` on an edge here. Nodes also carry `value` and edges `key` (both their
id), the names networkx uses, so `networkx.cytoscape_graph` reads the file back whole,
parallel edges included. Ids are unique across nodes and edges (cytoscape.js drops an
element whose id is taken).

Attributes keep their JSON types: numbers, booleans, text, and lists (multi-valued
attributes, `provisions` as records). Nodes also carry `color` (their kind's colour), so
a Cytoscape.js style can use `data(color)` and `data(name)` directly. Keys are sorted and
the text is indented: the same build gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from graph_builder import __version__
from graph_builder.export.graph import PropertyGraph
from graph_builder.export.style import colour, edge_style


def document(graph: PropertyGraph) -> dict[str, Any]:
    positions = graph.positions()
    nodes = []
    for node in graph.nodes:
        x, y = positions[node.id]
        data = {**node.attrs, "id": node.id, "value": node.id, "color": colour(str(node.attrs.get("kind", "")))}
        nodes.append({"data": data, "position": {"x": x, "y": y}})
    edges = [
        {
            "data": {
                **_cited(edge.attrs),
                "id": edge.id,
                "key": edge.id,
                "source": edge.source,
                "target": edge.target,
                "color": line_colour,
                "line_style": line,
            }
        }
        for edge in graph.edges
        for line_colour, line in [edge_style(edge.attrs)]
    ]
    return {
        "format_version": "1.0",
        "generated_by": f"nhskg {__version__}",
        "target_cytoscapejs_version": "~3",
        "data": {"name": graph.title, "view": graph.view, "as_of": graph.as_of.isoformat() if graph.as_of else ""},
        "directed": True,
        "multigraph": True,
        "elements": {"nodes": nodes, "edges": edges},
    }


def _cited(attrs: dict[str, Any]) -> dict[str, Any]:
    """An edge's attributes with its citation keys as `sources` (`source` is its start)."""
    return {("sources" if name == "source" else name): value for name, value in attrs.items()}


def cyjs(graph: PropertyGraph) -> bytes:
    return (json.dumps(document(graph), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
