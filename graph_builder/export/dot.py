"""Graphviz DOT: a `digraph` with every attribute of the property graph on its node or edge.

Node ids are the IRIs (quoted). Each node has `label` set to its caption (so Graphviz
draws short labels), `tooltip` its display name, `style=filled` and `fillcolor` by kind;
each edge its colour and `style` (solid, dashed, dotted) by status. Every other
attribute keeps its name, except those Graphviz or pydot use themselves: the preferred
label is `pref_label` and the display name `display_name` (all DOT attribute values are
text; lists are joined with " | "). Render with e.g. `sfdp -Tsvg -Goverlap=prism view.dot > view.svg`.
Edges are drawn straight: `splines="true"` (routing every edge round the nodes) takes Graphviz
minutes on the all view; add `-Gsplines=true` to the command for a small view if wanted.
"""

from __future__ import annotations

from graph_builder import __version__
from graph_builder.export.graph import PropertyGraph, Value, flat
from graph_builder.export.style import caption, colour, edge_style

_RESERVED = {"label": "pref_label", "name": "display_name", "style": "style_", "color": "color_", "id": "id_"}


def _quote(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{text}"'


def _lexical(value: Value) -> str:
    plain = flat(value)
    if isinstance(plain, bool):
        return "true" if plain else "false"
    return str(plain)


def _attrs(pairs: list[tuple[str, object]]) -> str:
    return ", ".join(f"{name}={_quote(value)}" for name, value in pairs)


def dot(graph: PropertyGraph) -> bytes:
    out = [
        f"// {graph.title}; nhskg {__version__}",
        f"digraph {_quote('nhs-dkg ' + graph.view)} {{",
        '  graph [overlap="prism", fontname="Helvetica"];',
        '  node [shape="ellipse", style="filled", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="8"];',
    ]
    for node in graph.nodes:
        pairs: list[tuple[str, object]] = [
            ("label", caption(node.attrs)),
            ("fillcolor", colour(str(node.attrs.get("kind", "")))),
            ("tooltip", node.attrs.get("name", node.id)),
        ]
        pairs += [(_RESERVED.get(name, name), _lexical(value)) for name, value in node.attrs.items()]
        out.append(f"  {_quote(node.id)} [{_attrs(pairs)}];")
    for edge in graph.edges:
        line_colour, line = edge_style(edge.attrs)
        pairs = [("id", edge.id), ("color", line_colour), ("style", line)]
        pairs += [(_RESERVED.get(name, name), _lexical(value)) for name, value in edge.attrs.items()]
        out.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [{_attrs(pairs)}];")
    out += ["}", ""]
    return "\n".join(out).encode("utf-8")
