"""Canonical output: sorted N-Quads and TriG from formatted quads, written atomically.

The same quads always give byte-identical files: statements are de-duplicated and
sorted by graph, subject, predicate, object (as text); TriG groups them by graph and
subject and abbreviates vocabulary IRIs with the fixed prefixes of `terms.PREFIXES`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path

from graph_builder.terms import PREFIXES, Quad

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def canonical(quads: Iterable[Quad]) -> list[Quad]:
    """De-duplicated and sorted by graph, subject, predicate, object."""
    return sorted(set(quads), key=lambda q: (q.g, q.s, q.p, q.o))


def nquads_lines(quads: Iterable[Quad]) -> Iterator[str]:
    for q in quads:
        yield f"{q.s} {q.p} {q.o} {q.g} .\n"


def _short(term: str) -> str:
    """Abbreviate an IRI (or a literal's datatype) with a prefix where that is safe."""
    if term.startswith("<"):
        value = term[1:-1]
        for prefix, ns in _BY_LENGTH:
            if value.startswith(ns) and _LOCAL.match(value[len(ns) :]):
                return f"{prefix}:{value[len(ns) :]}"
        return term
    if term.startswith('"') and term.endswith(">") and '"^^<' in term:
        lex, _, dtype = term.rpartition("^^")
        return f"{lex}^^{_short(dtype)}"
    return term


def trig_lines(quads: list[Quad]) -> Iterator[str]:
    """TriG text of canonical quads."""
    for prefix, ns in PREFIXES.items():
        yield f"@prefix {prefix}: <{ns}> .\n"
    for graph, in_graph in groupby(quads, key=lambda q: q.g):
        yield f"\n{graph} {{\n"
        for subject, about in groupby(in_graph, key=lambda q: q.s):
            yield f"  {subject}\n"
            statements = list(about)
            last = len({q.p for q in statements}) - 1
            for i, (pred, objs) in enumerate(groupby(statements, key=lambda q: q.p)):
                p = "a" if pred.endswith("22-rdf-syntax-ns#type>") else _short(pred)
                objects = ", ".join(_short(q.o) for q in objs)
                yield f"    {p} {objects}"
                yield " ;\n" if i < last else " .\n"
        yield "}\n"


def write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write text to a temporary file beside `path`, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
