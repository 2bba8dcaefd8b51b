"""Pictures of a view (PNG, SVG) drawn with matplotlib at the export's layout.

Nodes are coloured by kind (the palette of style.py) and sized by degree;
exemplars (followers view) have a thick black ring; edges are coloured and dashed by
status (confirmed solid, proposed dashed, dropped dotted red; live deployments solid,
chosen or planned dashed, withdrawn dotted) with an arrow from follower to exemplar,
organisation to system or supplier. Labels: in a small view (up to 80 nodes) every node,
as code and short name; in a larger one the systems, suppliers, areas and programmes by
name and the best connected trusts by code. A legend lists the kinds with their counts
and the edge styles. The SVG is byte-identical for the same build (fixed ids, no
date); the PNG is too on one machine, but its pixels depend on the FreeType and
matplotlib versions, so the README pictures are regenerated, not compared.

A view of more than `layout.LARGE` nodes is drawn in bulk (one line collection per
edge style, no arrow heads, one scatter of the nodes), which takes seconds rather than
minutes; one of more than `LIMIT` nodes is refused (a UsageError: exit 2 with one line
suggesting a narrower view or a format for viewers), since no picture of it could be read.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from typing import Any

from graph_builder import __version__
from graph_builder.core.errors import UsageError
from graph_builder.export.graph import PropertyGraph, PropertyNode
from graph_builder.export.layout import LARGE
from graph_builder.export.style import caption, colour, edge_style, legend, short_name

SMALL = 80
"""Views with at most this many nodes label every node with its code and short name."""
LIMIT = 25_000
"""Views with more nodes than this are not drawn (png, svg): a UsageError says what to do instead."""

_TRUSTISH = ("trust", "ccg")
_DASHES: dict[str, Any] = {"solid": "-", "dashed": (0, (5, 3)), "dotted": (0, (1, 2.5))}


def _label(attrs: dict[str, Any], small: bool) -> str:
    first = caption(attrs)
    name = short_name(attrs)
    if small and name and name != first:
        return f"{first}\n{_wrap(name, 26)}"
    return _wrap(first, 18)


def _wrap(text: str, width: int) -> str:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines[:3])


def _figure(graph: PropertyGraph) -> Any:
    positions = graph.positions()
    degree: Counter[str] = Counter()
    for edge in graph.edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    figure, axes = _canvas(positions)
    small = len(graph.nodes) <= SMALL
    size = {n.id: (9.0 if small else 4.5) + (3.2 if small else 2.2) * math.sqrt(degree[n.id]) for n in graph.nodes}
    if len(graph.nodes) > LARGE:
        size = {n.id: min(2.5 + 1.2 * math.sqrt(degree[n.id]), 18.0) for n in graph.nodes}  # hubs stay in bounds
        _bulk(axes, graph, positions, size)
    else:
        _one_by_one(axes, graph, positions, size, small)
    _labels(axes, graph, positions, size, degree)
    _legend(figure, graph)
    figure.suptitle(graph.title, x=0.01, y=0.985, ha="left", fontsize=14, fontweight="bold")
    figure.text(
        0.01,
        0.935,
        f"{len(graph.nodes)} nodes, {len(graph.edges)} edges · drawn by nhskg {__version__} "
        "from the registers in data/ (every fact cites its source)",
        fontsize=9,
        color="#555555",
    )
    return figure


def _canvas(positions: dict[str, tuple[float, float]]) -> tuple[Any, Any]:
    """The figure, sized to the drawing's aspect, and its axes (y grows downwards, no frame)."""
    from matplotlib.figure import Figure

    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    span_x, span_y = max(xs) - min(xs) + 160, max(ys) - min(ys) + 120
    width = 15.0
    height = max(6.0, min(20.0, (width - 4.2) * span_y / span_x + 1.2))
    figure = Figure(figsize=(width, height), dpi=110)
    axes = figure.add_axes((0.01, 0.02, 0.70, 0.90))
    axes.set_xlim(min(xs) - 40, max(xs) + 120)
    axes.set_ylim(max(ys) + 60, min(ys) - 60)
    axes.set_aspect("equal", adjustable="box")
    axes.axis("off")
    return figure, axes


def _labels(
    axes: Any,
    graph: PropertyGraph,
    positions: dict[str, tuple[float, float]],
    size: dict[str, float],
    degree: Counter[str],
) -> None:
    """Labels for every node of a small graph, else for the hubs and the best-connected trusts."""
    small = len(graph.nodes) <= SMALL

    def trustish(node: PropertyNode) -> bool:
        return any(t in str(node.attrs.get("kind", "")) for t in _TRUSTISH)

    ranked = sorted(graph.nodes, key=lambda n: (trustish(n), -degree[n.id], n.id))
    chosen = ranked if small else [n for n in ranked if degree[n.id] >= 2 or not trustish(n)][:70]
    if len(graph.nodes) > LARGE:
        chosen = chosen[:40]
    for node in chosen:
        hub = not trustish(node)
        axes.annotate(
            _label(node.attrs, small),
            positions[node.id],
            xytext=(size[node.id] / 2 + 2, 0),
            textcoords="offset points",
            fontsize=7.5 if small else (7 if hub else 6),
            fontweight="bold" if hub and not small else "normal",
            va="center",
            ha="left",
            zorder=4,
            linespacing=1.0,
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.7},
        )


def _legend(figure: Any, graph: PropertyGraph) -> None:
    """The kinds of node (with counts), the exemplar ring and each edge style (with counts)."""
    from matplotlib.lines import Line2D

    kinds = Counter(str(n.attrs.get("kind", "")) for n in graph.nodes)
    dot: dict[str, Any] = {"marker": "o", "linestyle": "none", "markersize": 9}
    handles = [
        Line2D([], [], color=c, markeredgecolor="#333333", label=f"{name} ({kinds[k]})", **dot)
        for k, name, c in legend(kinds)
    ]
    if any("exemplar" in str(n.attrs.get("role", "")) for n in graph.nodes):
        ring: dict[str, Any] = {"color": "#ffffff", "markeredgecolor": "#000000", "markeredgewidth": 2.6}
        handles.append(Line2D([], [], label="exemplar (black ring)", **dot, **ring))
    styles = Counter((str(e.attrs["relation"]), str(e.attrs.get("status") or "")) for e in graph.edges)
    for (relation, status), count in sorted(styles.items()):
        line_colour, dash = edge_style({"status": status})
        label = f"{relation} ({status}): {count}" if status else f"{relation}: {count}"
        handles.append(Line2D([], [], color=line_colour, linestyle=_DASHES[dash], linewidth=1.6, label=label))
    figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.72, 0.92),
        frameon=False,
        fontsize=9,
        title="kinds and edges",
        title_fontsize=10,
        alignment="left",
    )


def _one_by_one(
    axes: Any, graph: PropertyGraph, positions: dict[str, tuple[float, float]], size: dict[str, float], small: bool
) -> None:
    """Each edge an arrow, each node a marker (a view of up to LARGE nodes)."""
    from matplotlib.patches import FancyArrowPatch

    for edge in graph.edges:
        line_colour, dash = edge_style(edge.attrs)
        arrow = FancyArrowPatch(
            positions[edge.source],
            positions[edge.target],
            arrowstyle="-|>",
            mutation_scale=9 if small else 6,
            color=line_colour,
            linewidth=1.3 if small else 0.7,
            linestyle=_DASHES[dash],
            shrinkA=size[edge.source] / 2,
            shrinkB=size[edge.target] / 2 + 1,
            alpha=0.9 if small else 0.6,
            zorder=1,
        )
        axes.add_patch(arrow)
    for node in graph.nodes:
        x, y = positions[node.id]
        exemplar = "exemplar" in str(node.attrs.get("role", ""))
        axes.plot(
            [x],
            [y],
            marker="o",
            markersize=size[node.id],
            color=colour(str(node.attrs.get("kind", ""))),
            markeredgecolor="#000000" if exemplar else "#333333",
            markeredgewidth=2.6 if exemplar else 0.6,
            linestyle="none",
            zorder=5,
        )


def _bulk(axes: Any, graph: PropertyGraph, positions: dict[str, tuple[float, float]], size: dict[str, float]) -> None:
    """The edges as one line collection per style and the nodes as one scatter (a large view)."""
    from matplotlib.collections import LineCollection

    by_style: dict[tuple[str, str], list[tuple[tuple[float, float], tuple[float, float]]]] = {}
    for edge in graph.edges:
        by_style.setdefault(edge_style(edge.attrs), []).append((positions[edge.source], positions[edge.target]))
    for (line_colour, dash), segments in sorted(by_style.items()):
        axes.add_collection(
            LineCollection(segments, colors=line_colour, linewidths=0.4, linestyles=_DASHES[dash], alpha=0.45, zorder=1)
        )
    exemplar = ["exemplar" in str(n.attrs.get("role", "")) for n in graph.nodes]
    axes.scatter(
        [positions[n.id][0] for n in graph.nodes],
        [positions[n.id][1] for n in graph.nodes],
        s=[size[n.id] ** 2 for n in graph.nodes],
        c=[colour(str(n.attrs.get("kind", ""))) for n in graph.nodes],
        edgecolors=["#000000" if e else "#333333" for e in exemplar],
        linewidths=[2.6 if e else 0.3 for e in exemplar],
        zorder=5,
    )


def refuse_large(view: str, nodes: int, fmt: str, at_least: bool = False) -> None:
    """A UsageError if a view of this many nodes (or at least this many) is too large to draw."""
    if nodes > LIMIT:
        many = f"at least {nodes:,}" if at_least else f"{nodes:,}"
        raise UsageError(
            f"the {view} view has {many} nodes, too many for a readable {fmt} "
            f"(at most {LIMIT:,}); draw a narrower view (--view followers, systems or areas, --as-of) "
            "or export html, gexf or graphml for a viewer"
        )


def _check_size(graph: PropertyGraph, fmt: str) -> None:
    refuse_large(graph.view, len(graph.nodes), fmt)


def png(graph: PropertyGraph) -> bytes:
    _check_size(graph, "png")
    out = io.BytesIO()
    _figure(graph).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def svg(graph: PropertyGraph) -> bytes:
    import matplotlib

    _check_size(graph, "svg")
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "nhskg", "svg.fonttype": "none"}):
        _figure(graph).savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()
