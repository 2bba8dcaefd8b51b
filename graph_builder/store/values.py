"""Parameters written into a query as a `VALUES` block: the same query text for every engine.

The SPARQL 1.1 Protocol has no way to send bindings with a query, and engines that do
have one (pyoxigraph's substitutions) each bind differently. So a question's parameters
are written into its text, once, as

    SELECT … WHERE { VALUES (?code ?asOf) { (<https://w3id.org/nhs-dkg/id/org/RQ6> "2018-01-31"^^xsd:date) } …

first in the WHERE group of the query and of each subquery (a subquery is evaluated on
its own and would not see a binding of the query around it). The terms are typed RDF
terms, already checked and written by pyoxigraph's N-Triples serialiser (a literal's
quotes and backslashes escaped), never user text pasted in: the tests send a value
that tries to close the block. A parameter that is not given is simply absent, so the
query sees it unbound and must test it with BOUND, which every engine does alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from graph_builder.store.embedded import Term

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][\w-]*(?::[\w.-]*)?")
_STRINGS = ('"""', "'''", '"', "'")


def bind_values(query: str, bound: Mapping[ox.Variable, Term]) -> str:
    """`query` with `VALUES (?a ?b) { (term term) }` first in its WHERE group and in each subquery's.

    The parameter is bound in the main query and in every subquery; filters in OPTIONAL
    groups see it from the enclosing group. Only SELECT and ASK queries are bound.
    """
    names = " ".join(str(v) for v in bound)
    terms = " ".join(str(t) for t in bound.values())
    block = f" VALUES ({names}) {{ ({terms}) }}"
    parts, last = [], 0
    for brace in _where_braces(query):
        parts += [query[last : brace + 1], block]
        last = brace + 1
    if not parts:
        raise ValueError("the query has no WHERE group")
    return "".join(parts) + query[last:]


def _where_braces(query: str) -> Iterator[int]:
    """Where each SELECT's (or ASK's) WHERE group opens: its first `{` outside comments, strings, IRIs."""
    i, n = 0, len(query)
    pending = False
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = next(q for q in _STRINGS if query.startswith(q, i))
            i += len(quote)
            while i < n and not query.startswith(quote, i):
                i += 2 if query[i] == "\\" else 1
            i += len(quote)
        elif c == "<" and (iri := _IRI.match(query, i)):
            i = iri.end()
        elif c in "?$":
            word = _WORD.match(query, i + 1)
            i = word.end() if word else i + 1
        elif word := _WORD.match(query, i):
            keyword = word.group().upper()
            if keyword in ("CONSTRUCT", "DESCRIBE"):
                raise ValueError("only SELECT and ASK queries take parameters")
            pending |= keyword in ("SELECT", "ASK")
            i = word.end()
        else:
            if c == "{" and pending:
                pending = False
                yield i
            i += 1
