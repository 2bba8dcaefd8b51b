"""The embedded query engine: a build's `graph.nq` in a pyoxigraph store, queried with a timeout.

`open_store(build_dir)` loads `graph.nq` into an in-memory pyoxigraph `Store` (about
0.15 s for the shipped build) and keeps it for the life of the process, so repeated
questions pay for the load once; a rebuilt `graph.nq` (new size or mtime) is loaded
again. Queries see the default graph as the union of every named graph, so a saved
query needs no `GRAPH` clause.

Timeouts: pyoxigraph evaluates a query without holding the GIL but offers no way to
cancel one. `GraphStore.select` therefore runs the evaluation in a daemon worker thread
and waits at most `timeout` seconds; past that it raises `QueryTimeout` and abandons the
worker. In the `nhskg` command the process then exits, which ends the query; in a
long-lived Python process the abandoned query runs on in the background until it
finishes, so keep timeouts for queries that may run away.

Parameters are bound by the engine: `substitutions` maps SPARQL variables to RDF terms
(pyoxigraph's SEP-0007 substitution), so no value is ever pasted into query text.
Three behaviours of pyoxigraph 0.5 that a saved query must respect (measured; the tests
of every saved question cover them):

1. a substituted variable must be in the SELECT projection (and in GROUP BY, and in the
   projection of any subquery that uses it), or the query fails;
2. BOUND(?param) is folded to false at planning time even when the variable is
   substituted, so test an optional parameter with COALESCE(test, true) (an unbound
   variable makes the test an error, and COALESCE moves on);
3. BIND(?param AS ?x) before any triple pattern that uses ?param sees it unbound; use the
   parameter in a triple pattern first.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph_builder.errors import UsageError

DEFAULT_TIMEOUT = 30.0
"""Seconds a query may run before it is stopped (`--timeout` on the command line)."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Cell = Term | None


class QueryTimeout(UsageError):
    """A query ran past its timeout and was stopped (exit 2: narrow it or raise --timeout)."""


@dataclass(frozen=True)
class Solutions:
    """The answer of a query: variable names and rows of terms (None where unbound).

    For ASK, `boolean` is set and there are no variables; for CONSTRUCT and DESCRIBE the
    variables are subject, predicate and object.
    """

    variables: list[str]
    rows: list[list[Cell]]
    boolean: bool | None = None


class GraphStore:
    """One loaded build, queried read-only."""

    def __init__(self, store: ox.Store, path: Path) -> None:
        self._store = store
        self.path = path

    def __len__(self) -> int:
        return len(self._store)

    def select(
        self,
        query: str,
        substitutions: Mapping[str, Term] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> Solutions:
        """Run a read-only query with variables bound to terms; stop it after `timeout` s."""
        bound = {ox.Variable(name): term for name, term in (substitutions or {}).items()}
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["result"] = self._evaluate(query, bound)
            except BaseException as exc:  # handed to the waiting thread
                box["error"] = exc

        worker = threading.Thread(target=work, name="nhskg-query", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryTimeout(
                f"the query was stopped after {timeout:g} s; narrow it or allow more time with --timeout"
            )
        if "error" in box:
            error = box["error"]
            if isinstance(error, SyntaxError):
                raise UsageError(f"not a valid SPARQL query: {error}") from None
            assert isinstance(error, BaseException)
            raise error
        result = box["result"]
        assert isinstance(result, Solutions)
        return result

    def has_subject(self, node: ox.NamedNode) -> bool:
        """Whether the graph says anything about `node`."""
        return any(True for _ in self._store.quads_for_pattern(node, None, None))

    def _evaluate(self, query: str, bound: dict[ox.Variable, Term]) -> Solutions:
        answer = self._store.query(query, use_default_graph_as_union=True, substitutions=bound or None)
        if isinstance(answer, ox.QueryBoolean):
            return Solutions([], [], bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            return Solutions(names, [[solution[name] for name in names] for solution in answer])
        return Solutions(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in answer])


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
    _collect_names(tree, names, depth=0)
    for name, what in _FORBIDDEN.items():
        if name in names:
            raise UsageError(f"the query uses {what}; only queries over the local graph are allowed")
    form = next((n for n in names if n.endswith("Query")), "SelectQuery")
    return form.removesuffix("Query").upper()


def _is_update(query: str) -> bool:
    from rdflib.plugins.sparql import parser

    try:
        parser.parseUpdate(query)
    except Exception:
        return False
    return True


def _collect_names(node: object, names: set[str], depth: int) -> None:
    """The names of every node of an rdflib SPARQL parse tree."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 500:
        raise UsageError("the query is nested too deeply")
    if isinstance(node, CompValue):
        names.add(node.name)
        for value in node.values():
            _collect_names(value, names, depth + 1)
    elif isinstance(node, list | tuple) or hasattr(node, "asList"):
        for item in node:  # type: ignore[attr-defined]
            _collect_names(item, names, depth + 1)


_CACHE: dict[Path, tuple[tuple[int, int], GraphStore]] = {}
_LOCK = threading.Lock()


def graph_file(build_dir: Path) -> Path:
    """The N-Quads file of a build folder, or a UsageError saying to build first."""
    path = build_dir / "graph.nq"
    if not build_dir.is_dir():
        raise UsageError(f"{build_dir}: no such build folder; run `nhskg build` first (or pass --build DIR)")
    if not path.is_file():
        raise UsageError(f"{build_dir}: holds no graph.nq; run `nhskg build` first (or pass --build DIR)")
    return path


def open_store(build_dir: Path) -> GraphStore:
    """The build's graph loaded into memory, reused while `graph.nq` is unchanged."""
    path = graph_file(build_dir).resolve()
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        cached = _CACHE.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        store = ox.Store()
        try:
            store.load(path=path, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError) as exc:
            raise UsageError(f"{path}: cannot be read as N-Quads ({exc}); run `nhskg build` again") from None
        loaded = GraphStore(store, path)
        _CACHE[path] = (stamp, loaded)
        return loaded
