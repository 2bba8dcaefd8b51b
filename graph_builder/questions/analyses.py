"""Network analyses over the networkx projection (network.py), in the same catalogue as the
saved SPARQL questions. Each takes a `Context` and returns column names and rows of
Python values; node ids are IRIs, shown by their code (ODS/ONS code or key) and label.

Conventions shared with the SPARQL questions: exemplars are the exemplars and joint
exemplars of the Global Digital Exemplar programme whose participation is announced or
confirmed; an organisation that merged is followed to its successor(s); an organisation's
systems are those of its latest live deployment records (at the as-of date, if given).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from graph_builder.core import iri as mint
from graph_builder.questions.exemplars import exemplars
from graph_builder.questions.funding import funding_check
from graph_builder.questions.model import AskContext, Param, Question, Rows
from graph_builder.questions.paths import shortest_path, successor_of
from graph_builder.questions.projection import code_of, edges_of, label_of, project
from graph_builder.questions.successions import holders
from graph_builder.questions.temporal import dated_in_effect, first_day_of, in_effect

if TYPE_CHECKING:  # imported by the analyses that need it: a SPARQL question does not pay for it
    import networkx as nx


def _deployments(graph: nx.MultiDiGraph, node: str, as_of: date | None) -> list[dict[str, Any]]:
    """The node's latest live supplier deployments (all records of the latest date)."""
    found = [
        (v, d) for _, v, d in graph.out_edges(node, data=True) if d["relation"] == "deployment" and in_effect(d, as_of)
    ]
    provisions = [p for p in graph.nodes[node].get("provisions", []) if dated_in_effect("deployment", p[2], as_of)]
    days = [first_day_of(d["as_of"]) for _, d in found] + [first_day_of(p[2]) for p in provisions]
    if not days:
        return []
    latest = max(days)
    return [dict(d, target=v) for v, d in found if first_day_of(d["as_of"]) == latest and d["status"] == "live"]


def _platforms(graph: nx.MultiDiGraph, node: str, as_of: date | None) -> set[str]:
    """The systems and suppliers (IRIs) of an organisation's latest live deployments."""
    found: set[str] = set()
    for d in _deployments(graph, node, as_of):
        found.add(d["target"])
        if d.get("supplier"):
            found.add(d["supplier"])
    return found


_Edge = tuple[str, str, dict[str, Any]]


def _pairings(graph: nx.MultiDiGraph, as_of: date | None, statuses: tuple[str, ...]) -> list[_Edge]:
    return [(u, v, d) for u, v, d in edges_of(graph, "partnership") if d["status"] in statuses and in_effect(d, as_of)]


_FOLLOWING = ("partnership", "participation")


def exemplar_spread(ctx: AskContext) -> Rows:
    graph = project(ctx.store, _FOLLOWING, ctx.timeout)
    confirmed = _pairings(graph, ctx.as_of, ("confirmed",))
    others = _pairings(graph, ctx.as_of, ("proposed", "dropped"))
    followers: dict[str, set[str]] = defaultdict(set)
    for u, v, _ in confirmed:
        followers[v].add(u)
    rows: list[list[Any]] = []
    for ex, cohort in exemplars(graph, ctx.as_of).items():
        first = followers.get(ex, set())
        second = set().union(*(followers.get(f, set()) for f in first)) - first - {ex}
        other = sorted(f"{code_of(graph, u)} ({d['status']})" for u, v, d in others if v == ex)
        rows.append(
            [
                code_of(graph, ex),
                label_of(graph, ex),
                cohort,
                len(first),
                ";".join(sorted(code_of(graph, f) for f in first)),
                "; ".join(other),
                ";".join(sorted(code_of(graph, f) for f in second)),
                len(first | second),
            ]
        )
    rows.sort(key=lambda r: (-r[7], -r[3], r[0]))
    return (
        [
            "exemplar_code",
            "exemplar",
            "cohort",
            "followers",
            "follower_codes",
            "other_pairings",
            "followers_of_followers",
            "reach",
        ],
        rows,
    )


_PLATFORMS = ("partnership", "participation", "deployment", "succession")


def system_graph(ctx: AskContext) -> Rows:
    graph = project(ctx.store, _PLATFORMS, ctx.timeout)
    exs = exemplars(graph, ctx.as_of)
    on = _organisations_by_platform(graph, ctx.as_of)
    follows = _follows(graph, ctx.as_of)
    rows = []
    for platform, trusts in on.items():
        ex_here = {ex for ex in exs if holders(graph, ex, ctx.as_of) & trusts}
        following = {t for t in trusts if follows.get(t, set()) & ex_here}
        candidates = trusts - following - set().union(*(holders(graph, e, ctx.as_of) for e in ex_here))
        rows.append(
            [
                graph.nodes[platform]["kind"],
                code_of(graph, platform),
                label_of(graph, platform),
                len(trusts),
                ";".join(sorted(code_of(graph, e) for e in ex_here)),
                ";".join(sorted(code_of(graph, t) for t in following)),
                len(candidates) if ex_here else 0,
            ]
        )
    rows.sort(key=lambda r: (-r[3], r[1], r[0]))  # a system and its supplier may share a key
    return (["kind", "key", "name", "trusts", "exemplars", "followers_of_those", "not_following"], rows)


def _organisations_by_platform(graph: nx.MultiDiGraph, as_of: date | None) -> dict[str, set[str]]:
    """Each system or supplier → the organisations on it (their latest live deployments at `as_of`)."""
    on: dict[str, set[str]] = defaultdict(set)
    for node, data in graph.nodes(data=True):
        if data["kind"] not in ("supplier", "system", "programme", "blueprint"):
            for platform in _platforms(graph, node, as_of):
                on[platform].add(node)
    return on


def _follows(graph: nx.MultiDiGraph, as_of: date | None) -> dict[str, set[str]]:
    """Organisation (and its successors) → the exemplars it follows (confirmed, in effect)."""
    found: dict[str, set[str]] = defaultdict(set)
    for u, v, _ in _pairings(graph, as_of, ("confirmed",)):
        exemplar_now = {v} | holders(graph, v, as_of)
        for holder in ({u} | holders(graph, u, as_of)) - exemplar_now:
            found[holder].add(v)
    return found


def system_peers(ctx: AskContext) -> Rows:
    graph = project(ctx.store, _PLATFORMS, ctx.timeout)
    exs = exemplars(graph, ctx.as_of)
    chosen = [mint.org(ctx.params["code"])] if "code" in ctx.params else sorted(exs)
    follows = _follows(graph, ctx.as_of)
    by_platform = _organisations_by_platform(graph, ctx.as_of)
    rows = []
    for ex in chosen:
        if ex not in graph:  # no deployment, partnership, participation or change: nothing shared
            continue
        own = holders(graph, ex, ctx.as_of)
        for platform in sorted(set().union(*(_platforms(graph, h, ctx.as_of) for h in own))):
            for trust in sorted(by_platform[platform] - own, key=lambda n: code_of(graph, n)):
                if ex in follows.get(trust, set()):
                    continue
                other = ";".join(sorted(code_of(graph, e) for e in follows.get(trust, set())))
                rows.append(
                    [
                        code_of(graph, ex),
                        label_of(graph, ex),
                        graph.nodes[platform]["kind"],
                        label_of(graph, platform),
                        code_of(graph, trust),
                        label_of(graph, trust),
                        other,
                    ]
                )
    return (["exemplar_code", "exemplar", "shared_kind", "shared", "trust_code", "trust", "follows"], rows)


def components(ctx: AskContext) -> Rows:
    graph = project(ctx.store, _FOLLOWING, ctx.timeout)
    import networkx as nx

    wanted = ctx.params.get("status", "all")
    statuses = ("confirmed", "proposed", "dropped") if wanted == "all" else (wanted,)
    pairs = _pairings(graph, ctx.as_of, statuses)
    follower_net = nx.Graph()
    for u, v, _ in pairs:
        follower_net.add_edge(u, v)
    exs = exemplars(graph, None)
    parts = sorted(nx.connected_components(follower_net), key=lambda c: (-len(c), sorted(code_of(graph, n) for n in c)))
    rows = []
    for number, part in enumerate(parts, start=1):
        inside = sorted((u, v, d) for u, v, d in pairs if u in part)
        rows.append(
            [
                number,
                len(part),
                ";".join(sorted(code_of(graph, n) for n in part if n in exs)),
                ";".join(sorted(code_of(graph, n) for n in part if n not in exs)),
                "; ".join(f"{code_of(graph, u)}→{code_of(graph, v)} ({d['status']})" for u, v, d in inside),
            ]
        )
    return (["component", "size", "exemplars", "others", "pairings"], rows)


_AS_OF_NOTE = " With --as-of, only the relations that held on that date."
ANALYSES: tuple[Question, ...] = (
    Question(
        "exemplar-spread",
        "Spread of each exemplar",
        "For every global digital exemplar: its confirmed fast followers, the followers of those "
        "followers, and its reach (both together); proposed and dropped pairings are listed "
        "beside, with their status." + _AS_OF_NOTE,
        (),
        True,
        "networkx",
        analysis=exemplar_spread,
    ),
    Question(
        "system-graph",
        "Systems and suppliers that connect most trusts",
        "The organisation-system graph: every system or supplier of the organisations' latest "
        "live deployment records, with how many trusts it connects, the exemplars on it (an "
        "exemplar that merged counts through its successor), which of its trusts follow one of "
        "those exemplars, and how many do not (candidates for the exemplars' help). The sources "
        "keep some companies under two names (Cerner / Oracle Cerner Corporation)." + _AS_OF_NOTE,
        (),
        True,
        "networkx",
        analysis=system_graph,
    ),
    Question(
        "system-peers",
        "Trusts that share a system with an exemplar but do not follow it",
        "For each exemplar (or the one given), the trusts whose latest live deployment names the "
        "same system or supplier as the exemplar's, but which have no confirmed partnership with "
        "it; `follows` shows the exemplars they do follow." + _AS_OF_NOTE,
        (Param("code", "org", "an exemplar's ODS code", "RBS", optional=True),),
        True,
        "networkx",
        analysis=system_peers,
    ),
    Question(
        "components",
        "Connected components of the follower network",
        "The follower network (partnerships, by default of every status) split into its "
        "connected components, largest first, with the exemplars, the other members and the "
        "pairings of each." + _AS_OF_NOTE,
        (
            Param(
                "status",
                "choice",
                "only partnerships with this status",
                "confirmed",
                optional=True,
                choices=("confirmed", "proposed", "dropped", "all"),
            ),
        ),
        True,
        "networkx",
        analysis=components,
    ),
    Question(
        "shortest-path",
        "Shortest path between two organisations",
        "The shortest chain of relations between two organisations, one row per step with the "
        "relation that links it to the previous one (→ from the previous step, ← towards it). "
        "By default the chain may use partnerships, successions, deployments (through a shared "
        "system or supplier) and blueprints; `via` chooses among partnership, succession, "
        "deployment, blueprint, membership, participation. No row: no such chain." + _AS_OF_NOTE,
        (
            Param("from", "org", "an ODS code", "RVW"),
            Param("to", "org", "another ODS code", "REP"),
            Param("via", "text", "relation kinds, comma separated", "partnership,succession", optional=True),
        ),
        True,
        "networkx",
        analysis=shortest_path,
    ),
    Question(
        "successor-of",
        "Current organisation for a historic code",
        "Follows every recorded merger, acquisition and split from an organisation code to the "
        "organisation(s) that carry it on now: one row per end point (a split gives several), "
        "with the path, the change events and their dates. A code with no recorded change is its "
        "own successor; a closure with no successor stated says so. Where sources date the same "
        "change differently, each dating is a path. With --as-of, only changes dated by then.",
        (Param("code", "org", "a historic ODS code", "RLN"),),
        True,
        "networkx",
        analysis=successor_of,
    ),
    Question(
        "funding-check",
        "Do the stated funding totals agree with their parts?",
        "Recomputes totals the sources state from the parts other claims (and the graph's own "
        "counts) give, e.g. 16 acute exemplars times £10m plus 7 mental health exemplars times £5m against "
        "£195m, and £195m + £190m against £385m, and sets claims about the same figure side by "
        "side. Every check is reported, whether it agrees, disagrees, is within a stated "
        "ceiling, or cannot be completed from the sources, with the figures and the sources.",
        (),
        False,
        "python",
        analysis=funding_check,
    ),
)
