"""Exports: a view of the graph written for Gephi, Cytoscape, yEd, Graphviz, a browser or RDF tools.

    export(build_dir, fmt, out, view="all", as_of=None) -> Exported

The pipe is the project's usual one: load the build (store.py), project it to a property
graph (network.py, the one projection, also used by the analyses), select a named view
(export_views.py), render one format, and write it atomically (a temporary file beside
the output, fsync, rename: a failed export leaves the previous file untouched).

The property graph (`PropertyGraph`), shared by every format:

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

Formats (`FORMATS`): graphml (typed keys, yEd graphics), gexf (1.3, colours and
positions), cyjs (Cytoscape.js / Cytoscape desktop JSON), dot (Graphviz), html (a
self-contained offline viewer), png and svg (pictures), jsonld, ttl and nt (the view's
RDF: the statements about its nodes and relation nodes and the sources they cite). Every
format but png is byte-identical for the same build and options.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from graph_builder.core import iri as mint
from graph_builder.core.errors import UsageError
from graph_builder.core.files import write_chunks_atomic
from graph_builder.export.views import VIEWS
from graph_builder.questions.answers import text
from graph_builder.store.embedded import DEFAULT_TIMEOUT, GraphStore

LIST_SEPARATOR = " | "
"""Joins the items of a multi-valued attribute in formats that have no lists."""

Value = str | int | float | bool | list[Any] | dict[str, Any]


@dataclass(frozen=True)
class Node:
    id: str
    attrs: dict[str, Value]


@dataclass(frozen=True)
class Edge:
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
    nodes: list[Node]
    edges: list[Edge]
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    store: GraphStore | None = None
    periods: list[tuple[date | None, date | None]] = field(default_factory=list)
    """When the view's defining relation holds (`export_views.periods`), whatever `as_of`."""
    _positions: dict[str, tuple[float, float]] | None = None

    @property
    def title(self) -> str:
        when = f" as of {self.as_of.isoformat()}" if self.as_of else ""
        return f"NHS digital knowledge graph: {self.view} view{when}"

    def positions(self) -> dict[str, tuple[float, float]]:
        """The deterministic layout (computed once)."""
        if self._positions is None:
            from graph_builder.export.style import layout

            self._positions = layout([n.id for n in self.nodes], [(e.source, e.target) for e in self.edges])
        return self._positions


Writer = Callable[[PropertyGraph], bytes]


Streamer = Callable[[PropertyGraph], Iterable[bytes]]


@dataclass(frozen=True)
class Format:
    module: str
    function: str
    suffixes: tuple[str, ...]
    description: str
    stream: str | None = None
    """A function of the module giving the same bytes in pieces, written as they come."""

    def writer(self) -> Writer:
        import importlib

        found: Writer = getattr(importlib.import_module(self.module), self.function)
        return found

    def streamer(self) -> Streamer:
        """The writer in pieces: `stream` if the module has one, else the whole payload at once."""
        import importlib

        if self.stream is None:
            whole = self.writer()
            return lambda graph: (whole(graph),)
        found: Streamer = getattr(importlib.import_module(self.module), self.stream)
        return found


FORMATS: dict[str, Format] = {
    "graphml": Format(
        "graph_builder.export.xml",
        "graphml",
        (".graphml",),
        "GraphML with typed keys and yEd graphics",
        "stream_graphml",
    ),
    "gexf": Format(
        "graph_builder.export.xml", "gexf", (".gexf",), "GEXF 1.3 for Gephi, colours and positions", "stream_gexf"
    ),
    "cyjs": Format("graph_builder.export.cytoscape", "cyjs", (".cyjs",), "Cytoscape.js JSON (Cytoscape desktop too)"),
    "dot": Format("graph_builder.export.dot", "dot", (".dot", ".gv"), "Graphviz DOT"),
    "html": Format(
        "graph_builder.export.html", "html", (".html", ".htm"), "self-contained offline viewer", "stream_html"
    ),
    "png": Format("graph_builder.export.picture", "png", (".png",), "picture (PNG)"),
    "svg": Format("graph_builder.export.picture", "svg", (".svg",), "picture (SVG)"),
    "jsonld": Format("graph_builder.export.rdf", "jsonld", (".jsonld",), "the view's RDF as JSON-LD"),
    "ttl": Format("graph_builder.export.rdf", "turtle", (".ttl",), "the view's RDF as Turtle"),
    "nt": Format("graph_builder.export.rdf", "ntriples", (".nt",), "the view's RDF as N-Triples"),
}
"""Export formats by name (the CLI's --format choices)."""


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    path: Path
    fmt: str
    view: str
    nodes: int
    edges: int
    size: int


def format_for(fmt: str | None, out: Path) -> str:
    """The format named, or the one the output's suffix implies; a UsageError otherwise."""
    if fmt is not None:
        name = fmt.strip().lower()
        if name not in FORMATS:
            raise UsageError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
        return name
    suffix = out.suffix.lower()
    for name, spec in FORMATS.items():
        if suffix in spec.suffixes:
            return name
    raise UsageError(f"{out}: cannot tell the format from the suffix {suffix!r}; give --format ({', '.join(FORMATS)})")


def check_view(view: str) -> str:
    name = view.strip().lower()
    if name not in VIEWS:
        raise UsageError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
    return name


Limit = Callable[[str, int, bool], None]
"""Called with the view, its node count and whether that is a lower bound; raises to refuse it."""


def property_graph(
    store: GraphStore,
    view: str,
    as_of: date | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    whole: bool = False,
    limit: Limit | None = None,
) -> PropertyGraph:
    """A view of a loaded build as a property graph; a UsageError if it selects nothing.

    The view reads only its own relations and nodes (`export_views.projection`), then the
    facts of the nodes it selected. With `whole`, the graph holds the view at every date
    (`as_of` is still checked, and kept as the date a viewer opens at). `limit` is given the
    node count before the nodes' facts are read (and, for the all view, a cheap lower bound
    before anything is projected).
    """
    from graph_builder.export import views as export_views
    from graph_builder.export.style import caption, display_name

    name = check_view(view)
    if limit is not None and (least := export_views.at_least(store, name, timeout)):
        limit(name, least, True)
    graph = export_views.projection(store, name, timeout)
    selected = export_views.select(graph, name, as_of)
    periods = export_views.periods(graph, name)
    if as_of is not None and not export_views.defining_edges(selected, name):
        raise UsageError(export_views.nothing_on(name, as_of, periods))
    if whole and as_of is not None:
        selected = export_views.select(graph, name, None)
    if limit is not None:
        limit(name, selected.number_of_nodes(), False)
    export_views.add_facts(selected, store, name, timeout)
    nodes = []
    for node, data in selected.nodes(data=True):
        attrs = {k: _value(v, k) for k, v in data.items() if v is not None and v != []}
        attrs["name"] = display_name(data)
        attrs["caption"] = caption(data)
        nodes.append(Node(node, dict(sorted(attrs.items()))))
    edges = _edges(selected, {n.id for n in nodes})
    nodes.sort(key=lambda n: n.id)
    cited = {
        key
        for item in [*(n.attrs for n in nodes), *(e.attrs for e in edges)]
        for key in str(item.get("source") or "").split(";")
        if key
    }
    return PropertyGraph(name, as_of, nodes, edges, _sources(store, cited, timeout), store, periods=periods)


def _edges(view: Any, node_ids: set[str]) -> list[Edge]:
    """The view's edges, sorted, each with an id no node or other edge of the view has.

    The id is the relation node's IRI. Where that is one of the edge's ends (an authorship:
    the blueprint states its author), the id is `authorship:<author>:<blueprint>`, as for the
    structural links; where one relation node gives several edges (a merger's change event:
    an edge per predecessor), each adds its ends: `<event IRI>#<predecessor>-<successor>`.
    """
    rows = sorted(view.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    shared = Counter(key for _, _, key, _ in rows)
    taken = set(node_ids)
    edges = []
    for u, v, key, data in rows:
        if key in (u, v):
            wanted = f"{data['relation']}:{u}:{v}"
        elif shared[key] > 1 or key in taken:
            wanted = f"{key}#{_tail(u)}-{_tail(v)}"
        else:
            wanted = key
        unique, n = wanted, 1
        while unique in taken:
            n += 1
            unique = f"{wanted}-{n}"
        taken.add(unique)
        attrs = dict(sorted((k, _value(val, k)) for k, val in data.items() if val is not None))
        edges.append(Edge(unique, u, v, attrs, key))
    edges.sort(key=lambda e: (e.source, e.target, e.id))
    return edges


def _tail(iri: str) -> str:
    """The last segment of an IRI: an organisation's code, a system's slug."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


_TUPLES = {"provisions": ("provision", "status", "as_of", "source"), "closures": ("event", "date", "source")}


def _value(value: Any, name: str) -> Value:
    """Projection values as export values: tuples of `provisions`/`closures` become records."""
    if isinstance(value, list):
        fields = _TUPLES.get(name)
        items = [dict(zip(fields, item, strict=True)) if fields and isinstance(item, tuple) else item for item in value]
        return sorted(items, key=str)
    if isinstance(value, str | int | float | bool | dict):
        return value
    return str(value)


def flat(value: Value) -> str | int | float | bool:
    """A value for a format without lists: lists joined by LIST_SEPARATOR, records as k=v."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(flat(item)) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
    return value


def _sources(store: GraphStore, keys: set[str], timeout: float | None) -> dict[str, dict[str, str]]:
    """Title, publisher, date and address of the cited sources, by key."""
    query = f"PREFIX ndk: <{mint.DEF}>\n" + """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/>
SELECT ?key ?title ?publisher ?date ?url WHERE { ?s a ndk:Source ; dcterms:identifier ?key .
  OPTIONAL { ?s dcterms:title ?title } OPTIONAL { ?s dcterms:publisher ?publisher }
  OPTIONAL { ?s dcterms:date ?date } OPTIONAL { ?s schema:url ?url } }"""
    found: dict[str, dict[str, str]] = {}
    answer = store.select(query, timeout=timeout)
    for row in answer.rows:
        cells = {name: text(cell) for name, cell in zip(answer.variables, row, strict=True) if cell is not None}
        key = cells.pop("key", "")
        if key in keys and key not in found:
            found[key] = cells
    return dict(sorted(found.items()))


def export(
    build_dir: Path,
    fmt: str | None,
    out: Path,
    view: str = "all",
    as_of: str | date | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Exported:
    """Write one view of a build in one format to `out`, atomically."""
    from graph_builder.questions.catalogue import check_date
    from graph_builder.store.embedded import open_store

    name = format_for(fmt, out)
    view_name = check_view(view)
    when = check_date(as_of) if as_of is not None else None
    _check_output(out)
    limit: Limit | None = None
    if name in _PICTURES:
        from graph_builder.export.picture import refuse_large

        def limit(view: str, count: int, at_least: bool) -> None:
            refuse_large(view, count, name, at_least)

    graph = property_graph(open_store(build_dir), view_name, when, timeout, whole=name == "html", limit=limit)
    if name not in _RDF:
        graph.store = None  # only the RDF formats read the store again: let it and its projection go
        gc.collect()
    size = _write_export(out, FORMATS[name].streamer()(graph))
    return Exported(out, name, view_name, len(graph.nodes), len(graph.edges), size)


_RDF = ("jsonld", "ttl", "nt")
_PICTURES = ("png", "svg")


def _check_output(out: Path) -> None:
    """Refuse an output that cannot be a file before any work is done."""
    if out.is_dir():
        raise UsageError(f"{out}: is a folder; give a file name, e.g. {out / 'graph.graphml'}")
    parent = out.parent if str(out.parent) else Path(".")
    existing = next((p for p in (parent, *parent.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise UsageError(f"{out}: cannot be written ({existing} is not a folder)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{out}: cannot be written (no permission to write in {existing})")


def _write_export(path: Path, chunks: Iterable[bytes]) -> int:
    """Write the export atomically (core.files); a file system's refusal is a UsageError."""
    try:
        return write_chunks_atomic(path, chunks)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written ({exc.strerror or exc})") from None
