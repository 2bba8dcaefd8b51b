"""Who is an exemplar of which programme, and from when: the one definition, in Python.

An exemplar is an organisation whose participation in the Global Digital Exemplar
programme has the role exemplar or joint exemplar and the status announced or confirmed;
it counts from the participation's announcement (the `temporal` rule for participations).
A joint exemplar shares its exemplar's place (and funding): counts of the exemplars a
source states are of the role exemplar alone (`counted`).

The network analyses, the followers export view and the funding check read exemplars
here. Saved SPARQL questions that write the same pattern in their text (until the build
states it): exemplars.rq, exemplars-by-area.rq, areas-without-exemplar.rq,
exemplars-stage-7.rq, maturity.rq, suppliers-shut-out.rq, systems-landscape.rq.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from graph_builder.core import iri as mint
from graph_builder.questions.projection import edges_of
from graph_builder.questions.temporal import in_effect, validity

if TYPE_CHECKING:
    import networkx as nx

GDE = mint.thing("programme", "global-digital-exemplar")
"""The Global Digital Exemplar programme's IRI."""

EXEMPLAR_ROLES = ("exemplar", "joint-exemplar")
COUNTED_ROLES = ("exemplar", "fast-follower")
"""The roles whose participants the funding check counts against the figures sources state
(a joint exemplar shares its exemplar's place)."""
COUNTED_STATUSES = ("announced", "confirmed")
"""The statuses of a participation that make its participant count (proposed or dropped do not)."""


def counted(data: dict[str, Any], programme: str, roles: tuple[str, ...], v: str) -> bool:
    """Whether a participation edge (to `v`) puts its participant in `programme` with one of `roles`."""
    return v == programme and data["role"] in roles and data["status"] in COUNTED_STATUSES


def exemplar_participations(graph: nx.MultiDiGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    """(exemplar IRI, participation edge data) for every participation that makes an exemplar."""
    for u, v, data in edges_of(graph, "participation"):
        if counted(data, GDE, EXEMPLAR_ROLES, v):
            yield u, data


def exemplars(graph: nx.MultiDiGraph, as_of: date | None) -> dict[str, str]:
    """Exemplar IRI → cohort, as of a date (every one, without a date)."""
    return {u: data.get("cohort") or "" for u, data in exemplar_participations(graph) if in_effect(data, as_of)}


def exemplars_since(graph: nx.MultiDiGraph) -> dict[str, date | None]:
    """Exemplar IRI → the first day it is one (None: undated, so always)."""
    found: dict[str, date | None] = {}
    for u, data in exemplar_participations(graph):
        since = validity(data)[0]
        earlier = found.get(u, date.max)
        found[u] = None if since is None or earlier is None else min(since, earlier)
    return found
