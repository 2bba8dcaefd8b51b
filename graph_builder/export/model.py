"""Exports: a view of the graph written for Gephi, Cytoscape, yEd, Graphviz, a browser or RDF tools.

    export(build_dir, fmt, out, view="all", as_of=None) -> Exported

The pipe is the project's usual one: load the build (store/embedded.py), project it to a
property graph (view_graph.py: a named view of views.py over the one projection of
questions/network.py, as the model of graph.py), write one format, and write it atomically
(a temporary file beside the output, fsync, rename: a failed export leaves the previous file
untouched).

Formats (`EXPORT_FORMATS`): graphml (typed keys, yEd graphics), gexf (1.3, colours and
positions), cyjs (Cytoscape.js / Cytoscape desktop JSON), dot (Graphviz), html (a
self-contained offline viewer), png and svg (pictures), jsonld, ttl and nt (the view's
RDF: the statements about its nodes and relation nodes and the sources they cite). Every
format but png is byte-identical for the same build and options. This module imports the
formats; they import graph.py, never this module.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType

from graph_builder.core.errors import UsageError
from graph_builder.core.files import write_chunks_atomic
from graph_builder.export import cytoscape, dot, html, picture, rdf, xml
from graph_builder.export.graph import PropertyGraph
from graph_builder.export.view_graph import Limit, check_view, property_graph
from graph_builder.store.embedded import DEFAULT_TIMEOUT, open_store

Writer = Callable[[PropertyGraph], bytes]


Streamer = Callable[[PropertyGraph], Iterable[bytes]]


@dataclass(frozen=True)
class Format:
    module: ModuleType
    function: str
    suffixes: tuple[str, ...]
    description: str
    stream: str | None = None
    """A function of the module giving the same bytes in pieces, written as they come."""

    def writer(self) -> Writer:
        found: Writer = getattr(self.module, self.function)
        return found

    def streamer(self) -> Streamer:
        """The writer in pieces: `stream` if the module has one, else the whole payload at once."""
        if self.stream is None:
            whole = self.writer()
            return lambda graph: (whole(graph),)
        found: Streamer = getattr(self.module, self.stream)
        return found


EXPORT_FORMATS: dict[str, Format] = {
    "graphml": Format(xml, "graphml", (".graphml",), "GraphML with typed keys and yEd graphics", "stream_graphml"),
    "gexf": Format(xml, "gexf", (".gexf",), "GEXF 1.3 for Gephi, colours and positions", "stream_gexf"),
    "cyjs": Format(cytoscape, "cyjs", (".cyjs",), "Cytoscape.js JSON (Cytoscape desktop too)"),
    "dot": Format(dot, "dot", (".dot", ".gv"), "Graphviz DOT"),
    "html": Format(html, "html", (".html", ".htm"), "self-contained offline viewer", "stream_html"),
    "png": Format(picture, "png", (".png",), "picture (PNG)"),
    "svg": Format(picture, "svg", (".svg",), "picture (SVG)"),
    "jsonld": Format(rdf, "view_jsonld", (".jsonld",), "the view's RDF as JSON-LD"),
    "ttl": Format(rdf, "view_turtle", (".ttl",), "the view's RDF as Turtle"),
    "nt": Format(rdf, "view_ntriples", (".nt",), "the view's RDF as N-Triples"),
}
"""Export formats by name (the CLI's --format choices). A writer is looked up in its module
when called, so a test can replace it there."""


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
        if name not in EXPORT_FORMATS:
            raise UsageError(f"unknown export format {fmt!r}; one of {', '.join(EXPORT_FORMATS)}")
        return name
    suffix = out.suffix.lower()
    for name, spec in EXPORT_FORMATS.items():
        if suffix in spec.suffixes:
            return name
    raise UsageError(
        f"{out}: cannot tell the format from the suffix {suffix!r}; give --format ({', '.join(EXPORT_FORMATS)})"
    )


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

    name = format_for(fmt, out)
    view_name = check_view(view)
    when = check_date(as_of) if as_of is not None else None
    _check_output(out)
    limit: Limit | None = None
    if name in _PICTURES:

        def limit(view: str, count: int, at_least: bool) -> None:
            picture.refuse_large(view, count, name, at_least)

    graph = property_graph(open_store(build_dir), view_name, when, timeout, whole=name == "html", limit=limit)
    if name not in _RDF:
        graph.store = None  # only the RDF formats read the store again: let it and its projection go
        gc.collect()
    size = _write_export(out, EXPORT_FORMATS[name].streamer()(graph))
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
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_chunks_atomic(path, chunks)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written ({exc.strerror or exc})") from None
