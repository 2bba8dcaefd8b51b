"""GraphML (with yEd graphics) and GEXF 1.3 (with colours, sizes and positions).

Both declare every attribute once with its type, inferred from the values of the view:
all whole numbers → `int` (GraphML) / `integer` (GEXF), all numbers → `double`, all
booleans → `boolean`, anything else (text, dates at their precision, lists joined with
" | ") → `string`. An element without a value for an attribute simply has none.

GraphML key ids are `n_<name>` for nodes and `e_<name>` for edges. For yEd, each node
also carries a yFiles `ShapeNode` (position, size, fill colour of its kind, and its
caption as the label) and each edge a `PolyLineEdge` (colour and line style by status),
so the file opens in yEd already drawn; yEd's Properties Mapper can map any other key.
GEXF nodes carry `viz:color` (the kind's colour), `viz:size` (by degree) and
`viz:position`; their `label` is the display name, and the preferred label, which the
other formats call `label`, is the attribute `pref_label` (a GEXF reader takes `label` for
its own).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from graph_builder import __version__
from graph_builder.export.graph import PropertyEdge, PropertyGraph, PropertyNode, Value, flat
from graph_builder.export.style import caption, colour, edge_style, rgb

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_YED_LINES = {"solid": "line", "dashed": "dashed", "dotted": "dotted"}


def _text(value: object) -> str:
    return _CONTROL.sub(" ", str(value))


def _lexical(value: Value) -> str:
    plain = flat(value)
    if isinstance(plain, bool):
        return "true" if plain else "false"
    if isinstance(plain, float):
        return repr(plain)
    return _text(plain)


def key_types(items: list[PropertyNode] | list[PropertyEdge]) -> dict[str, str]:
    """Attribute name → GraphML type, over every element that has it."""
    seen: dict[str, set[str]] = {}
    for item in items:
        for name, value in item.attrs.items():
            plain = flat(value)
            kind = (
                "boolean"
                if isinstance(plain, bool)
                else "int"
                if isinstance(plain, int)
                else "double"
                if isinstance(plain, float)
                else "string"
            )
            seen.setdefault(name, set()).add(kind)
    types = {}
    for name, kinds in sorted(seen.items()):
        if len(kinds) == 1:
            types[name] = kinds.pop()
        else:
            types[name] = "double" if kinds <= {"int", "double"} else "string"
    return types


def _size(degree: int) -> float:
    return round(14.0 + 6.0 * math.sqrt(degree), 1)


def _degrees(graph: PropertyGraph) -> Counter[str]:
    degree: Counter[str] = Counter()
    for edge in graph.edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    return degree


def graphml(graph: PropertyGraph) -> bytes:
    return b"".join(stream_graphml(graph))


def stream_graphml(graph: PropertyGraph) -> Iterator[bytes]:
    """GraphML in pieces of about a megabyte (the export writes them as they come)."""
    return _chunks(_graphml_lines(graph))


def _graphml_lines(graph: PropertyGraph) -> Iterator[list[str]]:
    node_types, edge_types = key_types(graph.nodes), key_types(graph.edges)
    positions, degree = graph.positions(), _degrees(graph)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:y="http://www.yworks.com/xml/graphml" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd">',
        f"  <!-- {escape(graph.title)}; nhskg {__version__} -->",
    ]
    for prefix, scope, types in (("n", "node", node_types), ("e", "edge", edge_types)):
        for name, kind in types.items():
            out.append(f'  <key id="{prefix}_{name}" for="{scope}" attr.name={quoteattr(name)} attr.type="{kind}"/>')
    out += [
        '  <key id="yed_node" for="node" yfiles.type="nodegraphics"/>',
        '  <key id="yed_edge" for="edge" yfiles.type="edgegraphics"/>',
        f'  <graph id="{graph.view}" edgedefault="directed">',
    ]
    yield out
    for node in graph.nodes:
        x, y = positions[node.id]
        size = _size(degree[node.id])
        out = [f"    <node id={quoteattr(node.id)}>"]
        out.append(
            '      <data key="yed_node"><y:ShapeNode>'
            f'<y:Geometry x="{x - size / 2:.1f}" y="{y - size / 2:.1f}" width="{size}" height="{size}"/>'
            f'<y:Fill color="{colour(str(node.attrs.get("kind", "")))}" transparent="false"/>'
            '<y:BorderStyle color="#333333" type="line" width="1.0"/>'
            f'<y:NodeLabel modelName="sides" modelPosition="s">{escape(_text(caption(node.attrs)))}</y:NodeLabel>'
            '<y:Shape type="ellipse"/></y:ShapeNode></data>'
        )
        out += [f'      <data key="n_{name}">{escape(_lexical(value))}</data>' for name, value in node.attrs.items()]
        out.append("    </node>")
        yield out
    for edge in graph.edges:
        line_colour, line = edge_style(edge.attrs)
        ends = f"source={quoteattr(edge.source)} target={quoteattr(edge.target)}"
        out = [f"    <edge id={quoteattr(edge.id)} {ends}>"]
        out.append(
            f'      <data key="yed_edge"><y:PolyLineEdge><y:LineStyle color="{line_colour}" '
            f'type="{_YED_LINES[line]}" width="1.5"/><y:Arrows source="none" target="standard"/>'
            "</y:PolyLineEdge></data>"
        )
        out += [f'      <data key="e_{name}">{escape(_lexical(value))}</data>' for name, value in edge.attrs.items()]
        out.append("    </edge>")
        yield out
    yield ["  </graph>", "</graphml>"]


_GEXF_NODE = {"label": "pref_label"}
"""Node attributes renamed in GEXF: its readers (networkx, Gephi) take `label` for the element's own."""

_GEXF_TYPES = {"int": "integer", "double": "double", "boolean": "boolean", "string": "string"}


def gexf(graph: PropertyGraph) -> bytes:
    return b"".join(stream_gexf(graph))


def stream_gexf(graph: PropertyGraph) -> Iterator[bytes]:
    """GEXF in pieces of about a megabyte (the export writes them as they come)."""
    return _chunks(_gexf_lines(graph))


def _gexf_lines(graph: PropertyGraph) -> Iterator[list[str]]:
    node_types, edge_types = key_types(graph.nodes), key_types(graph.edges)
    positions, degree = graph.positions(), _degrees(graph)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">',
        f"  <meta><creator>nhskg {__version__}</creator><description>{escape(graph.title)}</description></meta>",
        '  <graph defaultedgetype="directed" mode="static">',
    ]
    node_types = {_GEXF_NODE.get(name, name): kind for name, kind in node_types.items()}
    for scope, types in (("node", node_types), ("edge", edge_types)):
        out.append(f'    <attributes class="{scope}">')
        out += [
            f'      <attribute id={quoteattr(name)} title={quoteattr(name)} type="{_GEXF_TYPES[kind]}"/>'
            for name, kind in types.items()
        ]
        out.append("    </attributes>")
    out.append("    <nodes>")
    yield out
    for node in graph.nodes:
        x, y = positions[node.id]
        r, g, b = rgb(colour(str(node.attrs.get("kind", ""))))
        out = [f"      <node id={quoteattr(node.id)} label={quoteattr(_text(node.attrs.get('name', node.id)))}>"]
        out.append("        <attvalues>")
        out += [
            f"          <attvalue for={quoteattr(_GEXF_NODE.get(name, name))} value={quoteattr(_lexical(value))}/>"
            for name, value in node.attrs.items()
        ]
        out.append("        </attvalues>")
        out.append(f'        <viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>')
        out.append(f'        <viz:position x="{x:.1f}" y="{-y:.1f}" z="0.0"/>')
        out.append(f'        <viz:size value="{_size(degree[node.id]) / 2}"/>')
        out.append("      </node>")
        yield out
    yield ["    </nodes>", "    <edges>"]
    for edge in graph.edges:
        r, g, b = rgb(edge_style(edge.attrs)[0])
        out = [
            f"      <edge id={quoteattr(edge.id)} source={quoteattr(edge.source)} "
            f"target={quoteattr(edge.target)} label={quoteattr(str(edge.attrs.get('relation', '')))}>"
        ]
        out.append("        <attvalues>")
        out += [
            f"          <attvalue for={quoteattr(name)} value={quoteattr(_lexical(value))}/>"
            for name, value in edge.attrs.items()
        ]
        out.append("        </attvalues>")
        out.append(f'        <viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>')
        out.append("      </edge>")
        yield out
    yield ["    </edges>", "  </graph>", "</gexf>"]


def _chunks(groups: Iterator[list[str]], size: int = 1 << 20) -> Iterator[bytes]:
    """Lines (in groups) as UTF-8 pieces of about `size` characters, each line ended by a newline."""
    pending: list[str] = []
    length = 0
    for lines in groups:
        for line in lines:
            pending.append(line)
            length += len(line) + 1
        if length >= size:
            yield ("\n".join(pending) + "\n").encode("utf-8")
            pending, length = [], 0
    if pending:
        yield ("\n".join(pending) + "\n").encode("utf-8")
