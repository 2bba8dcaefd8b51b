"""What a user's SPARQL may do: read the local graph, nothing else.

`check_read_only` refuses an update, SERVICE (a call to another endpoint) and FROM / FROM
NAMED (a dataset named by URL), a query over MAX_QUERY_CHARS characters or nested too
deep; `with_prefixes` also declares the project's prefixes an ad hoc query uses without
declaring them. Each refusal is one UsageError line (exit 2). The saved queries, the
queries of `nhskg sparql` and the SPARQL in a user's shapes all pass through here.
"""

from __future__ import annotations

import functools
import threading

from graph_builder.core.errors import UsageError

MAX_QUERY_CHARS = 100_000
"""An ad hoc query longer than this is refused before it is parsed."""

_FORBIDDEN = {
    "ServiceGraphPattern": "SERVICE (a call to another endpoint)",
    "DatasetClause": "FROM / FROM NAMED (a dataset named by URL)",
}


def check_read_only(query: str) -> str:
    """Refuse anything but a self-contained read-only query; return its form (SELECT, ASK...).

    The query is parsed (rdflib's SPARQL grammar), never scanned with patterns: an update
    (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) does not parse as a query, and the
    parse tree is searched for SERVICE and FROM / FROM NAMED, which would make the engine
    read a location named in the query.
    """
    return _checked(query)[0]


def with_prefixes(query: str) -> str:
    """An ad hoc query, checked as `check_read_only` does, with the project's prefixes
    (terms.PREFIXES: ndk:, org:, skos:, dcterms:, prov:, xsd: ...) declared where it does not
    declare them itself (its own declaration wins). A prefix neither declares is refused in
    one line. The declarations go before the query on its first line, so line numbers stay."""
    from graph_builder.core.terms import PREFIXES

    _, declared, used = _checked(query)
    unknown = sorted(used - declared - set(PREFIXES))
    if unknown:
        names = ", ".join(f"{p}:" for p in unknown)
        raise UsageError(
            f"unknown prefix{'es' if len(unknown) > 1 else ''} {names} in the query; declare it "
            f"(PREFIX {unknown[0]}: <IRI>) or use one of {', '.join(f'{p}:' for p in PREFIXES)}"
        )
    return "".join(f"PREFIX {p}: <{ns}> " for p, ns in PREFIXES.items() if p not in declared) + query


_PARSING = threading.Lock()  # rdflib's SPARQL parser (pyparsing) is not safe on two threads at once


def _checked(query: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """The query's form, the prefixes it declares and those it uses; UsageError if refused.
    A query passed is remembered (validation asks again for each batch of focus nodes)."""
    with _PARSING:
        return _parsed(query)


@functools.lru_cache(maxsize=1024)
def _parsed(query: str) -> tuple[str, frozenset[str], frozenset[str]]:
    if len(query) > MAX_QUERY_CHARS:
        raise UsageError(f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(query)
    except Exception as exc:
        if _is_update(query):
            raise UsageError(
                "the query is an update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...); "
                "only read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are allowed"
            ) from None
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"not a valid SPARQL query: {message}") from None
    names: set[str] = set()
    used: set[str] = set()
    _collect_names(tree, names, used, depth=0)
    for name, what in _FORBIDDEN.items():
        if name in names:
            raise UsageError(f"the query uses {what}; only queries over the local graph are allowed")
    form = next((n for n in names if n.endswith("Query")), "SelectQuery")
    declared = {str(d["prefix"]) if "prefix" in d else "" for d in tree[0] if getattr(d, "name", "") == "PrefixDecl"}
    return form.removesuffix("Query").upper(), frozenset(declared), frozenset(used)


def _is_update(query: str) -> bool:
    from rdflib.plugins.sparql import parser

    try:
        parser.parseUpdate(query)
    except Exception:
        return False
    return True


def _collect_names(node: object, names: set[str], prefixes: set[str], depth: int) -> None:
    """The names of every node of an rdflib SPARQL parse tree, and the prefixes of its prefixed names."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 500:
        raise UsageError("the query is nested too deeply")
    if isinstance(node, CompValue):
        names.add(node.name)
        if node.name == "pname":
            prefixes.add(str(node["prefix"]) if "prefix" in node else "")
        for value in node.values():
            _collect_names(value, names, prefixes, depth + 1)
    elif isinstance(node, list | tuple) or hasattr(node, "asList"):
        for item in node:  # type: ignore[attr-defined]
            _collect_names(item, names, prefixes, depth + 1)
