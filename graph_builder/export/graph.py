"""The property graph: one view of the graph as nodes and edges with attributes, which every format writes.

- a node per organisation, programme, blueprint, system and supplier: its IRI is its id;
  `kind` (an organisation type such as `acute-trust`, or `system`, `supplier`,
  `programme`, `blueprint`), `label` (its preferred label), `name` (the label for
  display, in mixed case where a source gives it), `caption` (the code of a trust or
  CCG, else the short name), `code`, and every literal the graph states about it as a
  typed attribute (numbers as numbers, dates as ISO text at the precision the source
  gives), plus `types` and `source`;
- an edge per n-ary relation (partnership, deployment, membership, succession,
  participation, adoption, authorship) and per structural link (blueprint → system,
  system → supplier): its id is the relation node's IRI, `relation` says which, and it
  carries the relation's status, dates and `source`, and `valid_from`/`valid_until`;
- multi-valued attributes are lists; formats without lists (GraphML, GEXF, DOT) join
  them with `LIST_SEPARATOR` (" | "). `source` is always the `;`-joined source keys, as
  in the registers. In-house and no-EPR deployments name no system and stay on the
  organisation as `provisions`; closures without successor as `closures`.

view_graph.py reads one from a build; the formats import this module, never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from graph_builder.export.layout import layout

if TYPE_CHECKING:
    from graph_builder.store.embedded import GraphStore

LIST_SEPARATOR = " | "
"""Joins the items of a multi-valued attribute in formats that have no lists."""

Value = str | int | float | bool | list[Any] | dict[str, Any]


@dataclass(frozen=True)
class PropertyNode:
    id: str
    attrs: dict[str, Value]


@dataclass(frozen=True)
class PropertyEdge:
    id: str
    source: str
    target: str
    attrs: dict[str, Value]
    node: str = ""
    """The relation node behind the edge (its key in the projection); `id` is unique in the view."""


@dataclass
class PropertyGraph:
    """One view of the graph as nodes and edges with attributes, sorted, ready to render."""

    view: str
    as_of: date | None
    nodes: list[PropertyNode]
    edges: list[PropertyEdge]
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    store: GraphStore | None = None
    periods: list[tuple[date | None, date | None]] = field(default_factory=list)
    """When the view's defining relation holds (`views.periods`), whatever `as_of`."""
    _positions: dict[str, tuple[float, float]] | None = None

    @property
    def title(self) -> str:
        when = f" as of {self.as_of.isoformat()}" if self.as_of else ""
        return f"NHS digital knowledge graph: {self.view} view{when}"

    def positions(self) -> dict[str, tuple[float, float]]:
        """The deterministic layout (computed once)."""
        if self._positions is None:
            self._positions = layout([n.id for n in self.nodes], [(e.source, e.target) for e in self.edges])
        return self._positions


def flat(value: Value) -> str | int | float | bool:
    """A value for a format without lists: lists joined by LIST_SEPARATOR, records as k=v."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(flat(item)) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
    return value
