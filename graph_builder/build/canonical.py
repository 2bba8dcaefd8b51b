"""Canonical output: sorted N-Quads and TriG from formatted quads.

The same quads always give byte-identical files: statements are de-duplicated and
sorted by graph, subject, predicate, object (as text); TriG groups them by graph and
subject and abbreviates vocabulary IRIs with the fixed prefixes of `terms.PREFIXES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

from graph_builder.core import iri as mint
from graph_builder.core.terms import PREFIXES, Quad

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*").fullmatch  # a local name safe to write as prefix:local
_PREFIX_OF = {ns: prefix for prefix, ns in PREFIXES.items()}
_OURS = f"<{mint.ID}"
assert not any(ns.startswith(mint.ID) for ns in PREFIXES.values())
assert all(ns.endswith(("#", "/")) for ns in PREFIXES.values())  # short_term relies on it
_GRAPH, _SUBJECT, _PREDICATE = itemgetter(3), itemgetter(0), itemgetter(1)  # Quad is (s, p, o, g)


def canonical(quads: Iterable[Quad]) -> list[Quad]:
    """De-duplicated and sorted by graph, subject, predicate, object.

    The quads of one named graph (a register's: the build sorts graph by graph) sort as
    the tuples they are, (s, p, o, g), with no sort keys to hold; quads of several graphs
    sort by the text `g s p o`, which gives the order of the tuple (g, s, p, o) because a
    space sorts before every character that can follow a whole term. Repeats are dropped
    once sorted, so no set of every quad is made either (memory at national scale).
    """
    items = list(quads)
    graph = items[0].g if items else ""
    one_graph = all(q.g is graph or q.g == graph for q in items)
    items.sort(key=None if one_graph else _text)
    return [q for q, _ in groupby(items)]


def _text(q: Quad) -> str:
    return f"{q.g} {q.s} {q.p} {q.o}"


def nquads_lines(quads: Iterable[Quad]) -> Iterator[str]:
    for q in quads:
        yield f"{q.s} {q.p} {q.o} {q.g} .\n"


def short_term(term: str) -> str:
    """Abbreviate an IRI (or a literal's datatype) with a prefix where that is safe.

    Every namespace of PREFIXES ends in '#' or '/', so the only one an IRI can be abbreviated
    with is the text up to its last '#' or '/', and only if the rest is a plain local name."""
    if term.startswith(_OURS):  # most objects: our own nodes, under no prefix
        return term
    if term.startswith("<"):
        cut = max(term.rfind("#"), term.rfind("/")) + 1
        prefix = _PREFIX_OF.get(term[1:cut])
        if prefix is not None and _LOCAL(term, cut, len(term) - 1):
            return f"{prefix}:{term[cut:-1]}"
        return term
    if term.endswith(">") and '"^^<' in term:
        lex, _, dtype = term.rpartition("^^")
        return f"{lex}^^{short_term(dtype)}"
    return term


def predicate_term(term: str) -> str:
    return "a" if term.endswith("22-rdf-syntax-ns#type>") else short_term(term)


def trig_lines(quads: list[Quad]) -> Iterator[str]:
    """TriG text of canonical quads: one chunk per subject."""
    for prefix, ns in PREFIXES.items():
        yield f"@prefix {prefix}: <{ns}> .\n"
    predicates: dict[str, str] = {}  # few distinct predicates: shorten each once
    for graph, in_graph in groupby(quads, key=_GRAPH):
        yield f"\n{graph} {{\n"
        for subject, about in groupby(in_graph, key=_SUBJECT):
            statements = []
            for pred, objs in groupby(about, key=_PREDICATE):
                p = predicates.get(pred) or predicates.setdefault(pred, predicate_term(pred))
                statements.append(f"    {p} {', '.join(short_term(q.o) for q in objs)}")
            yield f"  {subject}\n" + " ;\n".join(statements) + " .\n"
        yield "}\n"
