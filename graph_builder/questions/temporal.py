"""The one rule for when a dated fact of the projection holds: `validity`, an interval of days.

`validity(data)` gives the days an edge (or a fact kept on a node, given as the edge it
would be) holds as a half-open interval [from, until), None where open; `in_effect(data,
day)` and `at(graph, day)` apply that interval to a date, and the export views write it on
their edges (`valid_from`, `valid_until`) so that a viewer can filter by date by itself.

Partnerships hold from their `known` date until (not on) their end; memberships from start
to end inclusive; successions, participations, deployments, adoptions and authorships from
their date on; structural edges (for-system, supplied-by) always. Dates at month or year
precision count from their first day; an undated fact is not excluded by a date (nothing
says it came later).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

Period = tuple[date | None, date | None]
"""Days from the first (None: always before) until, not including, the second (None: still)."""

DATED_BY: dict[str, str] = {
    "succession": "date",
    "participation": "announced",
    "deployment": "as_of",
    "adoption": "date",
    "authorship": "published",
}
"""The relations that hold from one date on, and the attribute that gives it."""


def first_day_of(value: str) -> date:
    """The first day of a date at the precision given: 2017 → 2017-01-01, 2017-09 → 2017-09-01."""
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _first(value: str | None) -> date | None:
    return first_day_of(value) if value else None


def validity(data: dict[str, Any]) -> Period:
    """The days an edge holds, as a half-open interval [from, until); None where open."""
    relation = data["relation"]
    if relation == "partnership":
        end = data.get("end")
        return (_first(data.get("known")), first_day_of(end) if end else None)
    if relation == "membership":
        return first_day_of(data["start"]), first_day_of(data["end"]) + timedelta(days=1)
    if relation in DATED_BY:
        return _first(data.get(DATED_BY[relation])), None
    return None, None


def within(period: Period, day: date | None) -> bool:
    """Whether a day lies in a period (always, without a day)."""
    start, until = period
    return day is None or ((start is None or start <= day) and (until is None or day < until))


def in_effect(data: dict[str, Any], as_of: date | None) -> bool:
    """Whether an edge held on `as_of` (always, without a date): `as_of` within its `validity`."""
    return as_of is None or within(validity(data), as_of)


def dated_in_effect(relation: str, when: str, as_of: date | None) -> bool:
    """Whether a fact of a relation dated `when` (a closure, an in-house deployment) held on `as_of`."""
    return in_effect({"relation": relation, DATED_BY[relation]: when}, as_of)


def at(graph: nx.MultiDiGraph, as_of: date | None, relations: tuple[str, ...]) -> nx.MultiDiGraph:
    """A read-only view of the edges of the given relations that held on `as_of`."""
    import networkx as nx

    wanted = set(relations)

    def keep(u: str, v: str, key: str) -> bool:
        data = graph.edges[u, v, key]
        return bool(data["relation"] in wanted and in_effect(data, as_of))

    return nx.subgraph_view(graph, filter_edge=keep)
