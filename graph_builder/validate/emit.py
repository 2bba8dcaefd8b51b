"""The data graph a validation checked, written out (`nhskg validate --emit-data FILE`), so
that another SHACL engine can be run on exactly that graph.

SHACL validates one data graph: the named graphs are merged into one (given a TriG or
N-Quads file, an engine such as Jena validates only its default graph, which is empty here).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from graph_builder.core.errors import UsageError
from graph_builder.core.files import atomic_file
from graph_builder.core.terms import PREFIXES

FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}
"""By the file's suffix."""


def check_path(path: Path, build_dir: Path | None = None) -> None:
    """Say so before validating if the file's suffix names no format written here, or if it
    is inside the build folder (which a build replaces whole)."""
    if build_dir is not None and path.resolve().is_relative_to(build_dir.resolve()):
        raise UsageError(f"{path}: is inside the build folder {build_dir}; write the data elsewhere")
    if path.suffix not in FORMATS:
        raise UsageError(f"{path}: --emit-data writes N-Triples (.nt) or Turtle (.ttl); name the file so")


def emit_data(path: Path, quads: Iterable[ox.Quad]) -> None:
    """Write the statements as one graph (graph names dropped), replacing `path` only once whole."""
    check_path(path)
    fmt = FORMATS[path.suffix]
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    prefixes = dict(PREFIXES) if fmt == ox.RdfFormat.TURTLE else None
    with atomic_file(path) as out:
        ox.serialize(triples, out, fmt, prefixes=prefixes)
